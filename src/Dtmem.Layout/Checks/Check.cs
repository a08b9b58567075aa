using Dtmem.DeviceTree.Model;
using Dtmem.Layout.Inputs;
using Dtmem.Layout.Model;
using Dtmem.Layout.Ranges;

namespace Dtmem.Layout.Checks;

/// <summary>
/// One rule over a simulated boot. Subclasses are small and stateless: metadata plus <see cref="Run"/>.
/// The severity of each finding starts at <see cref="DefaultSeverity"/> and drops one step when the finding
/// rests on an assumed fact (a guessed kernel placement, a defaulted config); configuration may override it.
/// </summary>
public abstract class Check
{
    /// <summary>Stable ID, DTMnnn.</summary>
    public abstract string Id { get; }
    /// <summary>Stable kebab-case name.</summary>
    public abstract string Name { get; }
    public abstract Severity DefaultSeverity { get; }
    public abstract string Summary { get; }
    /// <summary>The kernel behaviour behind the rule and the versions it applies to.</summary>
    public abstract string Rationale { get; }
    public abstract string Fix { get; }

    public abstract IEnumerable<Finding> Run(BootResult result);

    protected Finding Make(string message, SourceSpan? span, string? subject, AddressRange? range,
        IEnumerable<RelatedLocation>? related = null, IEnumerable<FactRef>? facts = null, Severity? severity = null, bool assumed = false)
    {
        var sev = severity ?? DefaultSeverity;
        if (assumed && sev > Severity.Info) sev--;
        return new Finding(Id, Name, sev, message, span, subject, range, related?.ToList() ?? [], facts?.ToList() ?? []);
    }

    // ---- shared wording and facts -----------------------------------------------------------------

    /// <summary><c>[0x...-0x...] (8 MiB)</c>.</summary>
    protected static string R(AddressRange r) => $"{r.ToKernelString()} ({SizeText.Human(r.Size)})";

    protected static string Hex(ulong v) => SizeText.Hex(v);

    protected static FactRef VersionFact(BootResult r)
    {
        var v = r.Input.Kernel.Version;
        return new FactRef("kernel version", $"{v.Value} (family {r.Rules.Family})", v.Origin, v.IsAssumed);
    }

    /// <summary>Facts behind the kernel image range: its _text and size.</summary>
    protected static IEnumerable<FactRef> KernelFacts(BootResult r)
    {
        if (r.Input.Kernel.TextAddress is { } t) yield return new FactRef("kernel _text", Hex(t.Value), t.Origin, t.IsAssumed);
        if (r.Input.Kernel.ImageSize is { } s) yield return new FactRef("kernel image size", Hex(s.Value), s.Origin, s.IsAssumed);
    }

    /// <summary>Where the RAM came from: a DT memory node is a claim the bootloader may rewrite; --memory or a log is a fact.</summary>
    protected static FactRef MemoryFact(BootResult r) =>
        new("RAM", string.Join(", ", r.Memory.Select(m => m.ToKernelString())),
            r.Input.MemoryOverride?.Origin ?? "the device tree's memory nodes (the bootloader may rewrite them)", r.Input.MemoryOverride?.IsAssumed ?? false);

    protected static FactRef CmaAlignmentFact(BootResult r) =>
        new("CMA minimum alignment", SizeText.Human(r.Rules.CmaMinAlignment), r.Rules.CmaAlignmentRule, r.Rules.CmaAlignmentAssumed);

    protected static RelatedLocation OwnerLocation(RegionOwner o) =>
        new($"{Describe(o)} ({o.Origin}{(o.IsAssumed ? ", assumed" : "")})", o.Span);

    protected static string Describe(RegionOwner o) => o.Kind switch
    {
        OwnerKind.ReservedRegion => $"{o.Region?.Path ?? o.Name} {R(o.Range)}",
        _ => $"{o.Name} {R(o.Range)}",
    };

    protected static IEnumerable<ReservedRegionNode> LiveRegions(BootResult r) =>
        r.Regions.Where(o => o.Status is not (RegionStatus.IgnoredByRoot or RegionStatus.Disabled)).Select(o => o.Node);

    /// <summary>Every range a live region claims: its reg tuples, or its dynamic placement.</summary>
    protected static IEnumerable<(ReservedRegionNode Node, AddressRange Range)> RegionRanges(BootResult r)
    {
        foreach (var o in r.Regions)
        {
            if (o.Status is RegionStatus.IgnoredByRoot or RegionStatus.Disabled or RegionStatus.Malformed) continue;
            if (o.Node.HasReg)
            {
                foreach (var t in o.Node.Reg)
                    if (t.Size != 0) yield return (o.Node, t.Range);
            }
            else if (o.Range is { } placed) yield return (o.Node, placed);
        }
    }

    protected static string Family(BootResult r) => $"Linux {r.Rules.Version.Major}.{r.Rules.Version.Minor} (family {r.Rules.Family})";
}
