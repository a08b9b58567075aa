using Dtmem.Layout.Checks;

namespace Dtmem.Reports.Findings;

/// <summary>What a findings report says besides the findings: the input, the facts it rested on, the assumptions.</summary>
public sealed record ReportContext
{
    public required string Input { get; init; }

    /// <summary>Folder that relative URIs in SARIF and JSON are taken against (SARIF's SRCROOT).</summary>
    public string BaseDirectory { get; init; } = Environment.CurrentDirectory;

    public string ToolVersion { get; init; } = typeof(ReportContext).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    /// <summary>Facts the run used (kernel version, placement, memory), each with its origin.</summary>
    public IReadOnlyList<FactRef> Facts { get; init; } = [];

    /// <summary>Defaults the model had to assume, in words.</summary>
    public IReadOnlyList<string> Assumptions { get; init; } = [];
}
