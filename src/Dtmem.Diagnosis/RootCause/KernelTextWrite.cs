using Dtmem.Diagnosis.Attribution;
using Dtmem.Diagnosis.Translation;

namespace Dtmem.Diagnosis.RootCause;

/// <summary>
/// RC002. A write through the linear map hit kernel text, and no CMA pool is known to cover it. Either some other
/// reservation released the image's pages, or a stray pointer aimed at the linear alias of kernel code.
/// </summary>
public sealed class KernelTextWrite : RootCauseRule
{
    public override string Id => "RC002";
    public override string Title => "Write to kernel text through the linear map";

    public override IEnumerable<RootCauseFinding> Evaluate(DiagnosisContext c)
    {
        if (c.Oops is null || c.Translation is not { PhysicalAddress: { } pa, Region: VaRegion.Linear } t || !c.IsWritePermissionFault) yield break;
        var kernel = c.Hits.Where(h => h.IsKernel).ToList();
        if (kernel.Count == 0 || c.Hits.Any(h => h.IsCma)) yield break;
        var image = Prefer(kernel);
        var others = c.Hits.Where(h => h.Role is RegionRole.Reserved or RegionRole.ReserveFailed or RegionRole.DmaPool && !h.Range.Contains(image.Range)).ToList();
        var evidence = new List<EvidenceItem> { new($"VA 0x{t.VirtualAddress:x16} -> PA 0x{pa:x} ({t.Method})") };
        evidence.AddRange(kernel.Select(k => new EvidenceItem($"PA 0x{pa:x} is kernel image: {k.Name} {k.Range.ToKernelString()}", k.Source)));
        evidence.AddRange(others.Select(o => new EvidenceItem($"PA 0x{pa:x} is also in {o.Name} {o.Range.ToKernelString()}", o.Source)));
        yield return new RootCauseFinding(Id, Title, others.Count > 0 ? Confidence.Medium : Confidence.Low,
            $"A write through the linear map hit the read-only alias of kernel text at PA 0x{pa:x}. Kernel pages reached a writer: " +
            (others.Count > 0
                ? $"{others[0].Name} overlaps the image, so its owner (or the page allocator, if it was freed) wrote there."
                : "a reservation that overlaps the image released them, or a pointer was computed from a physical address inside the image."),
            evidence,
            "Check every reservation that overlaps the kernel image (dtmem check on the board's DTS lists them); with a boot log, look for memblock_free/memblock_phys_free of a range inside the image.",
            others.FirstOrDefault())
        { ExplainsFault = true };
    }
}
