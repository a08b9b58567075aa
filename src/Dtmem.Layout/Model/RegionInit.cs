using Dtmem.Layout.Inputs;
using Dtmem.Layout.Ranges;

namespace Dtmem.Layout.Model;

/// <summary>Dynamic placement (§2.3) and the init callbacks with their failure path (§2.4, §3).</summary>
internal sealed partial class Simulation
{
    private int? _defaultCma;

    /// <summary>__reserved_mem_alloc_size: returns the placed entry, or null (with the kernel's message) on failure.</summary>
    private RmemEntry? AllocateDynamic(ReservedRegionNode node)
    {
        RmemEntry? Fail(RegionStatus status, string why)
        {
            SetOutcome(node, o => o with { Status = status, Why = why });
            return null;
        }
        foreach (var m in node.Malformed)
        {
            var (text, why) = m.Name switch
            {
                "size" => ($"invalid size property in '{node.Name}' node.", "size has the wrong length"),
                "alignment" => ($"invalid alignment property in '{node.Name}' node.", "alignment has the wrong length (it takes #address-cells)"),
                "alloc-ranges" => ($"invalid alloc-ranges property in '{node.Name}', skipping node.", "alloc-ranges is not a whole number of (address, size) pairs"),
                _ => (null, null),
            };
            if (text is null) continue;
            Emit("__reserved_mem_alloc_size", BootEventKind.InvalidProperty, null, RmemPrefix + text, KernelLogLevel.Error, subject: node.Name);
            return Fail(RegionStatus.Malformed, why!);
        }
        var size = node.Size ?? 0;
        var align = node.Alignment ?? 0;
        if (_cfg.Cma.Value && node.IsSharedDmaPool && node.Reusable && !node.NoMap)
            align = Math.Max(align, _rules.CmaMinAlignment);
        SetOutcome(node, o => o with { EffectiveAlignment = align == 0 ? 64 : align });
        if (!_memoryKnown)
            return Fail(RegionStatus.NotPlacedMemoryUnknown, "no memory is known, so the placement cannot be predicted");

        ulong placed = 0;
        if (node.HasAllocRanges)
        {
            foreach (var ar in node.AllocRanges)
            {
                var end = ar.Range.End;
                if (AllocInRange(size, align, ar.Base, end, node) is { } b) { placed = b; break; }
            }
        }
        else if (AllocArch(size, align, 0, 0, node, null) is { } b)
        {
            placed = b;
        }

        // The kernel treats base 0 as failure, whatever the allocator said.
        if (placed == 0)
        {
            var line = _rules.IsAtLeast(6, 0)
                ? $"{RmemPrefix}failed to allocate memory for node '{node.Name}': size {SizeText.KernelMiB(size)} MiB"
                : $"{RmemPrefix}failed to allocate memory for node '{node.Name}'";
            Emit("__reserved_mem_alloc_size", BootEventKind.RegionAllocFailed, null, line,
                _rules.IsAtLeast(6, 0) ? KernelLogLevel.Error : KernelLogLevel.Info, subject: node.Name);
            return Fail(RegionStatus.AllocFailed, $"no free {SizeText.Human(align)}-aligned block of {SizeText.Human(size)} in the allowed ranges");
        }
        var range = AddressRange.FromStartSizeSaturating(placed, size);
        Emit("__reserved_mem_alloc_size", BootEventKind.RegionAllocated, range,
            $"{RmemPrefix}allocated memory for '{node.Name}' node: base {Pa(placed)}, size {SizeText.KernelMiB(size)} MiB", KernelLogLevel.Debug, true, node.Name);
        AddOwner(new RegionOwner(OwnerKind.ReservedRegion, node.Name, range, $"dynamic placement of {node.Path}", false, node.SizeSpan ?? node.Span, node));
        SetOutcome(node, o => o with { Status = RegionStatus.Allocated, Range = range, ReservedTuples = [range] });
        return new RmemEntry(node, placed, size);
    }

    /// <summary>__reserved_mem_alloc_in_range: ≥6.4 goes bottom-up when the range starts at an existing region, top-down when it ends at one.</summary>
    private ulong? AllocInRange(ulong size, ulong align, ulong start, ulong end, ReservedRegionNode node)
    {
        bool? bottomUp = null;
        if (_rules.AllocRangeHeuristic)
        {
            bool bu = false, td = false;
            foreach (var e in _array)
            {
                if (e.Size == 0) continue;
                var eEnd = e.Base + e.Size;
                if (start >= e.Base && start <= eEnd) bu = true;
                if (end >= e.Base && end <= eEnd) td = true;
            }
            if (bu != td) bottomUp = bu;
        }
        return AllocArch(size, align, start, end, node, bottomUp);
    }

    /// <summary>early_init_dt_alloc_reserved_memory_arch.</summary>
    private ulong? AllocArch(ulong size, ulong align, ulong start, ulong end, ReservedRegionNode node, bool? bottomUp)
    {
        end = end == 0 ? ulong.MaxValue : end;
        align = align == 0 ? 64 : align;
        const string Caller = "early_init_dt_alloc_reserved_memory_arch";
        if (_rules.DynamicUsesPhysAlloc)
        {
            var b = MbAlloc(size, align, start, end, bottomUp ?? false, Caller, node.Name);
            if (b is { } got && node.NoMap) MbMarkNoMap(AddressRange.FromStartSizeSaturating(got, size), node.Name);
            return b;
        }
        var found = _mb.Find(size, align, start, end, bottomUp ?? false, Page);
        if (found is not { } f) return null;
        var r = AddressRange.FromStartSizeSaturating(f, size);
        if (!node.NoMap) MbReserve(r, Caller, node.Name);
        else if (_rules.NoMapRemoves)
        {
            foreach (var x in _mb.Memory.Intersect(r)) _removedByNoMap.Add(x);
            MbRemove(r, Caller);
        }
        else MbMarkNoMap(r, node.Name);
        return f;
    }

    /// <summary>__reserved_mem_init_node plus the result handling of fdt_init_reserved_mem(_node).</summary>
    private void InitNode(RmemEntry e)
    {
        var node = e.Node;
        var ret = ENOENT;
        string? detail = null, firstFailure = null;
        foreach (var (compat, fn) in InitTable())
        {
            if (!node.IsCompatible(compat)) continue;
            (ret, detail) = fn(e);
            // The kernel keeps the last return code; the first refusal explains the failure best.
            if (ret != 0) firstFailure ??= detail;
            if (ret == 0)
            {
                Emit("__reserved_mem_init_node", BootEventKind.InitSucceeded, e.Range, $"{RmemPrefix}initialized node {node.Name}, compatible id {compat}",
                    KernelLogLevel.Info, subject: node.Name);
                break;
            }
        }
        if (ret != 0 && ret != ENOENT)
        {
            detail = firstFailure;
            Emit("fdt_init_reserved_mem", BootEventKind.InitFailed, e.Range, $"{RmemPrefix}node {node.Name} compatible matching fail", KernelLogLevel.Info,
                subject: node.Name, note: detail);
            var caller = _rules.InitDuringScan ? "fdt_init_reserved_mem_node" : "fdt_init_reserved_mem";
            if (!_rules.FreeIsPhysFree)
            {
                MbFree(e.Range, caller, node.Name);
                if (node.NoMap)
                {
                    MbAdd(e.Range, caller);
                    _removedByNoMap.Remove(e.Range);
                }
            }
            else if (node.NoMap) MbClearNoMap(e.Range, node.Name);
            else MbFree(e.Range, caller, node.Name);
            SetOutcome(node, o => o with { Init = InitStatus.Failed, InitDetail = detail, ReleasedRange = e.Range });
            return;
        }
        if (_rules.PrintsRegionSummary)
            Emit("fdt_init_reserved_mem_node", BootEventKind.RegionSummary, e.Range,
                $"{RmemPrefix}{e.Range.ToDotDotString()} ({SizeText.KernelKiB(e.Size)} KiB) {(node.NoMap ? "nomap" : "map")} {(node.Reusable ? "reusable" : "non-reusable")} {node.Name}",
                KernelLogLevel.Info, subject: node.Name);
        SetOutcome(node, o => o with { Init = ret == 0 ? InitStatus.Succeeded : InitStatus.NoMatch, InitDetail = detail });
    }

    /// <summary>The link-ordered __reservedmem_of_table entries this kernel has (§2.4).</summary>
    private IEnumerable<(string Compat, Func<RmemEntry, (int, string?)> Fn)> InitTable()
    {
        if (_cfg.Cma.Value && _cfg.DmaCma.Value) yield return ("shared-dma-pool", CmaSetup);
        yield return ("shared-dma-pool", DmaCoherentSetup);
        if (_rules.HasRestrictedPool && _cfg.DmaRestrictedPool.Value) yield return ("restricted-dma-pool", RestrictedPoolSetup);
    }

    /// <summary>rmem_cma_setup.</summary>
    private (int, string?) CmaSetup(RmemEntry e)
    {
        var node = e.Node;
        if (_rules.CmdlineCmaBypassesDt && _cmdline.CmaSize is not null && node.CmaDefault)
        {
            Emit("rmem_cma_setup", BootEventKind.InitBypassed, e.Range, $"Reserved memory: bypass {node.Name} node, using cmdline CMA params instead",
                KernelLogLevel.Info, subject: node.Name);
            return (EBUSY, $"bypassed: {_cmdline.CmaText} on the command line replaces the DT default CMA");
        }
        if (!node.Reusable || node.NoMap) return (EINVAL, node.NoMap && node.Reusable ? "reusable together with no-map" : "not reusable");
        if (((e.Base | e.Size) & (_rules.CmaMinAlignment - 1)) != 0)
        {
            Emit("rmem_cma_setup", BootEventKind.InitFailed, e.Range, "Reserved memory: incorrect alignment of CMA region", KernelLogLevel.Error, subject: node.Name);
            return (EINVAL, $"not aligned to {SizeText.Human(_rules.CmaMinAlignment)} ({_rules.CmaAlignmentRule})");
        }
        var err = CmaInitReservedMem(e.Range, node.Name, node, CmaSource.DeviceTree);
        if (err != 0)
        {
            Emit("rmem_cma_setup", BootEventKind.InitFailed, e.Range, "Reserved memory: unable to setup CMA region", KernelLogLevel.Error, subject: node.Name);
            return (err, err == ENOSPC ? $"no free CMA slot ({_rules.CmaSlotsRule})" : "cma_init_reserved_mem refused the range");
        }
        if (node.CmaDefault) _defaultCma = _cma.Count - 1;
        Emit("rmem_cma_setup", BootEventKind.CmaDeclared, e.Range, $"Reserved memory: created CMA memory pool at {Pa(e.Base)}, size {SizeText.KernelMiB(e.Size)} MiB",
            KernelLogLevel.Info, subject: node.Name);
        return (0, "cma");
    }

    /// <summary>cma_init_reserved_mem (§4.1): slot, size, "any byte reserved", alignment.</summary>
    private int CmaInitReservedMem(AddressRange r, string name, ReservedRegionNode? node, CmaSource source)
    {
        if (_cma.Count == _rules.CmaSlots)
        {
            Emit("cma_init_reserved_mem", BootEventKind.CmaSlotsExhausted, r, "cma: Not enough slots for CMA reserved regions!", KernelLogLevel.Error, subject: name);
            return ENOSPC;
        }
        if (r.IsEmpty || !_mb.Reserved.Overlaps(r)) return EINVAL;
        if (((r.Start | r.Size) & (_rules.CmaMinAlignment - 1)) != 0) return EINVAL;
        _cma.Add(new CmaArea { Name = name, Range = r, Source = source, Node = node });
        return 0;
    }

    /// <summary>rmem_dma_setup (arm64: no-map optional).</summary>
    private (int, string?) DmaCoherentSetup(RmemEntry e)
    {
        if (e.Node.Reusable) return (EINVAL, e.Node.NoMap ? "reusable together with no-map: neither CMA nor a coherent pool accepts it" : "a coherent pool cannot be reusable");
        Emit("rmem_dma_setup", BootEventKind.Note, e.Range, $"Reserved memory: created DMA memory pool at {Pa(e.Base)}, size {SizeText.KernelMiB(e.Size)} MiB",
            KernelLogLevel.Info, subject: e.Node.Name);
        return (0, "dma-coherent");
    }

    /// <summary>rmem_swiotlb_setup (≥5.15).</summary>
    private (int, string?) RestrictedPoolSetup(RmemEntry e)
    {
        var n = e.Node;
        if (n.Reusable || n.CmaDefault || n.DmaDefault || n.NoMap)
            return (EINVAL, "restricted-dma-pool rejects reusable, no-map, linux,cma-default and linux,dma-default");
        Emit("rmem_swiotlb_setup", BootEventKind.Note, e.Range, $"Reserved memory: created restricted DMA pool at {Pa(e.Base)}, size {SizeText.KernelMiB(e.Size)} MiB",
            KernelLogLevel.Info, subject: n.Name);
        return (0, "restricted-dma");
    }
}
