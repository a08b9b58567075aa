namespace Dtmem.Diagnosis.RootCause;

/// <summary>The rule table. Fault rules explain an oops; layout rules read boot evidence alone. Order is the report order
/// among findings of equal confidence.</summary>
public static class RootCauseRules
{
    public static IReadOnlyList<RootCauseRule> All { get; } =
    [
        new CmaOverKernelFault(),
        new KernelTextWrite(),
        new NoMapAccess(),
        new FailedReservationAccess(),
        new BeyondRam(),
        new NullDereference(),
        new CmaOverKernelLayout(),
        new ReservedBelowKernelCode(),
        new MemoryReservedShort(),
        new CmaOverInitrd(),
        new KernelReportedOverlap(),
        new ReservationFailedAtBoot(),
    ];

    public static RootCauseRule? Find(string id) => All.FirstOrDefault(r => r.Id == id);

    /// <summary>Every conclusion, those that explain the fault first, then by confidence.</summary>
    public static IReadOnlyList<RootCauseFinding> Run(DiagnosisContext context) =>
        [.. All.SelectMany(r => r.Evaluate(context))
            .Select((f, i) => (f, i))
            .OrderByDescending(x => x.f.ExplainsFault)
            .ThenByDescending(x => x.f.Confidence)
            .ThenBy(x => x.i)
            .Select(x => x.f)];
}
