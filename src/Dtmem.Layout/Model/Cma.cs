using Dtmem.Kernel.Config;
using Dtmem.Layout.Ranges;

namespace Dtmem.Layout.Model;

/// <summary>The default CMA area (§4.2), CMA activation (§4.3) and the atomic pools (§4.4).</summary>
internal sealed partial class Simulation
{
    private readonly RangeSet _cmaBuddy = new();
    private readonly RangeSet _cmaOrdinary = new();

    /// <summary>dma_contiguous_reserve(arm64_dma_phys_limit).</summary>
    private void DmaContiguousReserve()
    {
        _phase = BootPhase.DmaContiguousReserve;
        if (!_cfg.Cma.Value || !_cfg.DmaCma.Value) return;
        EnsureZones();
        var limit = _dmaLimit ?? 0;
        ulong size, base_ = 0, selLimit = limit;
        var fixedArea = false;
        CmaSource source;
        if (_cmdline.CmaSize is { } cs)
        {
            size = cs;
            base_ = _cmdline.CmaBase;
            selLimit = _cmdline.CmaLimit != 0 && (limit == 0 || _cmdline.CmaLimit < limit) ? _cmdline.CmaLimit : limit;
            fixedArea = _cmdline.CmaLimit != 0 && unchecked(base_ + size) == _cmdline.CmaLimit;
            source = CmaSource.Cmdline;
        }
        else
        {
            var mbytes = (ulong)Math.Max(0, _cfg.CmaSizeMBytes.Value) << 20;
            var percent = (_mb.Memory.TotalSize / Page * (ulong)Math.Max(0, _cfg.CmaSizePercentage.Value) / 100) * Page;
            size = _cfg.CmaSizeSel.Value switch
            {
                CmaSizeSelection.Percentage => percent,
                CmaSizeSelection.Min => Math.Min(mbytes, percent),
                CmaSizeSelection.Max => Math.Max(mbytes, percent),
                _ => mbytes,
            };
            source = CmaSource.Kconfig;
        }
        if (size == 0) return;
        if (_defaultCma is not null)
        {
            if (source == CmaSource.Cmdline)
                _assumptions.Add($"{_cmdline.CmaText} is ignored: Linux {_rules.Version.Major}.{_rules.Version.Minor} keeps the DT linux,cma-default area");
            return;
        }
        if (!_memoryKnown)
        {
            _assumptions.Add("the default CMA area cannot be placed: no memory is known");
            return;
        }
        CmaDeclare(size, base_, selLimit, fixedArea, source);
    }

    /// <summary>cma_declare_contiguous_nid for the "reserved" area.</summary>
    private void CmaDeclare(ulong size, ulong base_, ulong limit, bool fixedArea, CmaSource source)
    {
        const string Name = "reserved";
        var onNode = _rules.CmaOnNode ? " on node -1" : "";
        void Failed(string why) =>
            Emit("cma_declare_contiguous_nid", BootEventKind.CmaDeclareFailed, null, $"cma: Failed to reserve {SizeText.KernelMiB(size)} MiB{onNode}",
                KernelLogLevel.Error, subject: Name, note: why);

        if (_cma.Count == _rules.CmaSlots)
        {
            Emit("cma_declare_contiguous_nid", BootEventKind.CmaSlotsExhausted, null, "cma: Not enough slots for CMA reserved regions!", KernelLogLevel.Error, subject: Name);
            return;
        }
        var align = _rules.CmaMinAlignment;
        if (fixedArea && (base_ & (align - 1)) != 0)
        {
            Emit("cma_declare_contiguous_nid", BootEventKind.CmaDeclareFailed, null, $"cma: Region at {Pa(base_)} must be aligned to {Pa(align)} bytes",
                KernelLogLevel.Error, subject: Name);
            Failed("misaligned fixed base");
            return;
        }
        base_ = AddressRange.AlignUp(base_, align, out _);
        size = AddressRange.AlignUp(size, align, out _);
        limit &= ~(align - 1);
        if (base_ == 0) fixedArea = false;
        var memEnd = _mb.Memory.Max ?? 0;
        if (limit == 0 || limit > memEnd) limit = memEnd;
        if (base_ + size > limit)
        {
            Emit("cma_declare_contiguous_nid", BootEventKind.CmaDeclareFailed, null, $"cma: Size ({Pa(size)}) of region at {Pa(base_)} exceeds limit ({Pa(limit)})",
                KernelLogLevel.Error, subject: Name);
            Failed("exceeds the limit");
            return;
        }
        ulong placed;
        if (fixedArea)
        {
            var r = AddressRange.FromStartSizeSaturating(base_, size);
            if (_mb.Reserved.Overlaps(r))
            {
                Failed("-EBUSY: the fixed range is already partly reserved");
                return;
            }
            MbReserve(r, "cma_declare_contiguous_nid", Name);
            placed = base_;
        }
        else
        {
            ulong? addr = null;
            const ulong FourG = 1UL << 32;
            if (_rules.IsAtLeast(5, 11) && memEnd >= FourG + size) addr = _mb.Find(size, align, FourG, limit, true, Page);
            addr ??= _mb.Find(size, align, base_, limit, false, Page);
            if (addr is not { } a)
            {
                Failed("no free aligned block below the limit");
                return;
            }
            MbReserve(AddressRange.FromStartSizeSaturating(a, size), "memblock_alloc_range_nid", Name);
            placed = a;
        }
        var range = AddressRange.FromStartSizeSaturating(placed, size);
        if (CmaInitReservedMem(range, Name, null, source) != 0)
        {
            MbFree(range, "cma_declare_contiguous_nid", Name);
            Failed("cma_init_reserved_mem refused the range");
            return;
        }
        _defaultCma = _cma.Count - 1;
        var origin = source == CmaSource.Cmdline ? $"{_cmdline.CmaText} on the command line" : $"CONFIG_CMA_SIZE_* ({_cfg.CmaSizeMBytes.Origin})";
        AddOwner(new RegionOwner(OwnerKind.DefaultCma, "default CMA area (reserved)", range, origin, source == CmaSource.Kconfig && _cfg.CmaSizeMBytes.IsAssumed, null));
        Emit("cma_declare_contiguous_nid", BootEventKind.CmaDeclared, range, $"cma: Reserved {SizeText.KernelMiB(size)} MiB at {Pa(placed)}{onNode}", KernelLogLevel.Info, subject: Name);
    }

    /// <summary>cma_init_reserved_areas at core_initcall: every area's pages go to buddy unless the zone check fails.</summary>
    private void ActivateCmaAreas()
    {
        _phase = BootPhase.CoreInitcall;
        var zonesKnown = EnsureZones();
        for (var i = 0; i < _cma.Count; i++)
        {
            var a = _cma[i] with { IsDefault = _defaultCma == i };
            string? problem = null;
            if (_memoryKnown && !_mb.Memory.ContainsAll(a.Range))
            {
                // Real 6.1/6.12 boots: a WARN in cma_init_reserved_areas, then a paging fault on the missing
                // struct pages and a panic in PID 1 (data/fidelity mem-limit case). Nothing after it happens.
                problem = "part of the area is not RAM: pfn_valid() fails for its pages";
                Emit("cma_activate_area", BootEventKind.CmaActivationFailed, a.Range, null, KernelLogLevel.Error, subject: a.Name,
                    note: "WARNING in cma_init_reserved_areas, then 'Unable to handle kernel paging request' on the missing struct pages: the kernel panics");
                _crash ??= $"CMA area '{a.Name}' {a.Range} is not all RAM: activating it touches struct pages that do not exist";
                _cma[i] = a with { Activated = false, ActivationProblem = problem, CrashesBoot = true };
                continue;
            }
            var baseZone = zonesKnown ? ZoneOf(a.Range.Start) : null;
            var crossing = zonesKnown && _zones.Any(z => z != baseZone && z.Range is { } zr && zr.Overlaps(a.Range));
            if (crossing)
            {
                Emit("cma_activate_area", BootEventKind.CmaActivationFailed, a.Range, $"cma: CMA area {a.Name} could not be activated", KernelLogLevel.Error, subject: a.Name);
                if (_rules.FailedCmaPagesToBuddy) _cmaOrdinary.Add(a.Range);
                else if (baseZone?.Range is { } bz) _cmaBuddy.Add(a.Range.Intersect(bz));
                _cma[i] = a with { Activated = false, ActivationProblem = $"the area spans more than one zone ({string.Join(", ", _zones.Where(z => z.Range is { } r && r.Overlaps(a.Range)).Select(z => z.Name))})" };
                continue;
            }
            _cmaBuddy.Add(a.Range);
            Emit("cma_activate_area", BootEventKind.CmaActivated, a.Range, null, KernelLogLevel.Info, subject: a.Name,
                note: "pages released to the buddy allocator as MIGRATE_CMA");
            _cma[i] = a with { Activated = true, ActivationProblem = problem };
        }
    }

    /// <summary>dma_atomic_pool_init at postcore_initcall: the pools come from the default CMA area when it fits the zone.</summary>
    private void AtomicPools()
    {
        _phase = BootPhase.PostcoreInitcall;
        if (!_memoryKnown) return;
        var def = _defaultCma is { } d && _cma[d].Activated == true ? _cma[d] : null;
        ulong cursor = def?.Range.Start ?? 0;
        void Pool(ulong size, string gfp, bool cmaFits)
        {
            AddressRange? at = null;
            if (def is not null && cmaFits)
            {
                var b = AddressRange.AlignUp(cursor, size, out _);
                if (b + size <= def.Range.End)
                {
                    at = new AddressRange(b, b + size);
                    cursor = b + size;
                    AddOwner(new RegionOwner(OwnerKind.AtomicPool, $"atomic pool {(gfp.Length == 0 ? "" : gfp)}".TrimEnd(), at.Value,
                        $"dma_atomic_pool_init from the default CMA area {def.Name}", false, null));
                }
            }
            var label = gfp.Length == 0 ? "" : gfp + " ";
            Emit("dma_atomic_pool_init", BootEventKind.AtomicPool, at, $"DMA: preallocated {size >> 10} KiB {label}pool for atomic allocations", KernelLogLevel.Info,
                note: at is null ? "from the page allocator" : $"from CMA area {def!.Name}");
        }

        if (!_rules.AtomicPoolsPerZone)
        {
            Pool(256 * 1024, "", true);
            return;
        }
        var totalRam = 0UL;
        foreach (var m in _mb.Memory.Ranges)
            foreach (var free in _mb.Reserved.Complement(m))
                foreach (var mapped in _mb.NoMap.Complement(free))
                    totalRam += mapped.Size;
        totalRam += _cmaBuddy.TotalSize;
        var pages = totalRam / Page / 8192;
        pages = Math.Min(pages, 1UL << _rules.MaxPageOrder);
        var poolSize = Math.Max(pages * Page, 128 * 1024UL);
        var order = 0;
        while ((Page << order) < poolSize) order++;
        order = Math.Min(order, _rules.MaxPageOrder);
        poolSize = Page << order;

        var dmaZone = _zones.FirstOrDefault(z => z.Name == "DMA");
        var dmaLimit = dmaZone?.Range?.End;
        var defEnd = def?.Range.Last ?? 0;
        Pool(poolSize, "GFP_KERNEL", true);
        var hasDma = _cfg.ZoneDma.Value && (!_rules.IsAtLeast(5, 17) || dmaZone?.Range is not null);
        if (hasDma) Pool(poolSize, "GFP_KERNEL|GFP_DMA", dmaLimit is { } dl && defEnd < dl);
        if (_cfg.ZoneDma32.Value) Pool(poolSize, "GFP_KERNEL|GFP_DMA32", defEnd <= Math.Max(uint.MaxValue, (dmaLimit ?? 1) - 1));
    }
}
