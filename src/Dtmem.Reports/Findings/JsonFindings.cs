using System.Text.Json;
using Dtmem.DeviceTree.Model;
using Dtmem.Layout.Checks;
using Dtmem.Layout.Ranges;

namespace Dtmem.Reports.Findings;

/// <summary>
/// The stable JSON form of a check run (schema "dtmem-findings/1", documented in docs/json.md). Addresses are
/// hex strings so that 64-bit values survive JavaScript readers; ends are exclusive.
/// </summary>
public static class JsonFindings
{
    public const string Schema = "dtmem-findings/1";

    public static void Write(Utf8JsonWriter w, IReadOnlyList<Finding> findings, ReportContext ctx)
    {
        w.WriteStartObject();
        w.WriteString("schema", Schema);
        w.WriteString("tool", "dtmem");
        w.WriteString("version", ctx.ToolVersion);
        w.WriteString("input", SourcePaths.Relative(ctx.Input, ctx.BaseDirectory));
        w.WriteStartArray("facts");
        foreach (var f in ctx.Facts) WriteFact(w, f);
        w.WriteEndArray();
        w.WriteStartArray("assumptions");
        foreach (var a in ctx.Assumptions) w.WriteStringValue(a);
        w.WriteEndArray();
        w.WriteStartArray("findings");
        foreach (var f in findings)
        {
            w.WriteStartObject();
            w.WriteString("id", f.Id);
            w.WriteString("name", f.Name);
            w.WriteString("severity", TextFindings.Word(f.Severity));
            w.WriteString("message", f.Message);
            if (f.Subject is { } subject) w.WriteString("subject", subject);
            if (f.Span is { } s) { w.WritePropertyName("location"); WriteSpan(w, s, ctx.BaseDirectory); }
            if (f.Range is { } r) { w.WritePropertyName("range"); WriteRange(w, r); }
            w.WriteStartArray("related");
            foreach (var rel in f.Related)
            {
                w.WriteStartObject();
                w.WriteString("message", rel.Message);
                if (rel.Span is { } rs) { w.WritePropertyName("location"); WriteSpan(w, rs, ctx.BaseDirectory); }
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("facts");
            foreach (var fact in f.Facts) WriteFact(w, fact);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartObject("summary");
        w.WriteNumber("errors", findings.Count(f => f.Severity == Severity.Error));
        w.WriteNumber("warnings", findings.Count(f => f.Severity == Severity.Warning));
        w.WriteNumber("notes", findings.Count(f => f.Severity == Severity.Info));
        w.WriteEndObject();
        w.WriteEndObject();
    }

    public static string ToString(IReadOnlyList<Finding> findings, ReportContext ctx) =>
        JsonText.Write(w => Write(w, findings, ctx));

    public static void WriteSpan(Utf8JsonWriter w, SourceSpan s, string baseDir)
    {
        w.WriteStartObject();
        w.WriteString("file", SourcePaths.Relative(s.File, baseDir));
        if (s.IsBinary)
        {
            w.WriteNumber("byteOffset", s.ByteOffset);
        }
        else
        {
            w.WriteNumber("line", s.Line);
            w.WriteNumber("column", s.Column);
        }
        w.WriteStartArray("includedFrom");
        foreach (var i in s.IncludeChain())
            w.WriteStringValue(SourcePaths.Location(i, baseDir));
        w.WriteEndArray();
        w.WriteEndObject();
    }

    public static void WriteRange(Utf8JsonWriter w, AddressRange r)
    {
        w.WriteStartObject();
        w.WriteString("start", SizeText.Hex(r.Start));
        w.WriteString("end", SizeText.Hex(r.End));
        w.WriteString("size", SizeText.Hex(r.Size));
        w.WriteString("text", r.ToKernelString());
        w.WriteEndObject();
    }

    public static void WriteFact(Utf8JsonWriter w, FactRef f)
    {
        w.WriteStartObject();
        w.WriteString("name", f.Name);
        w.WriteString("value", f.Value);
        w.WriteString("origin", f.Origin);
        w.WriteBoolean("assumed", f.IsAssumed);
        w.WriteEndObject();
    }
}

/// <summary>Indented UTF-8 JSON text from a writer callback.</summary>
public static class JsonText
{
    public static string Write(Action<Utf8JsonWriter> body)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
            body(w);
        return System.Text.Encoding.UTF8.GetString(ms.ToArray()) + "\n";
    }
}
