using Dtmem.Diagnosis.Logs;

namespace Dtmem.Diagnosis.Oops;

/// <summary>
/// Finds every oops/BUG/WARNING/SError report in a console log and extracts its facts (arm64 in full; arm, x86_64 and
/// riscv for the common lines). Tolerates prefixes of every kind, interleaved lines from other callers (when printk
/// caller ids are present), truncated reports and several reports per file. Never throws; linear in the input.
/// </summary>
public static class OopsParser
{
    /// <summary>Lines without any recognised oops line after which an unterminated report is considered finished.</summary>
    private const int MaxGap = 80;

    public static IReadOnlyList<Oops> Parse(string text, string fileName) => Parse(LogReader.Read(text, fileName));

    public static IReadOnlyList<Oops> Parse(LogDocument document)
    {
        var result = new List<OopsBuilder>();
        OopsBuilder? cur = null;
        LogLine? cutHere = null;
        var lines = document.Lines;
        for (int index = 0; index < lines.Count; index++)
        {
            var line = lines[index];
            if (cur is not null && line.Number - cur.LastLine > MaxGap) cur.Closed = true;
            var t = line.Text.AsSpan().TrimStart();
            if (t.Length == 0) continue;

            if (t.StartsWith("------------[ cut here ]") || t.StartsWith("8<--- cut here")) { cutHere = line; continue; }

            // A fault line that another writer's output pushed to mid-line (and possibly wrapped onto the next line).
            var header = OopsLines.TryHeader(t) ?? OopsLines.TryInterleavedHeader(t, index + 1 < lines.Count ? lines[index + 1].Text : null);
            if (header is not null)
            {
                if (cur is not null && !cur.Closed && cur.IsRepeatOf(header))
                {
                    cur.Touch(line);
                    continue;
                }
                if (cur is null || cur.Closed || cur.Stage >= Stage.Header)
                {
                    cur = Start(result, cutHere ?? line);
                }
                cutHere = null;
                cur.ApplyHeader(header, line);
                continue;
            }

            if (OopsLines.TryDie(t, out var die))
            {
                if (cur is null || cur.Closed || cur.Stage >= Stage.Die)
                {
                    cur = Start(result, cutHere ?? line);
                    cur.O.Kind = OopsKind.InternalError;
                }
                cutHere = null;
                cur.ApplyDie(die, line);
                continue;
            }

            if (Scan.After(t, "Kernel panic - not syncing:", out var panic))
            {
                if (cur is null || line.Number - cur.LastLine > MaxGap)
                {
                    cur = Start(result, line);
                    cur.O.Kind = OopsKind.Panic;
                }
                cur.O.PanicMessage = new(panic.Trim().ToString(), line.Ref);
                cur.Touch(line);
                continue;
            }

            if (cur is null && Scan.After(t, "---[ end Kernel panic - not syncing:", out var endPanic))
            {
                // Only the tail of a panic was captured.
                cur = Start(result, line);
                cur.O.Kind = OopsKind.Panic;
                var msg = endPanic.Trim();
                if (msg.EndsWith("]---")) msg = msg[..^4].TrimEnd();
                cur.O.PanicMessage = new(msg.ToString(), line.Ref);
            }
            if ((cur is null || cur.Closed) && t.StartsWith("Mem abort info:"))
            {
                // The fault line was lost (cut paste, ring buffer wrap); the abort block still opens a report.
                cur = Start(result, cutHere ?? line);
                cur.O.Kind = OopsKind.InternalError;
                cutHere = null;
            }
            if (cur is null) continue;
            // "CPU3: stopping" and what follows is another CPU's dump_stack() during panic, not this report.
            if (IsCpuStopping(t)) { cur.Closed = true; continue; }
            // Trailer lines (after the end marker) still belong to the last report.
            if (cur.TryTrailer(t, line)) continue;
            if (cur.Closed) continue;
            if (cur.Caller is not null && line.Caller is not null && line.Caller != cur.Caller) continue;
            cur.ApplyBody(t, line);
        }
        // A die line echoed ahead of the real report (syslogd "Message from syslogd@…" wall broadcasts) is a duplicate.
        var oopses = new List<Oops>(result.Count);
        for (int k = 0; k < result.Count; k++)
        {
            var a = result[k].O;
            var b = k + 1 < result.Count ? result[k + 1].O : null;
            if (result[k].DieOnly && b?.DieLine is not null && a.DieLine!.Value == b.DieLine.Value && b.Start.Line - a.End.Line <= 5)
                continue;
            oopses.Add(result[k].Finish());
        }
        // A report that printed nothing architecture-specific (a lone fault line, a panic tail) came from the same
        // machine as the others in the file.
        var known = oopses.Where(o => o.Arch != OopsArch.Unknown).GroupBy(o => o.Arch).OrderByDescending(g => g.Count()).FirstOrDefault();
        if (known is not null)
            foreach (var o in oopses.Where(o => o.Arch == OopsArch.Unknown)) o.Arch = known.Key;
        return oopses;
    }

    private static bool IsCpuStopping(ReadOnlySpan<char> t)
    {
        if (!t.StartsWith("CPU")) return false;
        int n = Scan.ReadDecimal(t[3..], out _);
        return n > 0 && t[(3 + n)..].StartsWith(": stopping");
    }

    private static OopsBuilder Start(List<OopsBuilder> result, LogLine first)
    {
        var b = new OopsBuilder(first);
        result.Add(b);
        return b;
    }
}

internal enum Stage
{
    None,
    Header,
    Die,
}

internal enum Section
{
    None,
    MemAbort,
    DataAbort,
    CallTrace,
    /// <summary>A second backtrace inside one report (kdb "bt", another CPU's NMI dump): consumed, not recorded.</summary>
    SkippedTrace,
}
