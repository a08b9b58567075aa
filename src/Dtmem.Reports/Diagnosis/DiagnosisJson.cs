using System.Text.Json;
using Dtmem.Diagnosis;
using Dtmem.Diagnosis.Attribution;
using Dtmem.Diagnosis.RootCause;
using Dtmem.Reports.Findings;

namespace Dtmem.Reports.Diagnosis;

/// <summary>`dtmem diagnose --format json` and `dtmem bootlog --format json` (schema "dtmem-diagnosis/1", docs/json.md).
/// Addresses are hex strings; region ends are exclusive; every fact names its source line.</summary>
public static class DiagnosisJson
{
    public const string Schema = "dtmem-diagnosis/1";

    public static string ToString(DiagnosisReport r, ReportContext ctx) => JsonText.Write(w => Write(w, r, ctx));

    public static void Write(Utf8JsonWriter w, DiagnosisReport r, ReportContext ctx)
    {
        w.WriteStartObject();
        w.WriteString("schema", Schema);
        w.WriteString("tool", "dtmem");
        w.WriteString("version", ctx.ToolVersion);
        w.WriteString("input", SourcePaths.Relative(ctx.Input, ctx.BaseDirectory));
        if (r.Version is { } v) { w.WritePropertyName("kernelVersion"); Fact(w, v.Value.ToString(), v.Origin, v.IsAssumed); }

        w.WriteStartArray("oopses");
        foreach (var o in r.Oopses)
        {
            w.WriteStartObject();
            w.WriteBoolean("primary", o == r.Primary);
            w.WriteString("arch", o.Arch.ToString().ToLowerInvariant());
            w.WriteString("kind", o.Kind.ToString());
            Line(w, "start", o.Start);
            if (o.FaultDescription is { } fd) Sourced(w, "fault", fd.Value, fd.Source);
            if (o.FaultAddress is { } fa) Sourced(w, "faultAddress", Hex(fa.Value), fa.Source);
            if (o.Esr is { } esr) Sourced(w, "esr", Hex(esr.Value), esr.Source);
            if (o.OopsNumber is { } n) w.WriteNumber("number", n.Value);
            if (o.KernelVersion is { } kv) Sourced(w, "kernelVersion", kv.Value, kv.Source);
            if (o.Comm is { } comm) Sourced(w, "comm", comm.Value, comm.Source);
            if (o.Pid is { } pid) w.WriteNumber("pid", pid.Value);
            if (o.Cpu is { } cpu) w.WriteNumber("cpu", cpu.Value);
            if (o.Pc is { } pc) Sourced(w, "pc", pc.Value.ToString(), pc.Source);
            if (o.Lr is { } lr) Sourced(w, "lr", lr.Value.ToString(), lr.Source);
            if (o.WalkPhysicalAddress is { } wpa) Sourced(w, "walkPhysicalAddress", Hex(wpa.Value), wpa.Source);
            w.WriteStartArray("callTrace");
            foreach (var f in o.CallTrace) w.WriteStringValue(f.Location.ToString());
            w.WriteEndArray();
            if (o.EsrDecoded is { } d)
            {
                w.WriteStartObject("esrDecoded");
                w.WriteString("class", d.ClassName);
                w.WriteString("summary", d.Summary);
                w.WriteStartArray("fields");
                foreach (var f in d.Fields)
                {
                    w.WriteStartObject();
                    w.WriteString("name", f.Name);
                    w.WriteString("bits", f.Bits);
                    w.WriteString("value", Hex(f.Value));
                    w.WriteString("meaning", f.Meaning);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();

        if (r.Translation is { } t)
        {
            w.WriteStartObject("translation");
            w.WriteString("virtualAddress", Hex(t.VirtualAddress));
            w.WriteString("region", t.Region.ToString());
            if (t.PhysicalAddress is { } pa) w.WriteString("physicalAddress", Hex(pa)); else w.WriteNull("physicalAddress");
            if (t.Method is { } m) w.WriteString("method", m);
            if (t.AgreesWithWalk is { } agree) w.WriteBoolean("agreesWithWalk", agree);
            w.WriteStartObject("parameters");
            var p = t.Parameters;
            w.WritePropertyName("vaBits"); Fact(w, p.VaBits.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), p.VaBits.Origin, p.VaBits.IsAssumed);
            w.WritePropertyName("pageOffset"); Fact(w, Hex(p.PageOffset.Value), p.PageOffset.Origin, p.PageOffset.IsAssumed);
            if (p.PhysOffset is { } po) { w.WritePropertyName("physOffset"); Fact(w, Hex(po.Value), po.Origin, po.IsAssumed); }
            if (p.KimageVoffset is { } kv) { w.WritePropertyName("kimageVoffset"); Fact(w, Hex(kv.Value), kv.Origin, kv.IsAssumed); }
            w.WriteEndObject();
            w.WriteStartArray("steps");
            foreach (var s in t.Steps) w.WriteStringValue(s);
            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteStartArray("hits");
        foreach (var h in r.Hits) Region(w, h, ctx);
        w.WriteEndArray();
        w.WriteStartArray("regions");
        foreach (var h in r.Regions.Regions.OrderBy(x => x.Range.Start)) Region(w, h, ctx);
        w.WriteEndArray();

        w.WriteStartArray("findings");
        foreach (var f in r.Findings)
        {
            w.WriteStartObject();
            w.WriteString("id", f.Id);
            w.WriteString("title", f.Title);
            w.WriteString("confidence", DiagnosisText.Confidence(f.Confidence));
            w.WriteBoolean("explainsFault", f.ExplainsFault);
            w.WriteString("statement", f.Statement);
            w.WriteString("fix", f.Fix);
            if (f.Culprit is { } c) { w.WritePropertyName("culprit"); Region(w, c, ctx); }
            w.WriteStartArray("evidence");
            foreach (var e in f.Evidence)
            {
                w.WriteStartObject();
                w.WriteString("text", e.Text);
                if (e.Source is { } s) { w.WritePropertyName("source"); Source(w, s, ctx); }
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();

        // What the log readers could not take in whole (cut lines, zeroed /proc/iomem, unparsed ranges).
        w.WriteStartArray("inputNotes");
        foreach (var n in r.Boot?.Notes ?? [])
        {
            w.WriteStartObject();
            w.WriteString("code", n.Code);
            w.WriteString("message", n.Message);
            if (n.Source is { } src)
            {
                w.WriteString("file", SourcePaths.Relative(src.File, ctx.BaseDirectory));
                w.WriteNumber("line", src.Line);
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void Region(Utf8JsonWriter w, KnownRegion h, ReportContext ctx)
    {
        w.WriteStartObject();
        w.WriteString("role", h.Role.ToString());
        w.WriteString("name", h.Name);
        w.WritePropertyName("range"); JsonFindings.WriteRange(w, h.Range);
        if (h.Detail is { } d) w.WriteString("detail", d);
        w.WriteBoolean("inferred", h.Inferred);
        w.WritePropertyName("source"); Source(w, h.Source, ctx);
        w.WriteEndObject();
    }

    private static void Source(Utf8JsonWriter w, RegionSource s, ReportContext ctx)
    {
        w.WriteStartObject();
        w.WriteString("kind", s.Kind);
        w.WriteString("text", s.Text);
        if (s.Span is { } span) { w.WritePropertyName("location"); JsonFindings.WriteSpan(w, span, ctx.BaseDirectory); }
        if (s.Line is { } l) { w.WritePropertyName("line"); LineObject(w, l, ctx); }
        w.WriteEndObject();
    }

    private static void LineObject(Utf8JsonWriter w, LineRef l, ReportContext ctx)
    {
        w.WriteStartObject();
        w.WriteString("file", SourcePaths.Relative(l.File, ctx.BaseDirectory));
        w.WriteNumber("line", l.Line);
        w.WriteEndObject();
    }

    private static void Line(Utf8JsonWriter w, string name, LineRef l)
    {
        w.WriteStartObject(name);
        w.WriteString("file", l.File);
        w.WriteNumber("line", l.Line);
        w.WriteEndObject();
    }

    private static void Sourced(Utf8JsonWriter w, string name, string value, LineRef l)
    {
        w.WriteStartObject(name);
        w.WriteString("value", value);
        w.WriteNumber("line", l.Line);
        w.WriteEndObject();
    }

    private static void Fact(Utf8JsonWriter w, string value, string origin, bool assumed)
    {
        w.WriteStartObject();
        w.WriteString("value", value);
        w.WriteString("origin", origin);
        w.WriteBoolean("assumed", assumed);
        w.WriteEndObject();
    }

    private static string Hex(ulong v) => "0x" + v.ToString("x", System.Globalization.CultureInfo.InvariantCulture);
}
