using Dtmem.Diagnosis.Boot;
using Dtmem.Layout.Model;
using Dtmem.Layout.Ranges;

namespace Dtmem.Diagnosis.Attribution;

/// <summary>
/// Every physical range the inputs know about, from the memory model (a DT run through the boot simulation) and from
/// boot evidence (/proc/iomem, a boot log, debugfs memblock), kept side by side: attribution reports each source.
/// </summary>
public sealed class RegionCatalogue
{
    private readonly List<KnownRegion> _regions = [];

    public IReadOnlyList<KnownRegion> Regions => _regions;

    public void Add(KnownRegion region)
    {
        if (!region.Range.IsEmpty) _regions.Add(region);
    }

    public void AddRange(IEnumerable<KnownRegion> regions)
    {
        foreach (var r in regions) Add(r);
    }

    /// <summary>Every region that holds the address, RAM last so the specific owners lead.</summary>
    public IReadOnlyList<KnownRegion> Containing(ulong address) =>
        [.. _regions.Where(r => r.Range.Contains(address)).OrderBy(r => r.Role == RegionRole.Ram).ThenBy(r => r.Range.Size)];

    public IEnumerable<KnownRegion> OfRole(params RegionRole[] roles) => _regions.Where(r => roles.Contains(r.Role));

    public bool HasRam => _regions.Any(r => r.Role == RegionRole.Ram);

    /// <summary>The regions the memory model predicts for a board: RAM banks, the kernel, initrd, DTB, /memreserve/,
    /// /reserved-memory nodes (CMA pools, no-map, failed reservations) and the default CMA area.</summary>
    public static IEnumerable<KnownRegion> FromModel(BootResult boot)
    {
        var banks = boot.Input.MemoryBanks;
        foreach (var m in boot.Memory)
        {
            var bank = banks.FirstOrDefault(b => b.Range.Overlaps(m));
            var source = bank?.Span is { } bs ? RegionSource.FromSpan(bs, $"reg of {bank.NodePath}")
                : new RegionSource("model", boot.Input.MemoryOverride?.Origin ?? "memory of the model");
            yield return new KnownRegion(RegionRole.Ram, bank?.NodePath ?? "RAM", m, source);
        }

        foreach (var o in boot.Owners)
        {
            var source = o.Span is { } s ? RegionSource.FromSpan(s, o.Origin) : new RegionSource("model", (o.IsAssumed ? "assumed: " : "") + o.Origin);
            switch (o.Kind)
            {
                case OwnerKind.Kernel:
                    yield return new KnownRegion(RegionRole.KernelImage, o.Name, o.Range, source);
                    break;
                case OwnerKind.Initrd:
                    yield return new KnownRegion(RegionRole.Initrd, o.Name, o.Range, source);
                    break;
                case OwnerKind.Dtb:
                    yield return new KnownRegion(RegionRole.Dtb, o.Name, o.Range, source);
                    break;
                case OwnerKind.MemReserve:
                    yield return new KnownRegion(RegionRole.MemReserve, o.Name, o.Range, source);
                    break;
                case OwnerKind.DefaultCma:
                    yield return new KnownRegion(RegionRole.DefaultCma, o.Name, o.Range, source) { Detail = "given to the page allocator as MIGRATE_CMA" };
                    break;
                case OwnerKind.ReservedRegion when o.Region is { } node:
                    yield return ModelRegion(boot, o, node, source);
                    break;
                default:
                    yield return new KnownRegion(RegionRole.Other, o.Name, o.Range, source);
                    break;
            }
        }
    }

    private static KnownRegion ModelRegion(BootResult boot, RegionOwner o, Layout.Inputs.ReservedRegionNode node, RegionSource source)
    {
        var outcome = boot.Regions.FirstOrDefault(r => r.Node == node);
        var cma = boot.CmaAreas.FirstOrDefault(c => c.Node == node && c.Range.Overlaps(o.Range));
        if (outcome?.Status is RegionStatus.ReserveFailed)
            return new KnownRegion(RegionRole.ReserveFailed, node.Path, o.Range, source) { Detail = outcome.Why ?? "the kernel could not reserve it" };
        if (cma is not null && cma.Activated != false)
            return new KnownRegion(RegionRole.CmaPool, node.Path, o.Range, source) { Detail = "reusable: its pages are given to the page allocator as MIGRATE_CMA" };
        if (node.NoMap)
            return new KnownRegion(RegionRole.NoMap, node.Path, o.Range, source) { Detail = "no-map: not in the linear map" };
        if (outcome?.Init is InitStatus.Failed)
            return new KnownRegion(RegionRole.ReserveFailed, node.Path, o.Range, source) { Detail = "init failed: the range was given back to the page allocator" };
        return new KnownRegion(RegionRole.Reserved, node.Path, o.Range, source) { Detail = node.Reusable ? "reusable" : null };
    }

    /// <summary>The regions a boot log, /proc/iomem or debugfs memblock dump shows.</summary>
    public static IEnumerable<KnownRegion> FromEvidence(BootEvidence ev)
    {
        var ranges = ev.Ranges;
        var ram = new RamIndex(ranges.Where(x => x.Kind == BootRangeKind.Iomem && x.Name == "System RAM").Select(x => x.Range));
        for (int i = 0; i < ranges.Count; i++)
        {
            var b = ranges[i];
            if (b.Range.Empty) continue;
            var r = b.Range.ToAddressRange();
            switch (b.Kind)
            {
                case BootRangeKind.Iomem:
                    yield return Iomem(ram, b, r);
                    break;
                case BootRangeKind.NodeRange:
                case BootRangeKind.MemblockDumpMemory:
                    yield return new KnownRegion(RegionRole.Ram, b.Name ?? "memory", r, RegionSource.FromLine("log", b.Source));
                    break;
                case BootRangeKind.DebugfsMemory:
                    yield return new KnownRegion(RegionRole.Ram, "memblock.memory", r, RegionSource.FromLine("debugfs", b.Source))
                    { Detail = b.Detail };
                    break;
                case BootRangeKind.DebugfsReserved:
                    yield return new KnownRegion(RegionRole.Reserved, "memblock.reserved", r, RegionSource.FromLine("debugfs", b.Source))
                    { Detail = b.Detail };
                    break;
                case BootRangeKind.MemblockDumpReserved:
                    yield return new KnownRegion(RegionRole.Reserved, "memblock.reserved", r, RegionSource.FromLine("log", b.Source));
                    break;
                case BootRangeKind.MemblockAdd when b.Caller is "early_init_dt_add_memory_arch" or "early_init_dt_add_memory":
                    yield return new KnownRegion(RegionRole.Ram, "memory (DT)", r, RegionSource.FromLine("log", b.Source));
                    break;
                case BootRangeKind.MemblockReserve:
                    yield return MemblockReserve(ranges, i, r);
                    break;
                case BootRangeKind.MemblockRemove when b.Caller is "early_init_dt_reserve_memory_arch" or "early_init_dt_reserve_memory":
                    yield return new KnownRegion(RegionRole.NoMap, "no-map region (DT)", r, RegionSource.FromLine("log", b.Source))
                    { Detail = "removed from memory: a /reserved-memory no-map region (5.4-5.11)" };
                    break;
                case BootRangeKind.CmaPool:
                    yield return new KnownRegion(RegionRole.CmaPool, b.Name ?? "CMA pool", r, RegionSource.FromLine("log", b.Source))
                    { Detail = "reusable: its pages are given to the page allocator as MIGRATE_CMA (size printed in whole MiB)" };
                    break;
                case BootRangeKind.DmaPool:
                case BootRangeKind.RestrictedDmaPool:
                    yield return new KnownRegion(RegionRole.DmaPool, b.Name ?? "DMA pool", r, RegionSource.FromLine("log", b.Source));
                    break;
                case BootRangeKind.ReservedMemRegion:
                    yield return RmemRegion(b, r);
                    break;
                case BootRangeKind.CmaReserved:
                    yield return new KnownRegion(RegionRole.DefaultCma, "default CMA area", r, RegionSource.FromLine("log", b.Source))
                    { Detail = "given to the page allocator as MIGRATE_CMA" };
                    break;
                case BootRangeKind.ReserveFailed:
                    yield return new KnownRegion(RegionRole.ReserveFailed, b.Name ?? "reserved-memory node", r, RegionSource.FromLine("log", b.Source))
                    { Detail = "the kernel failed to reserve it: the range stayed ordinary RAM" };
                    break;
                case BootRangeKind.Elfcorehdr:
                    yield return new KnownRegion(RegionRole.Reserved, "elfcorehdr", r, RegionSource.FromLine("log", b.Source));
                    break;
            }
        }
    }

    private static KnownRegion Iomem(RamIndex ram, BootRange b, AddressRange r)
    {
        // Dumps pasted into bug reports often lose their indentation: a `reserved` inside a System RAM range is its child.
        bool insideRam = ram.Contains(b.Range);
        var src = RegionSource.FromLine("iomem", b.Source);
        var name = b.Name ?? "";
        return name switch
        {
            "System RAM" => new KnownRegion(RegionRole.Ram, name, r, src),
            "Kernel code" => new KnownRegion(RegionRole.KernelCode, name, r, src) { Detail = "[_text, __init_begin): read-only in the linear map" },
            "Kernel data" => new KnownRegion(RegionRole.KernelData, name, r, src),
            // A top-level `reserved` is a NOMAP memblock.memory region (≥5.12); a child of System RAM is memblock.reserved.
            "reserved" when b.Depth == 0 && !insideRam => new KnownRegion(RegionRole.NoMap, name, r, src) { Detail = "top-level: NOMAP memory, not in the linear map" },
            "reserved" => new KnownRegion(RegionRole.Reserved, name, r, src),
            _ => new KnownRegion(RegionRole.Other, name, r, src),
        };
    }

    private static KnownRegion RmemRegion(BootRange b, AddressRange r)
    {
        var attrs = b.Detail ?? "";
        var src = RegionSource.FromLine("log", b.Source);
        var name = b.Name ?? "reserved-memory node";
        if (attrs.Contains("nomap", StringComparison.Ordinal))
            return new KnownRegion(RegionRole.NoMap, name, r, src) { Detail = attrs };
        if (attrs.Contains("reusable", StringComparison.Ordinal) && !attrs.Contains("non-reusable", StringComparison.Ordinal))
            return new KnownRegion(RegionRole.CmaPool, name, r, src) { Detail = attrs + ": its pages are given to the page allocator" };
        return new KnownRegion(RegionRole.Reserved, name, r, src) { Detail = attrs };
    }

    /// <summary>arm64_memblock_init reserves the initrd (after removing and re-adding its range) and the kernel image;
    /// a reservation there whose exact range was not removed just before is the kernel.</summary>
    private static KnownRegion MemblockReserve(IReadOnlyList<BootRange> ranges, int index, AddressRange r)
    {
        var b = ranges[index];
        var src = RegionSource.FromLine("log", b.Source);
        var caller = b.Caller;
        if (caller == "arm64_memblock_init")
        {
            bool removedBefore = false;
            for (int j = index - 1; j >= 0 && j >= index - 8; j--)
                if (ranges[j].Kind == BootRangeKind.MemblockRemove && ranges[j].Range == b.Range) removedBefore = true;
            return removedBefore
                ? new KnownRegion(RegionRole.Initrd, "initrd", r, src) { Inferred = true, Detail = "memblock_reserve by arm64_memblock_init after removing and re-adding the same range" }
                : new KnownRegion(RegionRole.KernelImage, "kernel image", r, src) { Inferred = true, Detail = "memblock_reserve by arm64_memblock_init: the kernel image [_text, _end)" };
        }
        if (caller is "early_init_dt_reserve_memory_arch" or "early_init_dt_reserve_memory" or "__reserved_mem_reserve_reg" or "fdt_scan_reserved_mem" or "fdt_reserve_elfcorehdr")
            return new KnownRegion(RegionRole.Reserved, "reserved-memory / memreserve (DT)", r, src) { Detail = "a static DT reservation" };
        return new KnownRegion(RegionRole.Reserved, caller is null ? "memblock_reserve" : "memblock_reserve by " + caller, r, src);
    }


    /// <summary>System RAM ranges sorted by start with a running maximum end: "is [s, e] inside one of them" in O(log n)
    /// (any range starting at or below s and ending at or above e contains it).</summary>
    private sealed class RamIndex
    {
        private readonly ulong[] _starts;
        private readonly ulong[] _maxEnds;

        public RamIndex(IEnumerable<PrintedRange> ranges)
        {
            var sorted = ranges.Where(x => !x.Empty).OrderBy(x => x.Start).ToArray();
            _starts = [.. sorted.Select(x => x.Start)];
            _maxEnds = new ulong[sorted.Length];
            ulong max = 0;
            for (int i = 0; i < sorted.Length; i++) _maxEnds[i] = max = Math.Max(max, sorted[i].EndInclusive);
        }

        public bool Contains(PrintedRange r)
        {
            int i = Array.BinarySearch(_starts, r.Start);
            if (i < 0) i = ~i - 1;
            else while (i + 1 < _starts.Length && _starts[i + 1] == r.Start) i++;
            return i >= 0 && _maxEnds[i] >= r.EndInclusive;
        }
    }
}
