using Dtmem.Diagnosis.Attribution;
using Dtmem.Diagnosis.Boot;

namespace Dtmem.Diagnosis.RootCause;

/// <summary>
/// RC105. The kernel itself printed `OF: reserved mem: OVERLAP DETECTED!`. It only logs: both regions stay, and which
/// one wins a page depends on the order of their init functions and flags.
/// </summary>
public sealed class KernelReportedOverlap : RootCauseRule
{
    public override string Id => "RC105";
    public override string Title => "The kernel reported two overlapping /reserved-memory regions";

    public override IEnumerable<RootCauseFinding> Evaluate(DiagnosisContext c)
    {
        if (c.Boot is null) yield break;
        var sides = c.Boot.OfKind(BootRangeKind.RmemOverlap).ToList();
        // The parser records both sides of one report with the same source line.
        foreach (var pair in sides.GroupBy(s => (s.Source.File, s.Source.Line)))
        {
            var list = pair.ToList();
            if (list.Count < 2) continue;
            var (a, b) = (list[0], list[1]);
            var src = RegionSource.FromLine("log", a.Source);
            yield return new RootCauseFinding(Id, Title, Confidence.High,
                $"{a.Name} {a.Range} and {b.Name} {b.Range} overlap; the kernel noticed but kept both, so two owners share those pages.",
                [new($"{a.Name} {a.Range} overlaps {b.Name} {b.Range}", src)],
                $"Fix the reg of {a.Name} or {b.Name} so the regions are disjoint.",
                new KnownRegion(RegionRole.Reserved, a.Name ?? "reserved-memory node", a.Range.ToAddressRange(), src));
        }
    }
}
