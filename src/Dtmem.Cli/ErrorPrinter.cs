using Dtmem.DeviceTree.Model;

namespace Dtmem.Cli;

/// <summary>Prints located errors as gcc and dtc users expect: location, message, the source line and a caret.</summary>
internal static class ErrorPrinter
{
    public static void Print(TextWriter w, DtException e)
    {
        if (e.At is { } at)
        {
            foreach (var included in at.IncludedFromLines(s => s.ToString()))
                w.WriteLine(included);
        }
        w.WriteLine(e.ToString());
        if (e.At is { IsBinary: false, Line: > 0 } span &&
            (e.SourceLine is { } known ? SourceText.Cut(known.TrimEnd('\r'), span.Column) : SourceText.Excerpt(span.File, span.Line, span.Column)) is ({ } line, var column))
        {
            w.WriteLine("  " + line);
            var col = Math.Clamp(column, 1, line.Length + 1);
            // Keep tabs so the caret lines up under the same characters.
            w.WriteLine("  " + new string([.. line.Take(col - 1).Select(c => c == '\t' ? '\t' : ' ')]) + "^");
        }
        if (e.Limit is { } limit)
            w.WriteLine(Limits.Hint(limit));
    }
}
