using Dtmem.DeviceTree.Model;
using Dtmem.Layout.Ranges;

namespace Dtmem.Layout.Checks;

public enum Severity { Info, Warning, Error }

/// <summary>Another place that matters to a finding: the other region's definition, the origin of the kernel placement, ...</summary>
public sealed record RelatedLocation(string Message, SourceSpan? Span);

/// <summary>A fact a finding rests on, with where it came from.</summary>
public sealed record FactRef(string Name, string Value, string Origin, bool IsAssumed);

/// <summary>One problem found in a layout. Plain data, ready for text, JSON and SARIF renderers.</summary>
/// <param name="Id">Stable check ID (<c>DTM003</c>).</param>
/// <param name="Name">Stable kebab-case name of the check (<c>cma-overlaps-kernel</c>).</param>
/// <param name="Message">One paragraph: both ranges in kernel style, sizes, and the consequence.</param>
/// <param name="Span">Primary location: the property (reg, size, ...) to change.</param>
/// <param name="Subject">The device-tree path (or other name) the finding is about.</param>
public sealed record Finding(
    string Id,
    string Name,
    Severity Severity,
    string Message,
    SourceSpan? Span,
    string? Subject,
    AddressRange? Range,
    IReadOnlyList<RelatedLocation> Related,
    IReadOnlyList<FactRef> Facts)
{
    public override string ToString() => $"{Span?.ToString() ?? Subject ?? "-"}: {Severity.ToString().ToLowerInvariant()}: {Message} [{Id} {Name}]";
}
