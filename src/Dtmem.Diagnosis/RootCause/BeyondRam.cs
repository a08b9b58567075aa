using Dtmem.Diagnosis.Attribution;
using Dtmem.Diagnosis.Translation;

namespace Dtmem.Diagnosis.RootCause;

/// <summary>
/// RC005. The fault's physical address is outside every RAM range, just past the end of a bank (or in a hole between
/// banks). A DT /memory larger than the real DRAM, `mem=`, or a driver that computed an address past the end.
/// </summary>
public sealed class BeyondRam : RootCauseRule
{
    public override string Id => "RC005";
    public override string Title => "Address beyond the end of RAM";

    /// <summary>How far past a bank an address still counts as "just beyond" it.</summary>
    private const ulong Near = 1UL << 30;

    public override IEnumerable<RootCauseFinding> Evaluate(DiagnosisContext c)
    {
        if (c.Oops is null || c.Translation is not { PhysicalAddress: { } pa } t || t.Region is VaRegion.Null or VaRegion.User) yield break;
        var ram = c.Regions.OfRole(RegionRole.Ram).ToList();
        if (ram.Count == 0 || ram.Any(r => r.Range.Contains(pa))) yield break;
        // A no-map carve-out is outside System RAM by design; RC003 speaks for it.
        if (c.Hits.Any(h => h.Role == RegionRole.NoMap)) yield break;
        var below = ram.Where(r => r.Range.End <= pa).OrderByDescending(r => r.Range.End).FirstOrDefault();
        if (below is null || pa - below.Range.End >= Near) yield break;
        bool hole = ram.Any(r => r.Range.Start > pa);
        var evidence = new List<EvidenceItem>
        {
            new($"VA 0x{t.VirtualAddress:x16} -> PA 0x{pa:x} ({t.Method})"),
            new($"nearest RAM below: {below.Name} {below.Range.ToKernelString()}, ends {SizeOf(pa - below.Range.Last)} before the address", below.Source),
        };
        yield return new RootCauseFinding(Id, Title, t.Region == VaRegion.Linear ? Confidence.High : Confidence.Medium,
            $"PA 0x{pa:x} is {SizeOf(pa - below.Range.End)} past the end of RAM range {below.Range.ToKernelString()}" +
            (hole ? " (in a hole between RAM ranges)." : ".") +
            " Nothing is mapped there: an address was computed past the end of memory (an off-by-one length, a /memory larger than the real DRAM, or a DMA buffer beyond mem=).",
            evidence,
            "Compare /memory (and the bootloader's fix-ups) with the real DRAM size, check mem=, and look at the code at pc for the length that overran.",
            below)
        { ExplainsFault = true };
    }
}
