using Dtmem.Diagnosis.Attribution;
using Dtmem.Diagnosis.Boot;
using Dtmem.Diagnosis.Translation;

namespace Dtmem.Diagnosis.RootCause;

public enum Confidence { Low, Medium, High }

/// <summary>One fact a conclusion rests on, with the line (DTS, log, iomem) that shows it.</summary>
public sealed record EvidenceItem(string Text, RegionSource? Source = null);

/// <summary>A conclusion: what went wrong, how sure, on what evidence, and what to change.</summary>
/// <param name="Culprit">The region to fix (its DTS line when the DT is known), if the cause is a region.</param>
public sealed record RootCauseFinding(
    string Id, string Title, Confidence Confidence, string Statement, IReadOnlyList<EvidenceItem> Evidence, string Fix,
    KnownRegion? Culprit = null)
{
    /// <summary>True when the conclusion explains the oops (rather than only a layout seen in boot evidence).</summary>
    public bool ExplainsFault { get; init; }
}

/// <summary>Everything the rules may look at. Any part may be missing: a boot log alone has no oops.</summary>
public sealed class DiagnosisContext
{
    public Oops.Oops? Oops { get; init; }
    public AddressTranslation? Translation { get; init; }
    public required RegionCatalogue Regions { get; init; }
    public BootEvidence? Boot { get; init; }

    /// <summary>The regions holding the faulting physical address (empty when it is unknown).</summary>
    public IReadOnlyList<KnownRegion> Hits => _hits ??= Translation?.PhysicalAddress is { } pa ? Regions.Containing(pa) : [];

    private IReadOnlyList<KnownRegion>? _hits;

    public ulong? FaultPhysical => Translation?.PhysicalAddress;

    /// <summary>A data abort that wrote to a page mapped read-only (ESR permission fault with WnR, or the kernel's words).</summary>
    public bool IsWritePermissionFault =>
        Oops?.EsrDecoded is { } e && e.FaultType == Esr.FaultType.Permission && e.IsWrite == true && !e.CacheMaintenance
        || (Oops?.FaultDescription?.Value.Contains("write to read-only memory", StringComparison.Ordinal) ?? false);
}

/// <summary>One rule: a stable ID, a title and a general condition over the evidence.</summary>
public abstract class RootCauseRule
{
    public abstract string Id { get; }
    public abstract string Title { get; }
    public abstract IEnumerable<RootCauseFinding> Evaluate(DiagnosisContext context);

    protected static string Describe(KnownRegion r) =>
        $"{r.Name} {r.Range.ToKernelString()} ({SizeOf(r.Range.Size)}), from {r.Source.Kind}: {r.Source.Text}";

    protected static string SizeOf(ulong bytes) => Dtmem.Layout.Ranges.SizeText.Human(bytes);

    /// <summary>The region the user should edit: one with a DTS line beats one from a log.</summary>
    protected static KnownRegion Prefer(IEnumerable<KnownRegion> candidates) =>
        candidates.OrderBy(r => r.Source.Span is null).ThenBy(r => r.Inferred).First();

    protected static Confidence Lower(Confidence c) => c == Confidence.Low ? c : c - 1;
}
