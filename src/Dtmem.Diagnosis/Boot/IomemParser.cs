using Dtmem.Diagnosis.Logs;

namespace Dtmem.Diagnosis.Boot;

/// <summary>
/// /proc/iomem: `%0*llx-%0*llx : name`, two spaces of indentation per nesting level, inclusive ends.
/// Lines that do not fit are reported with their location and skipped.
/// </summary>
public static class IomemParser
{
    /// <summary>Parses a whole dump. Ranges have Kind = Iomem, Depth and Parent set.</summary>
    public static BootEvidence Parse(string text, string fileName, int maxLineLength = LogReader.DefaultMaxLineLength)
    {
        var ev = new BootEvidence();
        var doc = LogReader.Read(text, fileName, maxLineLength);
        foreach (var issue in doc.Issues) ev.NoteList.Add(new DiagnosisNote("line-truncated", issue.Message, new LineRef(issue.File, issue.Line, "")));
        var stack = new List<int>(); // indices of the open ancestors, one per depth
        bool allZero = true;
        foreach (var line in doc.Lines)
        {
            // Accept iomem pasted from a timestamped console too: use the prefix-free text.
            var lineText = line.Text;
            if (lineText.AsSpan().Trim().Length == 0) continue;
            if (!TryLine(lineText, out int depth, out var range, out var name))
            {
                ev.NoteList.Add(new DiagnosisNote("iomem-unparsed", $"not an iomem line (expected 'start-end : name'): {Clip(lineText)}", line.Ref));
                continue;
            }
            if (depth > stack.Count)
            {
                ev.NoteList.Add(new DiagnosisNote("iomem-indent", $"indentation jumps from level {stack.Count - 1} to {depth}; treated as level {stack.Count}", line.Ref));
                depth = stack.Count;
            }
            if (stack.Count > depth) stack.RemoveRange(depth, stack.Count - depth);
            int parent = depth == 0 ? -1 : stack[depth - 1];
            if (parent >= 0 && !(range.Start >= ev.RangeList[parent].Range.Start && range.EndInclusive <= ev.RangeList[parent].Range.EndInclusive))
                ev.NoteList.Add(new DiagnosisNote("iomem-outside-parent", $"{range} '{name}' is not inside its parent {ev.RangeList[parent].Range} '{ev.RangeList[parent].Name}'", line.Ref));
            ev.RangeList.Add(new BootRange(BootRangeKind.Iomem, range, name, null, line.Ref) { Depth = depth, Parent = parent });
            stack.Add(ev.RangeList.Count - 1);
            if (range.Start != 0 || range.EndInclusive != 0) allZero = false;
        }
        if (allZero && ev.RangeList.Count > 1)
            ev.NoteList.Add(new DiagnosisNote("iomem-zeroed", "every address is zero: /proc/iomem was read without root (CAP_SYS_ADMIN); read it as root", ev.RangeList[0].Source));
        return ev;
    }

    /// <summary>One iomem line: depth (indent / 2), inclusive range and name.</summary>
    public static bool TryLine(string text, out int depth, out PrintedRange range, out string name)
    {
        depth = 0;
        range = default;
        name = "";
        var s = text.AsSpan();
        int indent = 0;
        while (indent < s.Length && s[indent] == ' ') indent++;
        if (indent % 2 != 0 || indent > 64) return false;
        s = s[indent..];
        int n = Scan.ReadHex(s, out ulong a);
        if (n < 4 || s.StartsWith("0x") || n >= s.Length || s[n] != '-') return false;
        int m = Scan.ReadHex(s[(n + 1)..], out ulong b);
        if (m < 4 || s[(n + 1)..].StartsWith("0x")) return false;
        var rest = s[(n + 1 + m)..];
        if (!rest.StartsWith(" : ")) return false;
        depth = indent / 2;
        range = new PrintedRange(a, b);
        name = rest[3..].Trim().ToString();
        return true;
    }

    private static string Clip(string s) => s.Length > 80 ? s[..80] + "…" : s;
}
