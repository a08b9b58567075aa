using Dtmem.Kernel.Versions;
using Dtmem.Layout.Inputs;
using Dtmem.Layout.Model;
using Dtmem.Layout.Ranges;

namespace Dtmem.Layout.Checks;

/// <summary>A CMA area whose pages went to the buddy allocator overlaps something another owner still needs.</summary>
public abstract class CmaOverlapCheck : Check
{
    public override Severity DefaultSeverity => Severity.Error;

    protected abstract bool Targets(RegionOwner other);

    /// <summary>What happens to the other owner's pages, in one sentence.</summary>
    protected abstract string Consequence { get; }

    public override IEnumerable<Finding> Run(BootResult result)
    {
        foreach (var area in result.CmaAreas)
        {
            var handed = result.Map.In(area.Range).Where(p => p.State == PageState.CmaInBuddy).ToList();
            if (handed.Count == 0) continue;
            foreach (var other in result.Owners.Where(o => Targets(o) && (o.Region is null || o.Region != area.Node)))
            {
                var overlap = area.Range.Intersect(other.Range);
                if (overlap.IsEmpty || !handed.Any(p => p.Range.Overlaps(overlap))) continue;
                var who = area.Node is { } n ? $"reusable CMA region {n.Path}" : $"CMA area '{area.Name}' ({area.Source})";
                var guess = other.IsAssumed ? $" The {other.Name} placement is an assumption ({other.Origin}); give the real one to confirm." : "";
                var facts = new List<FactRef> { VersionFact(result) };
                if (other.Kind == OwnerKind.Kernel) facts.AddRange(KernelFacts(result));
                yield return Make(
                    $"{who} {R(area.Range)} overlaps {Describe(other)} by {SizeText.Human(overlap.Size)} {overlap.ToKernelString()}: {Consequence}{guess}",
                    area.Node?.PlacementSpan, area.Node?.Path ?? area.Name, overlap, [OwnerLocation(other)], facts, assumed: other.IsAssumed);
            }
        }
    }
}

public sealed class CmaOverlapsKernel : CmaOverlapCheck
{
    public override string Id => "DTM003";
    public override string Name => "cma-overlaps-kernel";
    public override string Summary => "A reusable CMA region overlaps the kernel image";
    public override string Rationale =>
        "memblock_reserve() merges a static reusable region with the kernel's own reservation without a word, cma_init_reserved_mem() only asks whether any byte is reserved, " +
        "and cma_activate_area() frees every page of the area to the buddy allocator at core_initcall. The kernel's own pages are then handed out again. Linux 5.4 through 6.12.";
    public override string Fix => "Move the region's reg clear of the kernel image, or drop reg and give a size (a dynamic region the kernel places itself), or load the kernel elsewhere.";
    protected override bool Targets(RegionOwner other) => other.Kind == OwnerKind.Kernel;
    protected override string Consequence =>
        "at core_initcall the kernel gives those pages of its own image to the buddy allocator as CMA pages; the next user writes over kernel text (write faults on the read-only alias, or silent corruption through DMA or a vmap alias).";
}

public sealed class CmaOverlapsInitrd : CmaOverlapCheck
{
    public override string Id => "DTM004";
    public override string Name => "cma-overlaps-initrd";
    public override string Summary => "A reusable CMA region overlaps the initrd";
    public override string Rationale => "CMA pages are released to buddy at core_initcall, before populate_rootfs unpacks the initramfs (rootfs_initcall). All versions.";
    public override string Fix => "Load the initrd elsewhere (linux,initrd-start/-end) or move the CMA region.";
    protected override bool Targets(RegionOwner other) => other.Kind == OwnerKind.Initrd;
    protected override string Consequence => "the initramfs pages are freed before populate_rootfs unpacks them, so the initramfs can be corrupted.";
}

public sealed class CmaOverlapsDtb : CmaOverlapCheck
{
    public override string Id => "DTM005";
    public override string Name => "cma-overlaps-dtb";
    public override string Summary => "A reusable CMA region overlaps the device tree blob";
    public override string Rationale => "The unflattened tree points into the blob for property values; freeing the blob's pages corrupts live properties later. All versions.";
    public override string Fix => "Have the bootloader place the DTB elsewhere (fdt_addr_r) or move the CMA region.";
    protected override bool Targets(RegionOwner other) => other.Kind == OwnerKind.Dtb;
    protected override string Consequence => "the blob's pages are freed while the unflattened tree still reads property values from them.";
}

public sealed class CmaOverlapsReservation : CmaOverlapCheck
{
    public override string Id => "DTM006";
    public override string Name => "cma-overlaps-reservation";
    public override string Summary => "A reusable CMA region overlaps /memreserve/ or another reserved-memory region";
    public override string Rationale =>
        "Activation frees every CMA page regardless of other owners. The kernel at most logs OVERLAP DETECTED! between /reserved-memory regions and never checks /memreserve/. All versions.";
    public override string Fix => "Make the regions disjoint.";
    protected override bool Targets(RegionOwner other) => other.Kind is OwnerKind.MemReserve or OwnerKind.ReservedRegion;
    protected override string Consequence => "its pages are given to the buddy allocator although the other owner still uses them.";
}

/// <summary>A region whose init fails gives its whole range back, with other owners' pages in it.</summary>
public sealed class FailedRegionFreesOthers : Check
{
    public override string Id => "DTM007";
    public override string Name => "failed-region-frees-other-owner";
    public override Severity DefaultSeverity => Severity.Error;
    public override string Summary => "A region whose init fails is freed by range and takes another owner's pages with it";
    public override string Rationale =>
        "When a region's init function fails, fdt_init_reserved_mem() prints 'compatible matching fail' and calls memblock_free()/memblock_phys_free() (or clears NOMAP) on the whole range. " +
        "memblock frees by range, so any other reservation inside it (kernel, initrd, DTB, /memreserve/, another region) loses those pages to memblock_free_all(). All versions.";
    public override string Fix => "Fix the cause of the init failure (alignment, cma= bypass, CMA slots, reusable+no-map) or make the region disjoint from the other owner.";

    public override IEnumerable<Finding> Run(BootResult result)
    {
        foreach (var o in result.Regions.Where(o => o.Init == InitStatus.Failed && o.ReleasedRange is not null))
        {
            var released = o.ReleasedRange!.Value;
            var freed = result.Map.In(released).Where(p => p.State == PageState.Free).ToList();
            foreach (var other in result.Owners.Where(x => x.Region != o.Node && x.Kind != OwnerKind.AtomicPool))
            {
                var hit = freed.Where(p => p.Range.Overlaps(other.Range)).Select(p => p.Range.Intersect(other.Range)).ToList();
                if (hit.Count == 0) continue;
                var span = new AddressRange(hit.Min(h => h.Start), hit.Max(h => h.End));
                var facts = new List<FactRef> { VersionFact(result) };
                if (other.Kind == OwnerKind.Kernel) facts.AddRange(KernelFacts(result));
                yield return Make(
                    $"{o.Node.Path} {R(released)} fails its init ({o.InitDetail ?? "init function refused it"}) and {Family(result)} gives the whole range back with {result.Rules.FreeFunction}(); " +
                    $"that frees {SizeText.Human(hit.Aggregate(0UL, (s, h) => s + h.Size))} of {Describe(other)} at {span.ToKernelString()}, which the buddy allocator then hands out.",
                    o.Node.PlacementSpan, o.Node.Path, span, [OwnerLocation(other)], facts, assumed: other.IsAssumed);
            }
        }
    }
}

/// <summary>A no-map region over the kernel image, the initrd or the DTB.</summary>
public sealed class NoMapOverlapsImage : Check
{
    public override string Id => "DTM008";
    public override string Name => "nomap-overlaps-kernel";
    public override Severity DefaultSeverity => Severity.Error;
    public override string Summary => "A no-map region overlaps the kernel image, the initrd or the DTB";
    public override string Rationale =>
        "Linux 5.4–5.11 memblock_remove() the no-map range, carving the other owner out of RAM (linear alias gone, pfn_valid false). " +
        "5.12+ refuse with -EBUSY ('failed to reserve memory for node'), the region stays mapped and its init function still runs.";
    public override string Fix => "Move the region, or the kernel/initrd/DTB, so they do not overlap.";

    public override IEnumerable<Finding> Run(BootResult result)
    {
        foreach (var (node, range) in RegionRanges(result).Where(x => x.Node.NoMap))
            foreach (var other in result.Owners.Where(o => o.Kind is OwnerKind.Kernel or OwnerKind.Initrd or OwnerKind.Dtb))
            {
                var overlap = range.Intersect(other.Range);
                if (overlap.IsEmpty) continue;
                var effect = result.Rules.NoMapRemoves
                    ? $"{Family(result)} memblock_remove()s the range, so {other.Name} pages {overlap.ToKernelString()} vanish from RAM and its linear mapping."
                    : $"{Family(result)} refuses it with -EBUSY ('failed to reserve memory for node'): the region stays in the cacheable linear map and its driver still uses it.";
                var facts = new List<FactRef> { VersionFact(result) };
                if (other.Kind == OwnerKind.Kernel) facts.AddRange(KernelFacts(result));
                yield return Make($"no-map region {node.Path} {R(range)} overlaps {Describe(other)}: {effect}",
                    node.PlacementSpan, node.Path, overlap, [OwnerLocation(other)], facts, assumed: other.IsAssumed);
            }
    }
}

public sealed class NoMapOverlapsMemreserve : Check
{
    public override string Id => "DTM009";
    public override string Name => "nomap-overlaps-memreserve";
    public override Severity DefaultSeverity => Severity.Warning;
    public override string Summary => "A no-map region overlaps a /memreserve/ entry";
    public override string Rationale =>
        "5.12–6.3 reserve /memreserve/ before the static scan, so the no-map request meets reserved memory and fails with -EBUSY: the region stays in the cacheable linear map " +
        "(SError risk on secure memory). 5.4–5.11 and 6.4+ handle the pair without harm.";
    public override string Fix => "Drop the /memreserve/ entry that duplicates the no-map region (the region already keeps the kernel off it).";

    public override IEnumerable<Finding> Run(BootResult result)
    {
        var familyC = result.Rules.Family == VersionFamily.C;
        foreach (var (node, range) in RegionRanges(result).Where(x => x.Node.NoMap))
            foreach (var m in result.Owners.Where(o => o.Kind == OwnerKind.MemReserve && o.Range.Overlaps(range)))
                yield return Make(
                    $"no-map region {node.Path} {R(range)} overlaps {Describe(m)}: " +
                    (familyC ? $"{Family(result)} applies /memreserve/ first, so the no-map fails with -EBUSY and the region stays in the cacheable linear map."
                             : $"harmless on {Family(result)}, but 5.12–6.3 kernels refuse the no-map (-EBUSY) and keep the region mapped."),
                    node.PlacementSpan, node.Path, range.Intersect(m.Range), [OwnerLocation(m)], [VersionFact(result)],
                    severity: familyC ? Severity.Error : Severity.Warning);
    }
}

/// <summary>Two /reserved-memory regions overlap (neither is an active CMA area: those are DTM006).</summary>
public sealed class RegionsOverlap : Check
{
    public override string Id => "DTM018";
    public override string Name => "regions-overlap";
    public override Severity DefaultSeverity => Severity.Error;
    public override string Summary => "Two /reserved-memory regions overlap";
    public override string Rationale =>
        "The kernel compares only adjacent entries after sorting and only logs OVERLAP DETECTED!. A no-map region over a mapped one gets -EBUSY on 5.12+ and stays mapped. " +
        "Two no-map regions (common on Qualcomm) or two mapped ones are harmless to memblock, but their drivers share memory.";
    public override string Fix => "Make the regions disjoint, or delete the one that is redundant.";

    public override IEnumerable<Finding> Run(BootResult result)
    {
        var cmaNodes = result.CmaAreas.Where(a => a.Node is not null).Select(a => a.Node!).ToHashSet();
        var list = RegionRanges(result).Where(x => !cmaNodes.Contains(x.Node)).ToList();
        for (var i = 0; i < list.Count; i++)
            for (var j = i + 1; j < list.Count; j++)
            {
                var (a, ra) = list[i];
                var (b, rb) = list[j];
                if (a == b || !ra.Overlaps(rb)) continue;
                var mixed = a.NoMap != b.NoMap;
                var what = mixed
                    ? "one is no-map and the other mapped: the later no-map request meets reserved memory (-EBUSY on 5.12+) and the region stays mapped."
                    : a.NoMap ? "both are no-map: memblock is fine and the kernel prints OVERLAP DETECTED!, but both drivers use the same memory."
                              : "both are mapped reservations: the kernel reserves the union silently and both drivers use the same memory.";
                yield return Make($"{a.Path} {R(ra)} overlaps {b.Path} {R(rb)}: {what}", b.PlacementSpan, b.Path, ra.Intersect(rb),
                    [new RelatedLocation($"{a.Path} {R(ra)}", a.PlacementSpan)], [VersionFact(result)],
                    severity: mixed ? Severity.Error : Severity.Warning);
            }
    }
}

public sealed class DynamicOverMemreserve : Check
{
    public override string Id => "DTM023";
    public override string Name => "dynamic-over-memreserve";
    public override Severity DefaultSeverity => Severity.Warning;
    public override string Summary => "Family E places a dynamic region over a /memreserve/ range";
    public override string Rationale =>
        "From 6.12.13 (family E) dynamic regions are allocated inside the reserved-memory scan, before /memreserve/ is applied, so the allocator does not see it and the two share memory.";
    public override string Fix => "Give the dynamic region alloc-ranges that avoid the /memreserve/ range, or describe that range as a /reserved-memory node instead.";

    public override IEnumerable<Finding> Run(BootResult result)
    {
        if (result.Rules.Family != VersionFamily.E) yield break;
        foreach (var o in result.Regions.Where(o => o.Node.IsDynamic && o.Range is not null))
            foreach (var m in result.Owners.Where(x => x.Kind == OwnerKind.MemReserve && x.Range.Overlaps(o.Range!.Value)))
                yield return Make($"dynamic region {o.Node.Path} is placed at {R(o.Range!.Value)}, over {Describe(m)}, which {Family(result)} reserves only afterwards: both use the same memory.",
                    o.Node.SizeSpan ?? o.Node.Span, o.Node.Path, o.Range.Value.Intersect(m.Range), [OwnerLocation(m)], [VersionFact(result)]);
    }
}

public sealed class MemreserveOverlapsMappedRegion : Check
{
    public override string Id => "DTM035";
    public override string Name => "memreserve-overlaps-mapped-region";
    public override Severity DefaultSeverity => Severity.Info;
    public override string Summary => "A /memreserve/ entry overlaps a mapped (not no-map, not reusable) region";
    public override string Rationale => "Both are plain memblock_reserve() calls; the double reservation is harmless (Realtek trees do this upstream).";
    public override string Fix => "Nothing is required; drop the duplicate /memreserve/ entry for clarity.";

    public override IEnumerable<Finding> Run(BootResult result)
    {
        foreach (var (node, range) in RegionRanges(result).Where(x => !x.Node.NoMap && !x.Node.Reusable))
            foreach (var m in result.Owners.Where(o => o.Kind == OwnerKind.MemReserve && o.Range.Overlaps(range)))
                yield return Make($"{node.Path} {R(range)} overlaps {Describe(m)}: both are plain reservations, so this is a harmless duplicate.",
                    node.PlacementSpan, node.Path, range.Intersect(m.Range), [OwnerLocation(m)]);
    }
}
