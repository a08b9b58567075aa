using Dtmem.Diagnosis.Attribution;

namespace Dtmem.Diagnosis.RootCause;

/// <summary>
/// RC103 (forensic). The `Memory:` line's `reserved` figure is smaller than the kernel image it must include. The kernel
/// computes it as physpages - totalram - totalcma, so pages counted both as reserved and as CMA (a CMA pool over the
/// image) come out of `reserved`: the shortfall is at least the size of the overlap.
/// </summary>
public sealed class MemoryReservedShort : RootCauseRule
{
    public override string Id => "RC103";
    public override string Title => "Memory: line shows kernel pages counted as CMA";

    public override IEnumerable<RootCauseFinding> Evaluate(DiagnosisContext c)
    {
        if (c.Boot?.Memory is not { } m || m.Part("reserved") is not { } reserved || m.Part("cma-reserved") is not { } cmaK || cmaK == 0) yield break;
        ulong image = 0;
        foreach (var part in new[] { "kernel code", "rwdata", "rodata", "init", "bss" })
            if (m.Part(part) is { } k) image += k;
        if (image == 0 || reserved >= image) yield break;
        var shortK = image - reserved;
        yield return new RootCauseFinding(Id, Title, Confidence.Medium,
            $"The Memory: line reports {reserved}K reserved, less than the {image}K kernel image alone. At least {shortK}K of reserved pages " +
            $"were counted in the {cmaK}K cma-reserved instead: a CMA area overlaps the kernel image (or another reservation).",
            [new($"Memory: {reserved}K reserved, {cmaK}K cma-reserved; image parts sum to {image}K", RegionSource.FromLine("log", m.Source))],
            "Compare the CMA pools in the boot log (`created CMA memory pool`, `cma: Reserved`) with the kernel image (iomem `Kernel code`/`Kernel data`).");
    }
}
