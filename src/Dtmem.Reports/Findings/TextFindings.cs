using Dtmem.DeviceTree.Model;
using Dtmem.Layout.Checks;

namespace Dtmem.Reports.Findings;

/// <summary>
/// gcc-style findings: <c>file:line:col: error: message [ID name]</c>, the source line with a caret, then notes
/// for related locations and the facts the finding rests on. Editors and CI log scrapers already understand it.
/// </summary>
public static class TextFindings
{
    public static void Write(TextWriter w, IReadOnlyList<Finding> findings, ReportContext ctx)
    {
        foreach (var f in findings.OrderByDescending(f => f.Severity))
        {
            var where = f.Span is { } s ? SourcePaths.Location(s, ctx.BaseDirectory) : $"{ctx.Input}: {f.Subject ?? "/"}";
            if (f.Span is { } inc)
                foreach (var included in inc.IncludedFromLines(i => SourcePaths.Location(i, ctx.BaseDirectory)))
                    w.WriteLine(included);
            w.WriteLine($"{where}: {Word(f.Severity)}: {f.Message} [{f.Id} {f.Name}]");
            if (f.Span is { IsBinary: false } span && SourceText.Excerpt(span.File, span.Line, span.Column) is ({ } line, var column))
            {
                w.WriteLine("  " + line);
                var col = Math.Clamp(column, 1, line.Length + 1);
                w.WriteLine("  " + new string([.. line.Take(col - 1).Select(c => c == '\t' ? '\t' : ' ')]) + "^");
            }
            else if (f.Span is { IsBinary: true } && f.Subject is { } subject)
            {
                w.WriteLine($"  in node {subject}");
            }
            foreach (var r in f.Related)
            {
                var at = r.Span is { } rs ? SourcePaths.Location(rs, ctx.BaseDirectory) : "dtmem";
                w.WriteLine($"{at}: note: {r.Message}");
            }
            foreach (var fact in f.Facts)
                w.WriteLine($"  {(fact.IsAssumed ? "assumed" : "from")}: {fact.Name} = {fact.Value} ({fact.Origin})");
        }
        var errors = findings.Count(f => f.Severity == Severity.Error);
        var warnings = findings.Count(f => f.Severity == Severity.Warning);
        var infos = findings.Count(f => f.Severity == Severity.Info);
        foreach (var a in ctx.Assumptions) w.WriteLine($"dtmem: assumed: {a}");
        w.WriteLine($"{ctx.Input}: {Plural(errors, "error")}, {Plural(warnings, "warning")}, {Plural(infos, "note")}");
    }

    public static string Word(Severity s) => s switch
    {
        Severity.Error => "error",
        Severity.Warning => "warning",
        _ => "note",
    };

    private static string Plural(int n, string word) => n == 1 ? $"1 {word}" : $"{n} {word}s";
}
