using System.Text.Json;
using Dtmem.Diagnosis;
using Dtmem.Diagnosis.Attribution;
using Dtmem.Diagnosis.RootCause;
using Dtmem.Reports.Findings;

namespace Dtmem.Reports.Diagnosis;

/// <summary>SARIF 2.1.0 for `diagnose`/`bootlog`: one result per conclusion, located at the culprit's DTS line when the DT
/// is known, else at the log line that shows it; the other evidence lines are related locations.</summary>
public static class DiagnosisSarif
{
    public static string ToString(DiagnosisReport r, ReportContext ctx) => JsonText.Write(w => Write(w, r, ctx));

    public static void Write(Utf8JsonWriter w, DiagnosisReport r, ReportContext ctx)
    {
        var rules = RootCauseRules.All;
        SarifLog.Begin(w, ctx, w =>
        {
            foreach (var rule in rules)
            {
                w.WriteStartObject();
                w.WriteString("id", rule.Id);
                w.WriteStartObject("shortDescription"); w.WriteString("text", rule.Title); w.WriteEndObject();
                w.WriteStartObject("properties"); w.WriteString("docs", "docs/diagnosis.md"); w.WriteEndObject();
                w.WriteEndObject();
            }
        });
        foreach (var f in r.Findings)
        {
            w.WriteStartObject();
            w.WriteString("ruleId", f.Id);
            var index = SarifLog.RuleIndex(rules, r => r.Id, f.Id);
            if (index >= 0) w.WriteNumber("ruleIndex", index);
            w.WriteString("level", f.ExplainsFault || f.Confidence == Confidence.High ? "error" : "warning");
            w.WriteStartObject("message"); w.WriteString("text", $"{f.Statement} Fix: {f.Fix}"); w.WriteEndObject();
            w.WriteStartArray("locations");
            var primary = f.Culprit?.Source ?? f.Evidence.Select(e => e.Source).FirstOrDefault(s => s is not null);
            Location(w, primary, null, null, ctx);
            w.WriteEndArray();
            var related = f.Evidence.Where(e => e.Source is not null && e.Source != primary).ToList();
            if (related.Count > 0)
            {
                w.WriteStartArray("relatedLocations");
                for (int i = 0; i < related.Count; i++) Location(w, related[i].Source, related[i].Text, i + 1, ctx);
                w.WriteEndArray();
            }
            w.WriteStartObject("properties"); w.WriteString("confidence", DiagnosisText.Confidence(f.Confidence)); w.WriteEndObject();
            w.WriteEndObject();
        }
        SarifLog.End(w);
    }

    private static void Location(Utf8JsonWriter w, RegionSource? s, string? message, int? id, ReportContext ctx)
    {
        w.WriteStartObject();
        if (id is { } i) w.WriteNumber("id", i);
        if (message is not null) { w.WriteStartObject("message"); w.WriteString("text", message); w.WriteEndObject(); }
        var file = s?.Span?.File ?? s?.Line?.File ?? ctx.Input;
        int line = s?.Span?.Line ?? s?.Line?.Line ?? 0;
        w.WriteStartObject("physicalLocation");
        SarifLog.ArtifactLocation(w, file, ctx);
        if (line > 0)
        {
            w.WriteStartObject("region");
            w.WriteNumber("startLine", line);
            if (s?.Span is { Column: > 0 } sp) w.WriteNumber("startColumn", sp.Column);
            w.WriteEndObject();
        }
        w.WriteEndObject();
        w.WriteEndObject();
    }
}
