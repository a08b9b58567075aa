using Dtmem.Diagnosis.Attribution;

namespace Dtmem.Diagnosis.RootCause;

/// <summary>
/// RC004. The fault's physical address is in a /reserved-memory region the boot log shows failed to reserve. Its range
/// stayed ordinary RAM: the kernel allocated from memory that a device or firmware also uses.
/// </summary>
public sealed class FailedReservationAccess : RootCauseRule
{
    public override string Id => "RC004";
    public override string Title => "Fault inside a reservation that failed at boot";

    public override IEnumerable<RootCauseFinding> Evaluate(DiagnosisContext c)
    {
        if (c.Oops is null || c.Translation is not { PhysicalAddress: { } pa } t) yield break;
        var failed = c.Hits.Where(h => h.Role == RegionRole.ReserveFailed).ToList();
        if (failed.Count == 0) yield break;
        var region = Prefer(failed);
        var evidence = new List<EvidenceItem> { new($"VA 0x{t.VirtualAddress:x16} -> PA 0x{pa:x} ({t.Method})") };
        evidence.AddRange(failed.Select(f => new EvidenceItem($"{f.Name} {f.Range.ToKernelString()}: {f.Detail}", f.Source)));
        yield return new RootCauseFinding(Id, Title, Confidence.Medium,
            $"PA 0x{pa:x} lies in {region.Name} {region.Range.ToKernelString()}, which the kernel failed to reserve at boot. " +
            "The range stayed ordinary RAM, so the kernel and the region's owner (a device, firmware) used the same pages.",
            evidence,
            $"Make the reservation succeed: fix what the boot log says about {region.Name} (an overlap with another reservation or the kernel, a bad size or alignment, an address outside RAM).",
            region)
        { ExplainsFault = true };
    }
}
