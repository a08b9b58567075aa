using Dtmem.DeviceTree.Model;

namespace Dtmem.Cli;

/// <summary>Prints located errors as gcc and dtc users expect: location, message, the source line and a caret.</summary>
internal static class ErrorPrinter
{
    public static void Print(TextWriter w, DtException e)
    {
        if (e.At is { } at)
        {
            foreach (var inc in at.IncludeChain().Reverse())
                w.WriteLine($"In file included from {inc}:");
        }
        w.WriteLine(e.ToString());
        if (e.At is { IsBinary: false, Line: > 0 } span && (e.SourceLine ?? ReadLine(span.File, span.Line)) is { } line)
        {
            w.WriteLine("  " + line.TrimEnd('\r'));
            var col = Math.Clamp(span.Column, 1, line.Length + 1);
            // Keep tabs so the caret lines up under the same characters.
            var pad = new string([.. line.Take(col - 1).Select(c => c == '\t' ? '\t' : ' ')]);
            w.WriteLine("  " + pad + "^");
        }
    }

    private static string? ReadLine(string file, int line)
    {
        try
        {
            if (!File.Exists(file)) return null;
            return File.ReadLines(file).Skip(line - 1).FirstOrDefault();
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }
}
