using System.Text.Json;

namespace Dtmem.Reports.Findings;

/// <summary>The SARIF 2.1.0 frame every dtmem report shares: one run, the dtmem driver with its rules, SRCROOT as the
/// base of relative URIs. The caller writes the rules and the results.</summary>
internal static class SarifLog
{
    public const string SrcRoot = "SRCROOT";

    /// <summary>Writes everything up to and including the opening of the "results" array.</summary>
    public static void Begin(Utf8JsonWriter w, ReportContext ctx, Action<Utf8JsonWriter> rules)
    {
        w.WriteStartObject();
        w.WriteString("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
        w.WriteString("version", "2.1.0");
        w.WriteStartArray("runs");
        w.WriteStartObject();
        w.WriteStartObject("tool");
        w.WriteStartObject("driver");
        w.WriteString("name", "dtmem");
        w.WriteString("semanticVersion", ctx.ToolVersion);
        w.WriteStartArray("rules");
        rules(w);
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteStartObject("originalUriBaseIds");
        w.WriteStartObject(SrcRoot);
        w.WriteString("uri", new Uri(Path.TrimEndingDirectorySeparator(Path.GetFullPath(ctx.BaseDirectory)) + "/").AbsoluteUri);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteStartArray("results");
    }

    /// <summary>Closes the results array, the run and the log.</summary>
    public static void End(Utf8JsonWriter w)
    {
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>The index of the rule with this ID in the driver's rules array (SARIF ruleIndex), or -1.</summary>
    public static int RuleIndex<T>(IReadOnlyList<T> rules, Func<T, string> id, string wanted)
    {
        for (var i = 0; i < rules.Count; i++)
            if (id(rules[i]) == wanted) return i;
        return -1;
    }

    public static void ArtifactLocation(Utf8JsonWriter w, string file, ReportContext ctx)
    {
        w.WriteStartObject("artifactLocation");
        w.WriteString("uri", Uri.EscapeDataString(SourcePaths.Relative(file, ctx.BaseDirectory)).Replace("%2F", "/", StringComparison.Ordinal));
        w.WriteString("uriBaseId", SrcRoot);
        w.WriteEndObject();
    }
}
