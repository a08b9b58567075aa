namespace Dtmem.DeviceTree.Model;

/// <summary>
/// Reads one source line for a caret display, safely: only regular files of sane size, and only a window of the
/// line around the column, so a device such as /dev/zero or a 200 KB generated line cannot hang or flood the output.
/// </summary>
public static class SourceText
{
    private const long MaxFileBytes = 64L << 20;
    private const int MaxLineChars = 1 << 20;
    private const int Window = 100;

    /// <summary>The line, or the window of it around <paramref name="column"/>; the column is adjusted to match.</summary>
    public static (string Line, int Column)? Excerpt(string file, int line, int column)
    {
        try
        {
            var info = new FileInfo(file);
            if (!info.Exists || info.Length > MaxFileBytes || (info.Attributes & (FileAttributes.Device | FileAttributes.Directory)) != 0 || line < 1)
                return null;
            using var reader = new StreamReader(info.OpenRead());
            var current = 1;
            var sb = new System.Text.StringBuilder();
            int ch;
            while ((ch = reader.Read()) >= 0)
            {
                if (ch == '\n')
                {
                    if (current == line) break;
                    current++;
                    continue;
                }
                if (current == line && ch != '\r')
                {
                    if (sb.Length >= MaxLineChars) break;
                    sb.Append((char)ch);
                }
            }
            if (current != line) return null;
            return Cut(sb.ToString(), column);
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    /// <summary>Cuts a long line to a window around the column, marking the cuts with "...".</summary>
    public static (string Line, int Column) Cut(string text, int column)
    {
        // Control characters (a binary file, NULs from a device) would garble the terminal.
        if (text.Any(c => char.IsControl(c) && c != '\t'))
            text = string.Concat(text.Select(c => char.IsControl(c) && c != '\t' ? '?' : c));
        if (text.Length <= 2 * Window) return (text, column);
        var start = Math.Clamp(column - 1 - Window / 2, 0, Math.Max(0, text.Length - Window));
        var end = Math.Min(text.Length, start + Window);
        var prefix = start > 0 ? "..." : "";
        return (prefix + text[start..end] + (end < text.Length ? "..." : ""), column - start + prefix.Length);
    }
}
