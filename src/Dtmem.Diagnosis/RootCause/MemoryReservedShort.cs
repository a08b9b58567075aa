using Dtmem.Diagnosis.Attribution;

namespace Dtmem.Diagnosis.RootCause;

/// <summary>
/// RC103 (forensic). The `Memory:` line's `reserved` figure is smaller than the kernel image it must include. The kernel
/// computes it as physpages - totalram - totalcma, so pages counted both as reserved and as CMA (a CMA pool over the
/// image) come out of `reserved`, and so do CMA pages that are not RAM at all (a pool beyond mem=).
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
        var evidence = new List<EvidenceItem> { new($"Memory: {reserved}K reserved, {cmaK}K cma-reserved; image parts sum to {image}K", RegionSource.FromLine("log", m.Source)) };
        // A CMA area outside RAM (mem=, a short /memory) is counted in cma-reserved but not in the memory total: the same
        // shortfall with another cause.
        var ram = c.Regions.OfRole(RegionRole.Ram).ToList();
        var outside = ram.Count == 0 ? [] : c.Regions.Regions.Where(r => r.IsCma && !ram.Any(x => x.Range.Contains(r.Range))).ToList();
        if (outside.Count > 0)
        {
            var pool = Prefer(outside);
            evidence.Add(new($"CMA pool {pool.Name} {pool.Range.ToKernelString()} is outside every RAM range", pool.Source));
            yield return new RootCauseFinding(Id, "CMA area outside RAM", Confidence.High,
                $"The CMA area {pool.Name} {pool.Range.ToKernelString()} lies outside RAM (a mem= limit or a /memory smaller than the board). " +
                $"Its {SizeOf(pool.Range.Size)} are counted as cma-reserved but are not memory: the Memory: line's reserved figure ({reserved}K) comes out below the kernel image ({image}K), and activating the area WARNs and leaves it unusable.",
                evidence,
                $"Move {pool.Name} inside RAM, or raise/remove mem=.",
                pool);
            yield break;
        }
        yield return new RootCauseFinding(Id, Title, Confidence.Medium,
            $"The Memory: line reports {reserved}K reserved, less than the {image}K kernel image alone. At least {shortK}K of reserved pages " +
            $"were counted in the {cmaK}K cma-reserved instead: a CMA area overlaps the kernel image (or another reservation).",
            evidence,
            "Compare the CMA pools in the boot log (`created CMA memory pool`, `cma: Reserved`) with the kernel image (iomem `Kernel code`/`Kernel data`).");
    }
}
