using Dtmem.Diagnosis.Attribution;

namespace Dtmem.Diagnosis.RootCause;

/// <summary>
/// RC101. A CMA pool (or the default CMA area) overlaps the kernel image in the layout itself, whatever showed it: the
/// DT model, /proc/iomem `Kernel code`/`Kernel data`, the memblock reservation of the image. No oops is needed: the
/// board will hand kernel pages to the page allocator on every boot.
/// </summary>
public sealed class CmaOverKernelLayout : RootCauseRule
{
    public override string Id => "RC101";
    public override string Title => "CMA pool over the kernel image (layout)";

    public override IEnumerable<RootCauseFinding> Evaluate(DiagnosisContext c)
    {
        var kernels = c.Regions.Regions.Where(r => r.IsKernel).ToList();
        if (kernels.Count == 0) yield break;
        var pools = c.Regions.Regions.Where(r => r.IsCma && kernels.Any(k => k.Range.Overlaps(r.Range))).ToList();
        // One finding per pool, however many sources describe it.
        foreach (var group in pools.GroupBy(p => p.Range.Start).OrderBy(g => g.Key))
        {
            var pool = Prefer(group);
            var hit = kernels.Where(k => k.Range.Overlaps(pool.Range)).ToList();
            var image = Prefer(hit);
            var overlap = pool.Range.Intersect(image.Range);
            var evidence = new List<EvidenceItem>();
            evidence.AddRange(group.Select(p => new EvidenceItem($"CMA pool {p.Name} {p.Range.ToKernelString()}", p.Source)));
            evidence.AddRange(hit.Select(k => new EvidenceItem($"{k.Name} {k.Range.ToKernelString()}{(k.Inferred ? " (inferred)" : "")}", k.Source)));
            evidence.Add(new($"overlap {overlap.ToKernelString()} ({SizeOf(overlap.Size)})"));
            var confidence = hit.Any(k => !k.Inferred) && group.Any(p => !p.Inferred) ? Confidence.High : Confidence.Medium;
            yield return new RootCauseFinding(Id, Title, confidence,
                $"The CMA pool {pool.Name} {pool.Range.ToKernelString()} overlaps the kernel image {image.Range.ToKernelString()} by {SizeOf(overlap.Size)}. " +
                "CMA activation gives those kernel pages to the page allocator: writes to them fault on the read-only text alias or corrupt the running kernel.",
                evidence,
                $"Move {pool.Name} off the kernel image{(pool.Source.Span is { } s ? $" ({s.File}:{s.Line})" : "")}, or use a dynamic pool (size + alloc-ranges), or load the kernel elsewhere.",
                pool);
        }
    }
}
