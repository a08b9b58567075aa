using Dtmem.Diagnosis.Attribution;
using Dtmem.Diagnosis.Translation;

namespace Dtmem.Diagnosis.RootCause;

/// <summary>
/// RC001. A write through the linear map faulted on a read-only page whose physical address is both kernel image and a
/// CMA pool. The kernel maps [_text, __init_begin) read-only in the linear map; only an allocator that handed kernel
/// pages out explains a legitimate writer there, and a reusable CMA pool over the image does exactly that at activation.
/// </summary>
public sealed class CmaOverKernelFault : RootCauseRule
{
    public override string Id => "RC001";
    public override string Title => "CMA pool over the kernel image: kernel pages handed to the page allocator";

    public override IEnumerable<RootCauseFinding> Evaluate(DiagnosisContext c)
    {
        if (c.Oops is null || c.Translation is not { PhysicalAddress: { } pa } t) yield break;
        var kernel = c.Hits.Where(h => h.IsKernel).ToList();
        var cma = c.Hits.Where(h => h.IsCma).ToList();
        if (kernel.Count == 0 || cma.Count == 0) yield break;

        bool permissionWrite = c.IsWritePermissionFault && t.Region == VaRegion.Linear;
        var pool = Prefer(cma);
        var image = Prefer(kernel);
        var confidence = permissionWrite ? Confidence.High : Confidence.Medium;
        if (pool.Inferred || image.Inferred || t.Parameters.PhysOffset?.IsAssumed == true) confidence = Lower(confidence);

        var evidence = new List<EvidenceItem>();
        if (c.Oops.FaultDescription is { } fd)
            evidence.Add(new($"fault: {fd.Value} at 0x{t.VirtualAddress:x16}", RegionSource.FromLine("log", fd.Source)));
        if (c.Oops.EsrDecoded is { } esr && c.Oops.Esr is { } esrLine)
            evidence.Add(new($"ESR 0x{esr.Value:x}: {esr.Summary}", RegionSource.FromLine("log", esrLine.Source)));
        evidence.Add(new($"VA 0x{t.VirtualAddress:x16} -> PA 0x{pa:x} ({t.Method})"));
        foreach (var k in kernel) evidence.Add(new($"PA 0x{pa:x} is kernel image: {k.Name} {k.Range.ToKernelString()}{(k.Inferred ? " (inferred)" : "")}", k.Source));
        foreach (var p in cma) evidence.Add(new($"PA 0x{pa:x} is in CMA pool {p.Name} {p.Range.ToKernelString()}", p.Source));
        var overlap = pool.Range.Intersect(image.Range);
        if (!overlap.IsEmpty)
            evidence.Add(new($"overlap {overlap.ToKernelString()} ({SizeOf(overlap.Size)}) of the pool and the image"));

        var what = permissionWrite
            ? $"The write through the linear map hit the read-only alias of kernel text at PA 0x{pa:x}."
            : $"The fault address PA 0x{pa:x} lies in kernel pages that the page allocator may hand out or overwrite.";
        yield return new RootCauseFinding(Id, Title, confidence,
            $"The CMA pool {pool.Name} {pool.Range.ToKernelString()} overlaps the kernel image {image.Range.ToKernelString()}. " +
            "The kernel reserved its image first and never checked the reusable pool against it; at CMA activation the pool's " +
            $"pages, kernel pages included, were given to the page allocator, which handed PA 0x{pa:x} out{(c.Oops.Comm is { } comm ? $" (here to '{comm.Value}')" : "")}. {what}",
            evidence,
            $"Move {pool.Name} off the kernel image{(pool.Source.Span is { } s ? $" ({s.File}:{s.Line})" : "")}: give it a reg clear of " +
            $"{image.Range.ToKernelString()}, or replace reg by size (+ alloc-ranges) so the kernel places it, or load the kernel elsewhere.",
            pool)
        { ExplainsFault = true };
    }
}
