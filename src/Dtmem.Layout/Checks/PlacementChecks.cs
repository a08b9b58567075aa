using Dtmem.Layout.Model;
using Dtmem.Layout.Ranges;

namespace Dtmem.Layout.Checks;

public sealed class RegionOutsideRam : Check
{
    public override string Id => "DTM011";
    public override string Name => "region-outside-ram";
    public override Severity DefaultSeverity => Severity.Warning;
    public override string Summary => "A non-reusable region straddles a memory-bank edge (warning) or lies wholly outside RAM (info)";
    public override string Rationale =>
        "Reserving or no-mapping non-RAM does nothing, which is often deliberate (SRAM, aliases, pstore in holes). A region that straddles a bank edge is half RAM: a driver maps memory that is partly absent. " +
        "Skipped when no memory is known (bootloader-filled /memory).";
    public override string Fix => "Check the region against the board's memory map.";

    public override IEnumerable<Finding> Run(BootResult result)
    {
        if (!result.MemoryKnown) yield break;
        var ram = new RangeSet(result.Memory);
        foreach (var (node, range) in RegionRanges(result).Where(x => !x.Node.Reusable))
        {
            var outside = ram.Complement(range);
            if (outside.Count == 0) continue;
            var whole = outside.Count == 1 && outside[0] == range;
            yield return Make(whole
                    ? $"{node.Path} {R(range)} lies outside RAM: reserving it does nothing (fine for SRAM or an address alias)."
                    : $"{node.Path} {R(range)} is only partly RAM: {string.Join(", ", outside.Select(o => o.ToKernelString()))} is outside memory.",
                node.PlacementSpan, node.Path, range, CmaOutsideRam.MemoryLocations(result), [MemoryFact(result)], severity: whole ? Severity.Info : Severity.Warning);
        }
    }
}

public sealed class DynamicRegionCannotFit : Check
{
    public override string Id => "DTM017";
    public override string Name => "dynamic-region-cannot-fit";
    public override Severity DefaultSeverity => Severity.Error;
    public override string Summary => "A dynamic region cannot be allocated";
    public override string Rationale => "When no aligned free block of the size exists in alloc-ranges (or in RAM) the kernel prints 'failed to allocate memory for node' and the device gets no pool.";
    public override string Fix => "Shrink the region, widen alloc-ranges, or lower the alignment.";

    public override IEnumerable<Finding> Run(BootResult result)
    {
        foreach (var o in result.Regions.Where(o => o.Status == RegionStatus.AllocFailed && o.Init != InitStatus.NotRegistered))
            yield return Make($"{o.Node.Path} needs {SizeText.Human(o.Node.Size ?? 0)} aligned to {SizeText.Human(o.EffectiveAlignment ?? 0)}" +
                              (o.Node.HasAllocRanges ? $" inside {string.Join(", ", o.Node.AllocRanges.Select(a => a.Range.ToKernelString()))}" : "") +
                              ", and no such free block exists: the kernel prints 'failed to allocate memory for node' and the device has no memory.",
                o.Node.SizeSpan ?? o.Node.Span, o.Node.Path, null, o.Node.AllocRangesSpan is { } s ? [new RelatedLocation("alloc-ranges", s)] : null, [VersionFact(result), MemoryFact(result)]);
    }
}

public sealed class TooManyRegions : Check
{
    public override string Id => "DTM019";
    public override string Name => "too-many-regions";
    public override Severity DefaultSeverity => Severity.Error;
    public override string Summary => "More reserved-memory regions than the kernel's reserved_mem[] holds";
    public override string Rationale =>
        "MAX_RESERVED_REGIONS is 32 in 5.4 and 64 later (6.12 sizes static regions dynamically and keeps 64 for dynamic ones). Extra static regions stay reserved but are never initialised; extra dynamic ones are never allocated.";
    public override string Fix => "Merge regions, or use a kernel with the larger limit.";

    public override IEnumerable<Finding> Run(BootResult result)
    {
        foreach (var o in result.Regions.Where(o => o.Init == InitStatus.NotRegistered))
            yield return Make($"{o.Node.Path} does not fit in reserved_mem[] ({o.Why}): {(o.Node.IsDynamic ? "it is never allocated" : "it stays reserved but its driver or CMA is never set up")}.",
                o.Node.Span, o.Node.Path, o.Range, facts: [VersionFact(result)]);
    }
}

public sealed class MemLimitCutsRegion : Check
{
    public override string Id => "DTM024";
    public override string Name => "mem-limit-cuts-region";
    public override Severity DefaultSeverity => Severity.Warning;
    public override string Summary => "mem= removes RAM under a reserved-memory region";
    public override string Rationale => "mem= is applied in arm64_memblock_init before /reserved-memory is read and counts bytes across banks, so regions above the cut are handled as outside memory.";
    public override string Fix => "Raise mem= or move the region below the cut.";

    public override IEnumerable<Finding> Run(BootResult result)
    {
        var cut = result.Events.FirstOrDefault(e => e.Kind == BootEventKind.MemoryLimited);
        if (cut?.Range is not { } removed) yield break;
        var cmdline = result.Input.EffectiveCmdline!;
        foreach (var (node, range) in RegionRanges(result).Where(x => x.Range.Overlaps(removed)))
            yield return Make($"{result.Cmdline.MemText} removes RAM from {Hex(removed.Start)} up, under {node.Path} {R(range)}: the kernel treats that part as outside memory.",
                node.PlacementSpan, node.Path, range.Intersect(removed), [new RelatedLocation($"command line ({cmdline.Origin})", result.Input.Kernel.Cmdline is null ? result.Input.BootargsSpan : null)],
                [new FactRef("mem=", result.Cmdline.MemText!, cmdline.Origin, cmdline.IsAssumed)]);
    }
}

public sealed class KernelMisaligned : Check
{
    public override string Id => "DTM026";
    public override string Name => "kernel-misaligned";
    public override Severity DefaultSeverity => Severity.Warning;
    public override string Summary => "The kernel image is not at a 2 MiB-aligned base plus text_offset";
    public override string Rationale => "arm64 requires the Image at a 2 MiB-aligned base + text_offset; from 5.8 a non-EFI boot prints '[Firmware Bug]: Kernel image misaligned at boot, please fix your bootloader!'.";
    public override string Fix => "Load the Image at a 2 MiB-aligned address (U-Boot kernel_addr_r).";

    public override IEnumerable<Finding> Run(BootResult result)
    {
        if (result.Input.Kernel.TextAddress is not { } text) yield break;
        var textOffset = result.Input.Kernel.TextOffset?.Value ?? (result.Rules.IsAtLeast(5, 8) ? 0UL : 0x80000UL);
        const ulong TwoMiB = 2 << 20;
        if (((text.Value - textOffset) & (TwoMiB - 1)) == 0) yield break;
        yield return Make($"kernel _text {Hex(text.Value)} minus text_offset {Hex(textOffset)} is not 2 MiB-aligned" +
                          (result.Rules.WarnsMisalignedImage ? ": the kernel prints 'Kernel image misaligned at boot'." : ": the boot may not work."),
            null, "kernel image", null, facts: KernelFacts(result), assumed: text.IsAssumed);
    }
}

public sealed class KernelOutsideRam : Check
{
    public override string Id => "DTM027";
    public override string Name => "kernel-outside-ram";
    public override Severity DefaultSeverity => Severity.Error;
    public override string Summary => "The kernel image is not inside the RAM the device tree describes";
    public override string Rationale => "The linear map and memblock assume the kernel lies in memory; a kernel outside /memory means the memory node (or the load address) is wrong.";
    public override string Fix => "Correct the memory node or the load address.";

    public override IEnumerable<Finding> Run(BootResult result)
    {
        if (!result.MemoryKnown || result.KernelImage is not { } k) yield break;
        var ram = new RangeSet(result.Memory);
        if (ram.ContainsAll(k.Range)) yield break;
        yield return Make($"the kernel image {R(k.Range)} is not inside RAM ({string.Join(", ", result.Memory.Select(m => m.ToKernelString()))}).",
            null, "kernel image", k.Range, CmaOutsideRam.MemoryLocations(result), KernelFacts(result), assumed: k.IsAssumed);
    }
}

public sealed class MemoryBanksOverlap : Check
{
    public override string Id => "DTM032";
    public override string Name => "memory-banks-overlap";
    public override Severity DefaultSeverity => Severity.Warning;
    public override string Summary => "Two memory banks overlap";
    public override string Rationale => "memblock merges them silently, so the RAM size is not what the node says; usually a typo in reg.";
    public override string Fix => "Correct the memory node's reg.";

    public override IEnumerable<Finding> Run(BootResult result)
    {
        var banks = result.Input.MemoryBanks.Where(b => b.Cells.Size != 0).ToList();
        for (var i = 0; i < banks.Count; i++)
            for (var j = i + 1; j < banks.Count; j++)
                if (banks[i].Range.Overlaps(banks[j].Range))
                    yield return Make($"memory bank {R(banks[j].Range)} overlaps bank {R(banks[i].Range)}.", banks[j].Span, banks[j].NodePath,
                        banks[i].Range.Intersect(banks[j].Range), [new RelatedLocation($"bank {banks[i].Range.ToKernelString()}", banks[i].Span)]);
    }
}
