using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dtmem.DeviceTree.Model;
using Dtmem.Layout.Checks;

namespace Dtmem.Reports.Findings;

/// <summary>
/// SARIF 2.1.0 for code-scanning UIs: rule metadata from the check registry, URIs relative to SRCROOT, related
/// locations, and partial fingerprints that survive line moves (rule, subject node and range, not line numbers).
/// </summary>
public static class SarifFindings
{
    public static string ToString(IReadOnlyList<Finding> findings, ReportContext ctx) =>
        JsonText.Write(w => Write(w, findings, ctx));

    public static void Write(Utf8JsonWriter w, IReadOnlyList<Finding> findings, ReportContext ctx)
    {
        var rules = CheckRegistry.All;
        SarifLog.Begin(w, ctx, w =>
        {
            foreach (var c in rules)
            {
                w.WriteStartObject();
                w.WriteString("id", c.Id);
                w.WriteString("name", ToPascal(c.Name));
                w.WriteStartObject("shortDescription"); w.WriteString("text", c.Summary); w.WriteEndObject();
                w.WriteStartObject("fullDescription"); w.WriteString("text", c.Rationale); w.WriteEndObject();
                w.WriteStartObject("help"); w.WriteString("text", c.Fix); w.WriteEndObject();
                w.WriteStartObject("defaultConfiguration"); w.WriteString("level", Level(c.DefaultSeverity)); w.WriteEndObject();
                w.WriteStartObject("properties"); w.WriteString("docs", $"docs/checks/{c.Id}.md"); w.WriteEndObject();
                w.WriteEndObject();
            }
        });
        foreach (var f in findings)
        {
            w.WriteStartObject();
            w.WriteString("ruleId", f.Id);
            var index = SarifLog.RuleIndex(rules, c => c.Id, f.Id);
            if (index >= 0) w.WriteNumber("ruleIndex", index);
            w.WriteString("level", Level(f.Severity));
            w.WriteStartObject("message"); w.WriteString("text", f.Message); w.WriteEndObject();
            w.WriteStartArray("locations");
            WriteLocation(w, f.Span, f.Subject, null, null, ctx);
            w.WriteEndArray();
            if (f.Related.Count > 0)
            {
                w.WriteStartArray("relatedLocations");
                for (var i = 0; i < f.Related.Count; i++)
                    WriteLocation(w, f.Related[i].Span, null, f.Related[i].Message, i + 1, ctx);
                w.WriteEndArray();
            }
            w.WriteStartObject("partialFingerprints");
            w.WriteString("dtmemFinding/v1", Fingerprint(f));
            w.WriteEndObject();
            w.WriteEndObject();
        }
        SarifLog.End(w);
    }

    private static void WriteLocation(Utf8JsonWriter w, SourceSpan? span, string? subject, string? message, int? id, ReportContext ctx)
    {
        w.WriteStartObject();
        if (id is { } i) w.WriteNumber("id", i);
        if (message is not null) { w.WriteStartObject("message"); w.WriteString("text", message); w.WriteEndObject(); }
        var file = span?.File ?? ctx.Input;
        w.WriteStartObject("physicalLocation");
        SarifLog.ArtifactLocation(w, file, ctx);
        if (span is { IsBinary: true })
        {
            w.WriteStartObject("region"); w.WriteNumber("byteOffset", span.ByteOffset); w.WriteEndObject();
        }
        else if (span is { Line: > 0 })
        {
            w.WriteStartObject("region"); w.WriteNumber("startLine", span.Line); w.WriteNumber("startColumn", Math.Max(1, span.Column)); w.WriteEndObject();
        }
        w.WriteEndObject();
        if (subject is not null)
        {
            w.WriteStartArray("logicalLocations");
            w.WriteStartObject();
            w.WriteString("fullyQualifiedName", subject);
            w.WriteString("kind", "element");
            w.WriteEndObject();
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }

    private static string Fingerprint(Finding f)
    {
        var key = $"{f.Id}|{f.Subject}|{f.Range?.Start:x}|{f.Range?.End:x}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..32];
    }

    private static string Level(Severity s) => s switch
    {
        Severity.Error => "error",
        Severity.Warning => "warning",
        _ => "note",
    };

    private static string ToPascal(string kebab) =>
        string.Concat(kebab.Split('-', StringSplitOptions.RemoveEmptyEntries).Select(p => char.ToUpperInvariant(p[0]) + p[1..]));
}
