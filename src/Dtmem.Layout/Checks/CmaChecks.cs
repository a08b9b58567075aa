using Dtmem.Layout.Inputs;
using Dtmem.Layout.Model;
using Dtmem.Layout.Ranges;

namespace Dtmem.Layout.Checks;

public sealed class CmaOutsideRam : Check
{
    public override string Id => "DTM010";
    public override string Name => "cma-outside-ram";
    public override Severity DefaultSeverity => Severity.Error;
    public override string Summary => "A reusable region is not wholly inside RAM";
    public override string Rationale =>
        "cma_init_reserved_mem() only asks whether the range is reserved, and memblock reserves non-RAM without complaint. At activation pfn_valid() fails " +
        "(a WARN) and the kernel touches struct pages that do not exist: real 6.1 and 6.12 boots panic there. RAM here is after page rounding and mem=. Skipped when no memory is known.";
    public override string Fix => "Place the region inside a memory bank (or correct the memory node).";

    public override IEnumerable<Finding> Run(BootResult result)
    {
        if (!result.MemoryKnown) yield break;
        var ram = new RangeSet(result.Memory);
        foreach (var (node, range) in RegionRanges(result).Where(x => x.Node.Reusable))
        {
            var outside = ram.Complement(range);
            if (outside.Count == 0) continue;
            yield return Make($"reusable region {node.Path} {R(range)} is not all RAM: {string.Join(", ", outside.Select(o => o.ToKernelString()))} lies outside memory " +
                              $"({string.Join(", ", result.Memory.Select(m => m.ToKernelString()))}): at core_initcall cma_init_reserved_areas WARNs, then faults on the missing struct pages and the kernel panics (seen on 6.1 and 6.12).",
                node.PlacementSpan, node.Path, outside[0], MemoryLocations(result), [VersionFact(result), MemoryFact(result)]);
        }
    }

    internal static IEnumerable<RelatedLocation> MemoryLocations(BootResult r) =>
        r.Input.MemoryOverride is { } mo
            ? [new RelatedLocation($"memory given by {mo.Origin}", null)]
            : r.Input.MemoryBanks.Select(b => new RelatedLocation($"memory bank {b.NodePath} {b.Range.ToKernelString()}", b.Span));
}

public sealed class CmaSpansZones : Check
{
    public override string Id => "DTM012";
    public override string Name => "cma-spans-zones";
    public override Severity DefaultSeverity => Severity.Error;
    public override string Summary => "A CMA area spans a memory-zone boundary and cannot be activated";
    public override string Rationale =>
        "cma_activate_area() requires all pages in one zone (5.4: DMA32 window; 5.5–5.10: 1 GiB ZONE_DMA; 5.11+: the DMA limit). Otherwise 'cma: CMA area %s could not be activated': " +
        "5.12+ release the pages as ordinary memory (the pool is gone); 5.4 leaks part of it.";
    public override string Fix => "Keep the area within one zone (for example below 4 GiB, or wholly above it).";

    public override IEnumerable<Finding> Run(BootResult result)
    {
        foreach (var a in result.CmaAreas.Where(a => a.Activated == false && !a.CrashesBoot))
            yield return Make($"CMA area '{a.Name}' {R(a.Range)} cannot be activated: {a.ActivationProblem}; " +
                              (result.Rules.FailedCmaPagesToBuddy ? "its pages become ordinary RAM and its users get no CMA." : "part of it leaks and the rest is released as CMA."),
                a.Node?.PlacementSpan, a.Node?.Path ?? a.Name, a.Range,
                result.Zones.Where(z => z.Range is not null).Select(z => new RelatedLocation($"zone {z.Name} {z.Range!.Value.ToKernelString()}", null)),
                [VersionFact(result)]);
    }
}

public sealed class CmaMisaligned : Check
{
    public override string Id => "DTM013";
    public override string Name => "cma-misaligned";
    public override Severity DefaultSeverity => Severity.Error;
    public override string Summary => "A static CMA region's base or size is not a multiple of the kernel's CMA minimum alignment";
    public override string Rationale =>
        "rmem_cma_setup() prints 'incorrect alignment of CMA region' and fails, then the region is freed back to RAM. The minimum is computed from version and config: " +
        "≤5.18 PAGE_SIZE << max(MAX_ORDER-1, pageblock_order) (4 MiB on 4K pages), ≥5.19 one pageblock (2 MiB with HUGETLB_PAGE on 4K pages); vendors change MAX_ORDER.";
    public override string Fix => "Align base and size to the printed minimum.";

    public override IEnumerable<Finding> Run(BootResult result)
    {
        var align = result.Rules.CmaMinAlignment;
        foreach (var node in LiveRegions(result).Where(n => n.IsStatic && n.IsSharedDmaPool && n.Reusable && !n.NoMap && n.Reg.Count > 0))
        {
            var t = node.Reg[0];
            if (((t.Base | t.Size) & (align - 1)) == 0 || t.Size == 0) continue;
            yield return Make($"CMA region {node.Path} {R(t.Range)} is not aligned to {SizeText.Human(align)} ({result.Rules.CmaAlignmentRule}): the kernel refuses it and frees the range back to RAM.",
                node.RegSpan, node.Path, t.Range, facts: [CmaAlignmentFact(result), VersionFact(result)], assumed: result.Rules.CmaAlignmentAssumed);
        }
    }
}

public sealed class DuplicateCmaDefault : Check
{
    public override string Id => "DTM014";
    public override string Name => "duplicate-cma-default";
    public override Severity DefaultSeverity => Severity.Warning;
    public override string Summary => "More than one region has linux,cma-default";
    public override string Rationale => "The last one initialised becomes the default area, silently; which one that is depends on the family's init order. The others serve only devices that name them.";
    public override string Fix => "Keep linux,cma-default on one region.";

    public override IEnumerable<Finding> Run(BootResult result)
    {
        var nodes = LiveRegions(result).Where(n => n.CmaDefault).ToList();
        if (nodes.Count < 2) yield break;
        var winner = result.CmaAreas.FirstOrDefault(a => a.IsDefault)?.Node;
        foreach (var n in nodes.Where(n => n != winner).Skip(winner is null ? 1 : 0))
            yield return Make($"{n.Path} and {nodes.Count - 1} other region(s) have linux,cma-default; {(winner is null ? "none of them ends up as the default area" : $"{winner.Path} wins on {Family(result)}")}.",
                n.CmaDefaultSpan ?? n.Span, n.Path, null, winner is null ? null : [new RelatedLocation($"the default area: {winner.Path}", winner.CmaDefaultSpan ?? winner.Span)], [VersionFact(result)]);
    }
}

public sealed class CmdlineCmaOverridesDt : Check
{
    public override string Id => "DTM015";
    public override string Name => "cmdline-cma-overrides-dt";
    public override Severity DefaultSeverity => Severity.Warning;
    public override string Summary => "cma= on the command line and a DT linux,cma-default region";
    public override string Rationale =>
        "From 5.7 rmem_cma_setup() bypasses the DT default when cma= is given ('bypass ... using cmdline CMA params instead'), the init fails and the region is freed. " +
        "5.4 keeps the DT region and silently ignores cma=.";
    public override string Fix => "Use one of the two: drop cma= or drop the DT default region.";

    public override IEnumerable<Finding> Run(BootResult result)
    {
        if (result.Cmdline.CmaSize is null) yield break;
        var cmdline = result.Input.EffectiveCmdline!;
        foreach (var n in LiveRegions(result).Where(n => n.CmaDefault && n.IsSharedDmaPool))
            yield return Make(result.Rules.CmdlineCmaBypassesDt
                    ? $"{result.Cmdline.CmaText} on the command line makes {Family(result)} bypass {n.Path}: its init fails and the region is given back to RAM; the default CMA comes from the command line instead."
                    : $"{Family(result)} ignores {result.Cmdline.CmaText} because {n.Path} is the default CMA area.",
                n.CmaDefaultSpan ?? n.Span, n.Path, null, [new RelatedLocation($"command line ({cmdline.Origin})", result.Input.Kernel.Cmdline is null ? result.Input.BootargsSpan : null)],
                [new FactRef("cma=", result.Cmdline.CmaText!, cmdline.Origin, cmdline.IsAssumed), VersionFact(result)]);
    }
}

public sealed class CmaSlotsExhausted : Check
{
    public override string Id => "DTM020";
    public override string Name => "cma-slots-exhausted";
    public override Severity DefaultSeverity => Severity.Warning;
    public override string Summary => "More CMA areas than CONFIG_CMA_AREAS allows";
    public override string Rationale => "cma_init_reserved_mem() fails with 'Not enough slots for CMA reserved regions!' and the region is freed back to RAM (see DTM007 when that frees others' pages).";
    public override string Fix => "Raise CONFIG_CMA_AREAS or merge CMA regions.";

    public override IEnumerable<Finding> Run(BootResult result)
    {
        foreach (var e in result.Events.Where(e => e.Kind == BootEventKind.CmaSlotsExhausted))
        {
            var node = result.Input.Regions.FirstOrDefault(n => n.Name == e.Subject);
            yield return Make($"CMA area '{e.Subject}' does not get a slot ({result.Rules.CmaSlotsRule}): its setup fails and the memory is used as ordinary RAM.",
                node?.PlacementSpan, node?.Path ?? e.Subject, e.Range,
                facts: [new FactRef("CMA slots", result.Rules.CmaSlots.ToString(System.Globalization.CultureInfo.InvariantCulture), result.Input.Kernel.EffectiveConfig.CmaAreas.Origin, result.Input.Kernel.EffectiveConfig.CmaAreas.IsAssumed)]);
        }
    }
}

public sealed class ReusableAndNoMap : Check
{
    public override string Id => "DTM021";
    public override string Name => "reusable-and-nomap";
    public override Severity DefaultSeverity => Severity.Error;
    public override string Summary => "A shared-dma-pool region has both reusable and no-map";
    public override string Rationale => "rmem_cma_setup() refuses no-map and rmem_dma_setup() refuses reusable; init fails and the region is given back (NOMAP cleared): it becomes ordinary RAM.";
    public override string Fix => "Remove no-map for a CMA pool, or remove reusable for a carve-out.";

    public override IEnumerable<Finding> Run(BootResult result)
    {
        foreach (var n in LiveRegions(result).Where(n => n.IsSharedDmaPool && n.Reusable && n.NoMap))
            yield return Make($"{n.Path} is reusable and no-map: neither CMA nor the coherent pool accepts it, so the kernel hands the memory back as ordinary RAM.",
                n.NoMapSpan ?? n.Span, n.Path, result.OutcomeOf(n)?.Range, [new RelatedLocation("reusable", n.ReusableSpan)]);
    }
}

public sealed class RestrictedPoolInvalid : Check
{
    public override string Id => "DTM022";
    public override string Name => "restricted-pool-invalid";
    public override Severity DefaultSeverity => Severity.Warning;
    public override string Summary => "A restricted-dma-pool the kernel will not set up";
    public override string Rationale => "rmem_swiotlb_setup() (5.15+, CONFIG_DMA_RESTRICTED_POOL) rejects reusable, no-map, linux,cma-default and linux,dma-default (the region is freed); older kernels have no init function and leave it unmanaged.";
    public override string Fix => "Drop the rejected properties, or use a kernel with restricted DMA pools.";

    public override IEnumerable<Finding> Run(BootResult result)
    {
        foreach (var n in LiveRegions(result).Where(n => n.IsCompatible("restricted-dma-pool")))
        {
            var bad = new[] { (n.Reusable, "reusable"), (n.NoMap, "no-map"), (n.CmaDefault, "linux,cma-default"), (n.DmaDefault, "linux,dma-default") }.Where(x => x.Item1).Select(x => x.Item2).ToList();
            if (!result.Rules.HasRestrictedPool || !result.Input.Kernel.EffectiveConfig.DmaRestrictedPool.Value)
                yield return Make($"{n.Path} is a restricted-dma-pool but {Family(result)} (or this config) has no restricted DMA pools: the region stays reserved and unused.",
                    n.Span, n.Path, null, facts: [VersionFact(result)]);
            else if (bad.Count > 0)
                yield return Make($"{n.Path} is a restricted-dma-pool with {string.Join(", ", bad)}: the kernel rejects it and frees the region.", n.Span, n.Path, null, facts: [VersionFact(result)]);
        }
    }
}

public sealed class CmaAboveDmaLimit : Check
{
    public override string Id => "DTM033";
    public override string Name => "cma-above-dma-limit";
    public override Severity DefaultSeverity => Severity.Warning;
    public override string Summary => "A shared-dma-pool region (static or predicted) ends above 4 GiB or above the ZONE_DMA limit";
    public override string Rationale =>
        "Devices with 32-bit DMA masks cannot use it, and the atomic pools skip a default CMA outside their zone (cma_in_zone). Dynamic regions without alloc-ranges are placed top-down with no DMA limit.";
    public override string Fix => "Add alloc-ranges below 4 GiB (or the DMA limit), or move the static region down.";

    public override IEnumerable<Finding> Run(BootResult result)
    {
        // 32-bit DMA masks end at 4 GiB; a ZONE_DMA limit matters only where it cuts RAM (5.5-5.10's 1 GiB zone), not where it is just the end of RAM.
        var ramEnd = result.Memory.Count > 0 ? result.Memory[^1].End : ulong.MaxValue;
        var limit = result.DmaLimit is { } dl && dl < ramEnd ? Math.Min(1UL << 32, dl) : 1UL << 32;
        foreach (var (node, range) in RegionRanges(result).Where(x => x.Node.IsSharedDmaPool))
        {
            if (range.End <= limit) continue;
            var how = node.IsDynamic && !node.HasAllocRanges ? " (placed top-down because it has no alloc-ranges)" : "";
            yield return Make($"DMA pool {node.Path} {R(range)}{how} ends above {Hex(limit)}: devices limited to 32-bit DMA cannot use it.",
                node.PlacementSpan, node.Path, range, facts: [VersionFact(result)]);
        }
    }
}

public sealed class DynamicPlacement : Check
{
    public override string Id => "DTM034";
    public override string Name => "dynamic-placement";
    public override Severity DefaultSeverity => Severity.Info;
    public override string Summary => "Where a dynamic shared-dma-pool region will be placed";
    public override string Rationale => "Dynamic regions are placed top-down in free memory (or in alloc-ranges), with the alignment raised to the CMA minimum for reusable pools; the prediction helps spot DTM033/DTM023.";
    public override string Fix => "Nothing to fix; add alloc-ranges to pin the placement.";

    public override IEnumerable<Finding> Run(BootResult result)
    {
        foreach (var o in result.Regions.Where(o => o.Node.IsDynamic && o.Node.IsSharedDmaPool && o.Status == RegionStatus.Allocated && o.Range is not null))
            yield return Make($"{o.Node.Path} will be placed at {R(o.Range!.Value)} (alignment {SizeText.Human(o.EffectiveAlignment ?? 0)}) by {Family(result)}.",
                o.Node.SizeSpan, o.Node.Path, o.Range, facts: [CmaAlignmentFact(result)]);
    }
}
