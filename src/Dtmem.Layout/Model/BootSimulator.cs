using Dtmem.Kernel.Config;
using Dtmem.Kernel.Placement;
using Dtmem.Layout.Inputs;
using Dtmem.Layout.Ranges;

namespace Dtmem.Layout.Model;

/// <summary>
/// Simulates what an arm64 kernel does with physical memory from reading the FDT until the CMA areas are live
/// (kernel-memory-spec §1.2, §2–§4, §8), per version family. Pure: no I/O, same input gives the same result.
/// </summary>
public static class BootSimulator
{
    public static BootResult Run(LayoutInput input)
    {
        var sim = new Simulation(input);
        return sim.Run();
    }
}

/// <summary>The state of one simulated boot. Phases live in partial files by subsystem.</summary>
internal sealed partial class Simulation
{
    private readonly LayoutInput _in;
    private readonly KernelRules _rules;
    private readonly MemoryKconfig _cfg;
    private readonly CmdlineOptions _cmdline;
    private readonly Memblock _mb = new();
    private readonly List<BootEvent> _events = [];
    private readonly List<RegionOwner> _owners = [];
    private readonly List<string> _assumptions = [];
    private readonly Dictionary<ReservedRegionNode, RegionOutcome> _outcomes = [];
    private readonly List<CmaArea> _cma = [];
    private readonly RangeSet _removedByNoMap = new();
    private readonly List<Zone> _zones = [];
    private BootPhase _phase;
    private bool _memoryKnown;
    private RegionOwner? _kernel;
    private AddressRange? _kernelReservation;
    private ulong? _dmaLimit;
    private RangeSet _ramAfterInit = new();
    private string? _crash;

    public Simulation(LayoutInput input)
    {
        _in = input;
        _rules = KernelRules.For(input.Kernel);
        _cfg = input.Kernel.EffectiveConfig;
        _cmdline = ParseCmdline(input.EffectiveCmdline);
    }

    /// <summary>
    /// The cma=/mem= in effect. A value the Kernel layer rejects (no number, beyond 2^64) is set aside with an
    /// assumption rather than failing the whole board: the kernel would read it as 0 or wrap it.
    /// </summary>
    private CmdlineOptions ParseCmdline(Fact<string>? cmdline)
    {
        if (cmdline is null) return new CmdlineOptions();
        try
        {
            return CmdlineOptions.Parse(cmdline.Value, _rules.PageSize, cmdline.Origin);
        }
        catch (KernelInputException e)
        {
            _assumptions.Add($"command line not modelled ({e.Source}{(e.Location.Length > 0 ? " " + e.Location : "")}: {e.Problem}): its cma= and mem= are ignored");
            return new CmdlineOptions();
        }
    }

    private ulong Page => (ulong)_rules.PageSize;

    public BootResult Run()
    {
        if (_in.Kernel.Version.IsAssumed) _assumptions.Add($"kernel version {_in.Kernel.Version.Value} ({_in.Kernel.Version.Origin})");
        if (_rules.FamilyAssumption is { } fa) _assumptions.Add(fa);
        SetupMachineFdt();
        Arm64MemblockInit();
        _ramAfterInit = _mb.Memory.Clone();
        ScanReservedMemory();
        if (!_rules.InitDuringScan) InitReservedMemory();
        if (!_rules.DefaultCmaInBootmem) DmaContiguousReserve();
        PagingInit();
        if (_rules.InitDuringScan) UnflattenDeviceTree();
        BootmemInit();
        if (_rules.DefaultCmaInBootmem)
        {
            EarlyKernelAllocations();
            DmaContiguousReserve();
        }
        ActivateCmaAreas();
        if (_crash is null) AtomicPools();

        return new BootResult
        {
            Input = _in,
            Rules = _rules,
            Events = _events,
            Map = PhysMapBuilder.Build(_mb, _removedByNoMap, _cmaBuddy, _cmaOrdinary, _owners, _memoryKnown),
            Regions = _in.Regions.Select(r => _outcomes.TryGetValue(r, out var o) ? o : new RegionOutcome { Node = r, Status = RegionStatus.IgnoredByRoot }).ToList(),
            CmaAreas = _cma,
            Owners = _owners,
            Zones = _zones,
            MemoryKnown = _memoryKnown,
            Memory = _ramAfterInit.Ranges.ToList(),
            Reserved = _mb.Reserved.Ranges.ToList(),
            NoMap = _mb.NoMap.Ranges.ToList(),
            DmaLimit = _dmaLimit,
            Cmdline = _cmdline,
            KernelImage = _kernel,
            PredictedCrash = _crash,
            Assumptions = _assumptions,
        };
    }

    // ---- event helpers -------------------------------------------------------------------------------

    private void Emit(string function, BootEventKind kind, AddressRange? range, string? line, KernelLogLevel level,
        bool debugOnly = false, string? subject = null, string? note = null) =>
        _events.Add(new BootEvent(_events.Count, _phase, function, kind, range, line, level, debugOnly, _rules.Family, subject, note));

    private static string Pa(ulong a) => AddressRange.Pa(a);

    /// <summary>
    /// memblock=debug is an early parameter, parsed after setup_machine_fdt: the memory and DTB calls made
    /// before it print nothing (real 6.1/6.12 logs start with arm64_memblock_init's lines).
    /// </summary>
    private string? MemblockLine(string text) => _phase == BootPhase.SetupMachineFdt ? null : text;

    private void MbAdd(AddressRange r, string caller)
    {
        Emit("memblock_add", BootEventKind.MemblockAdd, r, MemblockLine($"memblock_add: {r.ToKernelString()} {caller}"), KernelLogLevel.Info, true);
        _mb.Add(r);
    }

    private void MbRemove(AddressRange r, string caller)
    {
        Emit("memblock_remove", BootEventKind.MemblockRemove, r, $"memblock_remove: {r.ToKernelString()} {caller}", KernelLogLevel.Info, true);
        _mb.Remove(r);
    }

    private void MbReserve(AddressRange r, string caller, string? subject = null)
    {
        Emit("memblock_reserve", BootEventKind.MemblockReserve, r, MemblockLine($"memblock_reserve: {r.ToKernelString()} {caller}"), KernelLogLevel.Info, true, subject);
        _mb.Reserve(r);
    }

    private void MbFree(AddressRange r, string caller, string? subject = null)
    {
        var fn = _rules.FreeFunction;
        // Before memblock's debug lines used __func__ (5.11), memblock_free's was indented by three spaces (5.4 source).
        var label = _rules.IsAtLeast(5, 11) ? fn : "   " + fn;
        Emit(fn, BootEventKind.MemblockFree, r, $"{label}: {r.ToKernelString()} {caller}", KernelLogLevel.Info, true, subject);
        _mb.Free(r);
    }

    private void MbMarkNoMap(AddressRange r, string? subject)
    {
        // memblock_mark_nomap prints nothing, even with memblock=debug.
        Emit("memblock_mark_nomap", BootEventKind.MemblockMarkNomap, r, null, KernelLogLevel.Info, false, subject);
        _mb.MarkNoMap(r);
    }

    private void MbClearNoMap(AddressRange r, string? subject)
    {
        Emit("memblock_clear_nomap", BootEventKind.MemblockClearNomap, r, null, KernelLogLevel.Info, false, subject);
        _mb.ClearNoMap(r);
    }

    /// <summary>memblock_phys_alloc_range / memblock_alloc_range_nid: find, then reserve.</summary>
    private ulong? MbAlloc(ulong size, ulong align, ulong start, ulong end, bool bottomUp, string caller, string? subject)
    {
        var shownEnd = end == ulong.MaxValue ? ulong.MaxValue : end;
        Emit("memblock_phys_alloc_range", BootEventKind.MemblockAlloc, null,
            $"memblock_phys_alloc_range: {size} bytes align=0x{align:x} from={Pa(start)} max_addr={Pa(shownEnd)} {caller}", KernelLogLevel.Info, true, subject);
        var found = _mb.Find(size, align, start, end, bottomUp, Page);
        if (found is { } b) MbReserve(AddressRange.FromStartSizeSaturating(b, size), "memblock_alloc_range_nid", subject);
        return found;
    }

    private void AddOwner(RegionOwner o)
    {
        if (!o.Range.IsEmpty) _owners.Add(o);
    }

    // ---- setup_machine_fdt / early_init_dt_scan ------------------------------------------------------

    private void SetupMachineFdt()
    {
        _phase = BootPhase.SetupMachineFdt;
        if (_in.Dtb is { } dtb)
        {
            MbReserve(dtb.Value, "setup_machine_fdt", "dtb");
            AddOwner(new RegionOwner(OwnerKind.Dtb, "device tree blob", dtb.Value, dtb.Origin, dtb.IsAssumed, null));
        }

        if (_in.MemoryOverride is { } mo)
        {
            foreach (var r in mo.Value) AddMemoryBlock(r.Start, r.Size);
            _memoryKnown = _mb.Memory.TotalSize > 0;
            return;
        }
        foreach (var bank in _in.MemoryBanks)
        {
            // 6.12 skips unavailable memory nodes; 5.4 does not look at status (§1.2).
            if (!bank.Available && _rules.IsAtLeast(5, 5)) continue;
            AddMemoryBlock(bank.Cells.Base, bank.Cells.Size);
        }
        _memoryKnown = _mb.Memory.TotalSize > 0;
        if (!_memoryKnown)
            _assumptions.Add("no memory bank with a size is described (the bootloader fills it in): checks that need RAM are skipped");
    }

    /// <summary>early_init_dt_add_memory_arch: base rounded up, size down, to whole pages.</summary>
    private void AddMemoryBlock(ulong base_, ulong size)
    {
        if (size == 0) return;
        var off = base_ & (Page - 1);
        // Less than what is left of the first page (a whole page when aligned) is dropped with a warning.
        if (size < Page - off)
        {
            Emit("early_init_dt_add_memory_arch", BootEventKind.MemoryIgnored, null,
                $"OF: fdt: Ignoring memory block 0x{base_:x} - 0x{unchecked(base_ + size):x}", KernelLogLevel.Warning);
            return;
        }
        if (off != 0)
        {
            size -= Page - off;
            base_ = AddressRange.AlignUp(base_, Page, out _);
        }
        size &= ~(Page - 1);
        if (size == 0) return;
        MbAdd(AddressRange.FromStartSizeSaturating(base_, size), "early_init_dt_add_memory_arch");
    }

    // ---- arm64_memblock_init -------------------------------------------------------------------------

    private void Arm64MemblockInit()
    {
        _phase = BootPhase.Arm64MemblockInit;
        // early_mem prints this while parse_early_param runs, before arm64_memblock_init, whether or not anything is cut.
        if (_cmdline.MemLimit is { } announced)
            Emit("early_mem", BootEventKind.Note, null, $"Memory limited to {announced >> 20}MB", KernelLogLevel.Notice);
        // memblock_remove(1 << PHYS_MASK_SHIFT, ULLONG_MAX), then the linear-map cut at memstart + 2^47
        // (48-bit VA), never below _end. Both print base + ULLONG_MAX - 1, which wraps (seen in real logs).
        const ulong PaLimit = 1UL << 48, LinearSize = 1UL << 47, MemstartAlign = 1UL << 30;
        RemoveToTop(PaLimit);
        if (_mb.Memory.Min is { } dramStart)
        {
            var linearEnd = AddressRange.AlignDown(dramStart, MemstartAlign) + LinearSize;
            RemoveToTop(Math.Max(linearEnd, KernelRange()?.End ?? 0));
        }

        var k = KernelRange();
        if (_cmdline.MemLimit is { } limit)
        {
            if (limit != 0 && _memoryKnown && FindMaxAddr(limit) is { } cut)
            {
                var above = new AddressRange(cut, ulong.MaxValue);
                _mb.Remove(above);
                _mb.Free(above);
                Emit("memblock_mem_limit_remove_map", BootEventKind.MemoryLimited, above, null, KernelLogLevel.Info,
                    note: $"{_cmdline.MemText}: RAM above {Pa(cut)} removed before /reserved-memory is read");
                if (k is { } kr) MbAdd(kr, "arm64_memblock_init");
            }
        }

        if (_in.Initrd is { } initrd && !initrd.Value.IsEmpty)
        {
            var b = AddressRange.AlignDown(initrd.Value.Start, Page);
            var e = AddressRange.AlignUp(initrd.Value.End, Page, out var ovf);
            var r = new AddressRange(b, ovf ? ulong.MaxValue : e);
            // The linear-map reachability test (§1.2 step 5) only matters when RAM is known.
            if (_memoryKnown && r.Start < (_mb.Memory.Min ?? 0))
            {
                Emit("arm64_memblock_init", BootEventKind.InitrdDropped, r,
                    "initrd not fully accessible via the linear mapping -- please check your bootloader ...", KernelLogLevel.Warning);
            }
            else
            {
                if (!_rules.IsAtLeast(5, 5)) MbRemove(r, "arm64_memblock_init");
                MbAdd(r, "arm64_memblock_init");
                if (_rules.IsAtLeast(5, 5)) _mb.ClearNoMap(r);
                MbReserve(r, "arm64_memblock_init", "initrd");
                AddOwner(new RegionOwner(OwnerKind.Initrd, "initrd", r, initrd.Origin, initrd.IsAssumed, _in.InitrdSpan));
            }
        }

        if (k is { } image)
        {
            var t = _in.Kernel.TextAddress!;
            var reserveFrom = image;
            if (KernelPlacement.ReservationStartFor(t, _in.Kernel.Release) is { } rs && rs.Value > image.Start && rs.Value < image.End)
            {
                reserveFrom = new AddressRange(rs.Value, image.End);
                _assumptions.Add($"the image is reserved from {rs.Origin}");
            }
            MbReserve(reserveFrom, "arm64_memblock_init", "kernel");
            _kernelReservation = reserveFrom;
            var s = _in.Kernel.ImageSize!;
            var origin = $"_text {SizeText.Hex(t.Value)} ({t.Origin}), size {SizeText.Hex(s.Value)} ({s.Origin})";
            _kernel = new RegionOwner(OwnerKind.Kernel, "kernel image", image, origin, t.IsAssumed || s.IsAssumed, null);
            AddOwner(_kernel);
            if (t.IsAssumed) _assumptions.Add($"kernel placement guessed: {origin}");
        }
        else
        {
            _assumptions.Add("kernel placement unknown: overlaps with the kernel image are not checked");
        }
    }

    // ---- paging_init -----------------------------------------------------------------------------------

    /// <summary>Once the final page tables are live, the early ones at the end of the image go back to memblock (6.1, measured).</summary>
    private void PagingInit()
    {
        _phase = BootPhase.PagingInit;
        if (_kernelReservation is not { } reserved || KernelPlacement.PagingInitFreedTail(_in.Kernel.Release.Value, _cfg) is not { } tail
            || tail.Value >= reserved.Size) return;
        MbFree(new AddressRange(reserved.End - tail.Value, reserved.End), "paging_init", "kernel");
        if (tail.IsAssumed) _assumptions.Add($"paging_init gives back the last {SizeText.Hex(tail.Value)} of the image reservation ({tail.Origin})");
    }

    private void RemoveToTop(ulong base_)
    {
        Emit("memblock_remove", BootEventKind.MemblockRemove, new AddressRange(base_, ulong.MaxValue),
            $"memblock_remove: [{Pa(base_)}-{Pa(unchecked(base_ + ulong.MaxValue - 1))}] arm64_memblock_init", KernelLogLevel.Info, true);
        _mb.Remove(new AddressRange(base_, ulong.MaxValue));
    }

    private AddressRange? KernelRange()
    {
        if (_in.Kernel.TextAddress is not { } t || _in.Kernel.ImageSize is not { } s) return null;
        return AddressRange.FromStartSizeSaturating(t.Value, s.Value);
    }

    /// <summary>__find_max_addr: the address where the first <paramref name="limit"/> bytes of RAM, counted across banks, end.</summary>
    private ulong? FindMaxAddr(ulong limit)
    {
        foreach (var r in _mb.Memory.Ranges)
        {
            if (limit <= r.Size) return r.Start + limit;
            limit -= r.Size;
        }
        return null;
    }

    // ---- bootmem_init: zones ---------------------------------------------------------------------------

    private void BootmemInit()
    {
        _phase = BootPhase.BootmemInit;
        if (!EnsureZones() || _mb.Memory.Min is not { } start || _mb.Memory.Max is not { } end) return;
        Emit("zone_sizes_init", BootEventKind.ZoneRanges, null, "Zone ranges:", KernelLogLevel.Info);
        foreach (var z in _zones)
            Emit("zone_sizes_init", BootEventKind.ZoneRanges, z.Range,
                $"  {z.Name,-8} " + (z.Range is { } r ? r.ToMemString() : "empty"), KernelLogLevel.Info);
        Emit("free_area_init", BootEventKind.ZoneRanges, null, "Movable zone start for each node", KernelLogLevel.Info);
        Emit("free_area_init", BootEventKind.ZoneRanges, null, "Early memory node ranges", KernelLogLevel.Info);
        foreach (var piece in MemoryRegionsWithFlags())
            Emit("free_area_init", BootEventKind.ZoneRanges, piece, $"  node   0: {piece.ToMemString()}", KernelLogLevel.Info);
        Emit("free_area_init", BootEventKind.ZoneRanges, new AddressRange(start, end),
            $"Initmem setup node 0 {new AddressRange(start, end).ToMemString()}", KernelLogLevel.Info);
    }

    /// <summary>
    /// The memblock allocations between paging_init and dma_contiguous_reserve that decide where the default CMA
    /// lands from 5.11 on: page tables (one page stands for them: they push the next 2 MiB-aligned block down) and
    /// sparse_init's memmap buffer, sizeof(struct page) = 64 bytes per page of every present section, aligned to
    /// section_map_size (real 6.1/6.12 logs: 8 MiB at [0x5f600000-0x5fdfffff] for 512 MiB, then CMA right below).
    /// </summary>
    private void EarlyKernelAllocations()
    {
        if (!_memoryKnown || _mb.Memory.Min is not { } start) return;
        if (_mb.Find(Page, Page, 0, ulong.MaxValue, false, Page) is { } pt)
            MbReserve(new AddressRange(pt, pt + Page), "memblock_alloc_range_nid", "page tables");
        var sectionBits = _rules.IsAtLeast(5, 12) ? (Page == 65536 ? 29 : 27) : 30;
        var sectionSize = 1UL << sectionBits;
        // Present sections, counted by arithmetic over the sorted ranges (a section two ranges share counts once):
        // enumerating them would take millions of steps for a hostile bank of petabytes.
        ulong sections = 0;
        ulong? lastCounted = null;
        foreach (var m in _mb.Memory.Ranges) // sorted, disjoint, never empty
        {
            var first = m.Start >> sectionBits;
            var last = (m.End - 1) >> sectionBits;
            if (lastCounted is { } lc && first <= lc) first = lc + 1;
            if (first <= last) sections += last - first + 1;
            lastCounted = last;
        }
        const ulong PmdSize = 2UL << 20;
        var perSection = AddressRange.AlignUp(sectionSize / Page * 64, Page == 4096 ? PmdSize : Page, out _);
        var size = perSection * sections;
        if (_mb.Find(size, perSection, start, ulong.MaxValue, false, Page) is { } mm)
            MbReserve(new AddressRange(mm, mm + size), "memblock_alloc_range_nid", "memmap");
    }

    /// <summary>Computes the zones and the default-CMA limit once memory is final (§1.3). False when RAM is unknown.</summary>
    private bool EnsureZones()
    {
        if (_zones.Count > 0) return true;
        if (!_memoryKnown || _mb.Memory.Min is not { } start || _mb.Memory.Max is not { } end) return false;

        ulong? dmaEnd = null, dma32End = null;
        if (!_rules.IsAtLeast(5, 5))
        {
            if (_cfg.ZoneDma32.Value) dma32End = MaxZonePhysOffset(start, end, 32);
        }
        else if (!_rules.IsAtLeast(5, 11))
        {
            if (_cfg.ZoneDma.Value) dmaEnd = MaxZonePhysOffset(start, end, 30);
            if (_cfg.ZoneDma32.Value) dma32End = MaxZonePhysOffset(start, end, 32);
        }
        else
        {
            var limit32 = _rules.IsAtLeast(6, 12) ? MaxZonePhys612(start, end) : MaxZonePhysOffset(start, end, 32);
            if (_cfg.ZoneDma.Value) dmaEnd = limit32;
            if (_cfg.ZoneDma32.Value) dma32End = limit32;
        }

        var cursor = start;
        void Add(string name, ulong? zoneEnd)
        {
            AddressRange? range = null;
            if (zoneEnd is { } ze && ze > cursor) { range = new AddressRange(cursor, ze); cursor = ze; }
            _zones.Add(new Zone(name, range));
        }
        if (_cfg.ZoneDma.Value && _rules.IsAtLeast(5, 5)) Add("DMA", dmaEnd);
        if (_cfg.ZoneDma32.Value) Add("DMA32", dma32End);
        Add("Normal", end);

        // The limit dma_contiguous_reserve gets: ZONE_DMA32 in 5.4, ZONE_DMA after (§1.3).
        _dmaLimit = !_rules.IsAtLeast(5, 5) ? dma32End : (dmaEnd ?? dma32End);
        return true;
    }

    /// <summary>The zone holding <paramref name="address"/>, or null.</summary>
    private Zone? ZoneOf(ulong address) => _zones.FirstOrDefault(z => z.Range is { } r && r.Contains(address));

    /// <summary>memblock.memory regions as memblock keeps them: split where the NOMAP flag changes.</summary>
    private List<AddressRange> MemoryRegionsWithFlags()
    {
        var list = new List<AddressRange>();
        foreach (var m in _mb.Memory.Ranges)
        {
            var cuts = new SortedSet<ulong> { m.Start, m.End };
            foreach (var n in _mb.NoMap.Intersect(m)) { cuts.Add(n.Start); cuts.Add(n.End); }
            var arr = cuts.ToArray();
            for (var i = 0; i + 1 < arr.Length; i++) list.Add(new AddressRange(arr[i], arr[i + 1]));
        }
        return list;
    }

    /// <summary>5.x max_zone_phys(bits): the zone window starts at DRAM start rounded down to the zone size.</summary>
    private static ulong MaxZonePhysOffset(ulong dramStart, ulong dramEnd, int bits)
    {
        var window = 1UL << bits;
        var offset = dramStart & ~(window - 1);
        return Math.Min(offset + window, dramEnd);
    }

    /// <summary>6.12 max_zone_phys(U32_MAX): no limit when DRAM starts above 4 GiB.</summary>
    private static ulong MaxZonePhys612(ulong dramStart, ulong dramEnd)
    {
        ulong zoneLimit = dramStart > uint.MaxValue ? ulong.MaxValue : uint.MaxValue;
        return Math.Min(zoneLimit, dramEnd - 1) + 1;
    }
}
