using Dtmem.Diagnosis.Logs;

namespace Dtmem.Diagnosis.Boot;

/// <summary>/sys/kernel/debug/memblock/{memory,reserved}: `%4d: %pa..%pa` (5.4) or `%4d: %pa..%pa %4d %s` (nid or `x`, flags).</summary>
public static class MemblockDebugfsParser
{
    /// <param name="reserved">true for the `reserved` file, false for `memory`</param>
    public static BootEvidence Parse(string text, string fileName, bool reserved, int maxLineLength = LogReader.DefaultMaxLineLength)
    {
        var ev = new BootEvidence();
        var doc = LogReader.Read(text, fileName, maxLineLength);
        var kind = reserved ? BootRangeKind.DebugfsReserved : BootRangeKind.DebugfsMemory;
        foreach (var line in doc.Lines)
        {
            var s = line.Text.AsSpan().Trim();
            if (s.Length == 0) continue;
            int colon = s.IndexOf(": ");
            int dots = s.IndexOf("..");
            if (colon <= 0 || dots < 0 || !Scan.TryInt(s[..colon], out int index)
                || !Scan.TryHex(s[(colon + 2)..dots].Trim(), out ulong a))
            {
                ev.NoteList.Add(new DiagnosisNote("memblock-unparsed", "expected 'N: 0xSTART..0xEND [nid flags]'", line.Ref));
                continue;
            }
            var v = s[(dots + 2)..];
            int n = Scan.ReadHex(v, out ulong b);
            if (n == 0)
            {
                ev.NoteList.Add(new DiagnosisNote("memblock-unparsed", "end address missing after '..'", line.Ref));
                continue;
            }
            var extra = v[n..].Trim();
            string? detail = extra.Length == 0 ? null : string.Join(' ', extra.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries));
            ev.RangeList.Add(new BootRange(kind, new PrintedRange(a, b), index.ToString(System.Globalization.CultureInfo.InvariantCulture), detail, line.Ref));
        }
        return ev;
    }
}
