using Dtmem.Diagnosis.Oops;

namespace Dtmem.Diagnosis.Logs;

/// <summary>Span helpers shared by the log grammars. None allocate except where they return strings.</summary>
internal static class Scan
{
    /// <summary>Parses 1..16 hex digits with an optional 0x prefix; the whole span must be consumed.</summary>
    public static bool TryHex(ReadOnlySpan<char> s, out ulong value)
    {
        value = 0;
        if (s.Length >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s = s[2..];
        if (s.Length == 0 || s.Length > 16) return false;
        foreach (char c in s)
        {
            int d = HexDigit(c);
            if (d < 0) return false;
            value = (value << 4) | (uint)d;
        }
        return true;
    }

    /// <summary>Reads a hex number at the start of s (optional 0x); returns digits consumed (0 = none).</summary>
    public static int ReadHex(ReadOnlySpan<char> s, out ulong value)
    {
        value = 0;
        int i = 0;
        if (s.Length >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) i = 2;
        int start = i;
        while (i < s.Length && HexDigit(s[i]) >= 0)
        {
            if (i - start >= 16) return 0;
            value = (value << 4) | (uint)HexDigit(s[i]);
            i++;
        }
        return i == start ? 0 : i;
    }

    public static int ReadDecimal(ReadOnlySpan<char> s, out long value)
    {
        value = 0;
        int i = 0;
        bool neg = s.Length > 0 && s[0] == '-';
        if (neg) i = 1;
        int start = i;
        while (i < s.Length && char.IsAsciiDigit(s[i]) && i - start < 18) value = value * 10 + (s[i++] - '0');
        if (i == start) return 0;
        if (neg) value = -value;
        return i;
    }

    public static bool TryInt(ReadOnlySpan<char> s, out int value)
    {
        value = 0;
        int n = ReadDecimal(s, out long v);
        if (n == 0 || n != s.Length || v > int.MaxValue || v < int.MinValue) return false;
        value = (int)v;
        return true;
    }

    private static int HexDigit(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    /// <summary>Text after `key` when s starts with it.</summary>
    public static bool After(ReadOnlySpan<char> s, string key, out ReadOnlySpan<char> rest)
    {
        if (s.StartsWith(key, StringComparison.Ordinal))
        {
            rest = s[key.Length..];
            return true;
        }
        rest = default;
        return false;
    }

    /// <summary>
    /// Parses a code location as the kernel prints it with %pS/%pB or %pK: `sym+0xoff/0xsize [mod]`, `[&lt;addr&gt;] sym+…`,
    /// `? sym+…` (x86 unreliable), `sym+…/… (P)` (6.x arm64 markers), `0xffff…` or a bare hex address.
    /// </summary>
    public static bool TryLocation(ReadOnlySpan<char> s, out CodeLocation location, out bool unreliable)
    {
        location = null!;
        unreliable = false;
        s = s.Trim();
        // Re-flowed logs (blogs, forums) sometimes show "sym + 0x18/0x38".
        if (s.Contains(" + 0x", StringComparison.Ordinal)) s = s.ToString().Replace(" + 0x", "+0x", StringComparison.Ordinal);
        ulong? address = null;
        if (s.StartsWith("[<"))
        {
            int close = s.IndexOf(">]");
            if (close > 2 && TryHex(s[2..close], out ulong a)) address = a;
            s = s[(close < 0 ? s.Length : close + 2)..].TrimStart();
        }
        if (s.StartsWith("? "))
        {
            unreliable = true;
            s = s[2..].TrimStart();
        }
        if (s.Length == 0)
        {
            if (address is null) return false;
            location = new CodeLocation(null, null, null, null, address);
            return true;
        }
        int plus = s.IndexOf("+0x");
        if (plus <= 0)
        {
            // Bare address (symbolisation off) or a symbol without offset is not a call-trace line.
            int end = s.IndexOf(' ');
            var tok = end < 0 ? s : s[..end];
            if (TryHex(tok, out ulong bare) && (tok.Length >= 8 || tok.StartsWith("0x")))
            {
                location = new CodeLocation(null, null, null, null, bare);
                return true;
            }
            return false;
        }
        var sym = s[..plus];
        if (sym.ContainsAny(' ', '\t', '(') || sym.Contains('=')) return false;
        var rest = s[(plus + 1)..];
        int n = ReadHex(rest, out ulong off);
        if (n == 0) return false;
        rest = rest[n..];
        ulong? size = null;
        if (rest.Length > 0 && rest[0] == '/')
        {
            int m = ReadHex(rest[1..], out ulong sz);
            if (m == 0) return false;
            size = sz;
            rest = rest[(1 + m)..];
        }
        rest = rest.TrimStart();
        string? module = null;
        if (rest.Length > 0 && rest[0] == '[')
        {
            int close = rest.IndexOf(']');
            if (close > 1)
            {
                var mod = rest[1..close];
                // "[mod buildid]" in ≥5.15 with CONFIG_STACKTRACE_BUILD_ID
                int sp = mod.IndexOf(' ');
                module = (sp < 0 ? mod : mod[..sp]).ToString();
            }
        }
        location = new CodeLocation(sym.ToString(), off, size, module, address);
        return true;
    }
}
