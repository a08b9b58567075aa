using System.Globalization;

namespace Dtmem.Diagnosis.Logs;

/// <summary>
/// Splits console output into <see cref="LogLine"/>s. Accepts LF, CRLF and CR line ends, dmesg timestamps,
/// printk caller ids, `&lt;N&gt;` levels (Android/kmsg), syslog and journald headers (`Jan 01 00:00:00 host kernel: `,
/// ISO-8601 `2024-01-01T00:00:00.123456+00:00 host kernel: `) and kdb prompts (`[0]kdb&gt; `).
/// Never throws; time is linear in the input (each prefix is matched once, at the start of the line, with bounded look-ahead).
/// </summary>
public static class LogReader
{
    public const int DefaultMaxLineLength = 64 * 1024;

    public static LogDocument Read(string? text, string fileName, int maxLineLength = DefaultMaxLineLength)
    {
        text ??= string.Empty;
        if (maxLineLength < 16) maxLineLength = 16;
        var lines = new List<LogLine>();
        var issues = new List<LogIssue>();
        int pos = 0, number = 0;
        if (text.Length > 0 && text[0] == '\uFEFF') pos = 1;
        while (pos < text.Length)
        {
            int end = text.AsSpan(pos).IndexOfAny('\n', '\r');
            int lineEnd = end < 0 ? text.Length : pos + end;
            int next = lineEnd;
            if (next < text.Length)
            {
                // CRLF, and the CR CR LF that some serial consoles emit, end a single line.
                if (text[next] == '\r')
                {
                    while (next < text.Length && text[next] == '\r') next++;
                    if (next < text.Length && text[next] == '\n') next++;
                }
                else
                {
                    next++;
                }
            }
            number++;
            int length = lineEnd - pos;
            bool truncated = false;
            if (length > maxLineLength)
            {
                issues.Add(new LogIssue(fileName, number, maxLineLength + 1,
                    $"line is {length} characters long; only the first {maxLineLength} are read (the 'line-length' limit; split the log or raise the limit)"));
                length = maxLineLength;
                truncated = true;
            }
            string raw = text.Substring(pos, length);
            lines.Add(Split(raw, fileName, number, truncated));
            pos = next;
        }
        return new LogDocument(fileName, lines, issues);
    }

    /// <summary>Splits the prefixes off one line (exposed for callers that already have lines).</summary>
    public static LogLine Split(string raw, string fileName, int number, bool truncated = false)
    {
        ReadOnlySpan<char> s = raw;
        double? timestamp = null;
        string? caller = null;
        int? level = null;

        // Each prefix kind at most once, in the order they nest in practice.
        s = StripHostHeader(s);
        s = StripLevel(s, ref level);
        s = StripKdbPrompt(s);
        s = StripTimestamp(s, ref timestamp);
        if (timestamp is null) s = StripHumanTimestamp(s);
        if (timestamp is null) s = StripLateTimestamp(s, ref timestamp);
        if (timestamp is not null) s = StripVendorCpu(s);
        s = StripLevel(s, ref level);
        s = StripCaller(s, ref caller);
        return new LogLine(fileName, number, raw, s.ToString(), timestamp, caller, level, truncated);
    }

    private static ReadOnlySpan<char> StripLevel(ReadOnlySpan<char> s, scoped ref int? level)
    {
        if (level is not null || s.Length < 3 || s[0] != '<') return s;
        int i = 1, value = 0;
        while (i < s.Length && i <= 4 && char.IsAsciiDigit(s[i])) value = value * 10 + (s[i++] - '0');
        if (i == 1 || i >= s.Length || s[i] != '>') return s;
        level = value & 7;
        return s[(i + 1)..];
    }

    private static ReadOnlySpan<char> StripKdbPrompt(ReadOnlySpan<char> s)
    {
        // "[0]kdb> cmd" — keep the command as the text; the attribution layer does not need the CPU number.
        if (s.StartsWith("kdb> ")) return s[5..];
        if (s.Length < 7 || s[0] != '[') return s;
        int i = 1;
        while (i < s.Length && i < 6 && char.IsAsciiDigit(s[i])) i++;
        if (i == 1 || !s[i..].StartsWith("]kdb>")) return s;
        s = s[(i + 5)..];
        return s.Length > 0 && s[0] == ' ' ? s[1..] : s;
    }

    private static ReadOnlySpan<char> StripTimestamp(ReadOnlySpan<char> s, scoped ref double? timestamp)
    {
        if (s.Length < 3 || s[0] != '[') return s;
        int i = 1;
        while (i < s.Length && s[i] == ' ' && i < 24) i++;
        int digits = i;
        while (i < s.Length && char.IsAsciiDigit(s[i]) && i - digits < 12) i++;
        if (i == digits || i >= s.Length || s[i] != '.') return s;
        int frac = ++i;
        while (i < s.Length && char.IsAsciiDigit(s[i]) && i - frac < 9) i++;
        if (i == frac || i >= s.Length) return s;
        int end = i;
        // Amlogic vendor kernels append the CPU: "[    7.910564@0]"
        if (s[i] == '@')
        {
            i++;
            while (i < s.Length && char.IsAsciiDigit(s[i]) && i - end < 4) i++;
        }
        if (i >= s.Length || s[i] != ']') return s;
        if (double.TryParse(s[digits..end], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double t)) timestamp = t;
        s = s[(i + 1)..];
        // Qualcomm/Android vendor kernels glue the CPU number to the timestamp: "[  495.206811][ 1] ". Only up to three
        // digits and without a space before it, so that a walk line "[ 1.2] [74736958] *pgd=…" keeps its address.
        if (s.Length > 2 && s[0] == '[')
        {
            int j = 1;
            while (j < s.Length && s[j] == ' ' && j < 4) j++;
            int d = j;
            while (j < s.Length && char.IsAsciiDigit(s[j]) && j - d < 4) j++;
            if (j > d && j - d <= 3 && j < s.Length && s[j] == ']') s = s[(j + 1)..];
        }
        return s.Length > 0 && s[0] == ' ' ? s[1..] : s;
    }

    /// <summary>
    /// Samsung/Spreadtrum vendor kernels print the CPU after the timestamp (CONFIG_PRINTK_CPU_ID: "c1 "), some also the
    /// task ("c0 1 (swapper/0) "). Only called after a timestamp, where kernel messages do not start with "c&lt;digit&gt;".
    /// </summary>
    private static ReadOnlySpan<char> StripVendorCpu(ReadOnlySpan<char> s)
    {
        if (s.Length < 2 || s[0] != 'c') return s;
        int i = SkipDigits(s, 1, 3);
        if (i < 0 || (i < s.Length && s[i] != ' ')) return s;
        if (i >= s.Length) return [];
        var rest = s[(i + 1)..];
        // optional "<pid> (<comm>) "
        int p = SkipDigits(rest, 0, 7);
        if (p > 0 && rest[p..].StartsWith(" ("))
        {
            int close = rest[(p + 2)..].IndexOf(") ");
            if (close >= 0 && close <= 16) return rest[(p + 2 + close + 2)..];
        }
        return rest;
    }

    /// <summary>`dmesg -T`: "[Tue Jan 24 19:21:10 2023] ".</summary>
    private static ReadOnlySpan<char> StripHumanTimestamp(ReadOnlySpan<char> s)
    {
        if (s.Length < 26 || s[0] != '[' || !char.IsLetter(s[1])) return s;
        int close = s[..Math.Min(s.Length, 40)].IndexOf(']');
        if (close < 20) return s;
        var inner = s[1..close];
        int colon = inner.IndexOf(':');
        if (colon < 0 || colon + 5 >= inner.Length || inner[colon + 3] != ':') return s;
        s = s[(close + 1)..];
        return s.Length > 0 && s[0] == ' ' ? s[1..] : s;
    }

    /// <summary>
    /// A kernel line that starts mid-line: a shell prompt, a wall-clock stamp added by a capture tool, or user-space
    /// output before the kernel's "[ 123.456789]". Only a timestamp with at least six fraction digits counts, so that
    /// ordinary bracketed text is left alone.
    /// </summary>
    private static ReadOnlySpan<char> StripLateTimestamp(ReadOnlySpan<char> s, scoped ref double? timestamp)
    {
        int limit = Math.Min(s.Length, 256);
        if (limit < 2) return s;
        int first = s[1..limit].IndexOf('[');
        for (int at = first < 0 ? -1 : first + 1; at > 0 && at < limit; )
        {
            var rest = s[at..];
            double? t = null;
            var after = StripTimestamp(rest, ref t);
            if (t is not null)
            {
                int dot = rest.IndexOf('.');
                int close = rest.IndexOf(']');
                if (dot > 0 && close - dot - 1 >= 6)
                {
                    timestamp = t;
                    return after;
                }
            }
            int next = s[(at + 1)..limit].IndexOf('[');
            at = next < 0 ? -1 : at + 1 + next;
        }
        return s;
    }

    private static ReadOnlySpan<char> StripCaller(ReadOnlySpan<char> s, scoped ref string? caller)
    {
        // "[    T123] " or "[     C0] " (CONFIG_PRINTK_CALLER pads to 6 characters).
        if (s.Length < 4 || s[0] != '[') return s;
        int i = 1;
        while (i < s.Length && s[i] == ' ' && i < 12) i++;
        if (i >= s.Length || (s[i] != 'T' && s[i] != 'C')) return s;
        int start = i++;
        int digits = i;
        while (i < s.Length && char.IsAsciiDigit(s[i]) && i - digits < 10) i++;
        if (i == digits || i >= s.Length || s[i] != ']') return s;
        caller = s[start..i].ToString();
        s = s[(i + 1)..];
        return s.Length > 0 && s[0] == ' ' ? s[1..] : s;
    }

    private static ReadOnlySpan<char> StripHostHeader(ReadOnlySpan<char> s)
    {
        // "Jan  1 00:00:00 host kernel: " (syslog, journalctl short) or "Apr 15 13:58:08.549417 host kernel: " (short-precise)
        // or "2024-01-01T00:00:00.123+0000 host kernel: " (short-iso). Only lines from the "kernel" identifier are unwrapped,
        // so other daemons' lines stay as they are and match nothing.
        int i;
        int month = MonthToken(s);
        if (month > 0 && s.Length >= month + 12)
        {
            i = month + 1;
            if (s[i] == ' ') i++;
            i = SkipDigits(s, i, 2);
            if (i <= 0 || i >= s.Length || s[i] != ' ') return s;
            i = SkipClock(s, i + 1);
        }
        else if (s.Length >= 20 && char.IsAsciiDigit(s[0]) && s[4] == '-' && s[7] == '-' && (s[10] == 'T' || s[10] == ' '))
        {
            i = SkipClock(s, 11);
            if (i > 0) i = SkipZone(s, i);
        }
        else
        {
            return s;
        }
        if (i <= 0 || i >= s.Length || s[i] != ' ') return s;
        // journalctl prints no host name when it has none ("Sep 21 17:06:49 kernel: ").
        var direct = KernelIdentifier(s[(i + 1)..]);
        if (direct >= 0) return s[(i + 1 + direct)..];
        // host name, then the identifier
        int hostEnd = s[(i + 1)..].IndexOf(' ');
        if (hostEnd <= 0 || hostEnd > 255) return s;
        var rest = s[(i + 1 + hostEnd + 1)..];
        int length = KernelIdentifier(rest);
        return length < 0 ? s : rest[length..];
    }

    /// <summary>Length of a leading `kernel: ` / `kernel[0]: ` identifier (with its space), or -1.</summary>
    private static int KernelIdentifier(ReadOnlySpan<char> s)
    {
        if (!s.StartsWith("kernel")) return -1;
        int i = 6;
        if (i < s.Length && s[i] == '[')
        {
            int close = s[i..].IndexOf(']');
            if (close < 0 || close > 12) return -1;
            i += close + 1;
        }
        if (i == s.Length - 1 && s[i] == ':') return s.Length;
        return s[i..].StartsWith(": ") ? i + 2 : -1;
    }

    /// <summary>Length of a leading month name (any script: journald prints the locale's abbreviation, e.g. "июл", "ott", "vas."),
    /// when followed by a space; 0 otherwise.</summary>
    private static int MonthToken(ReadOnlySpan<char> s)
    {
        int i = 0;
        while (i < s.Length && i < 12 && char.IsLetter(s[i])) i++;
        if (i >= 2 && i < s.Length && s[i] == '.') i++; // "vas." (lt), "févr." (fr)
        return i >= 2 && i < s.Length && s[i] == ' ' ? i : 0;
    }

    private static int SkipDigits(ReadOnlySpan<char> s, int i, int max)
    {
        int start = i;
        while (i < s.Length && i - start < max && char.IsAsciiDigit(s[i])) i++;
        return i == start ? -1 : i;
    }

    /// <summary>HH:MM:SS with optional fraction; returns the index after it or -1.</summary>
    private static int SkipClock(ReadOnlySpan<char> s, int i)
    {
        if (i + 8 > s.Length || s[i + 2] != ':' || s[i + 5] != ':') return -1;
        for (int k = 0; k < 8; k++)
            if (k != 2 && k != 5 && !char.IsAsciiDigit(s[i + k])) return -1;
        i += 8;
        if (i < s.Length && (s[i] == '.' || s[i] == ','))
        {
            int j = SkipDigits(s, i + 1, 9);
            if (j > 0) i = j;
        }
        return i;
    }

    private static int SkipZone(ReadOnlySpan<char> s, int i)
    {
        if (i < s.Length && s[i] == 'Z') return i + 1;
        if (i < s.Length && (s[i] == '+' || s[i] == '-'))
        {
            int j = i + 1;
            while (j < s.Length && j - i <= 6 && (char.IsAsciiDigit(s[j]) || s[j] == ':')) j++;
            return j;
        }
        return i;
    }
}
