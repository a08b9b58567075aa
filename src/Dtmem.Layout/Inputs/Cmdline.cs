namespace Dtmem.Layout.Inputs;

/// <summary>The early parameters of the kernel command line that change physical memory (<c>cma=</c>, <c>mem=</c>).</summary>
public sealed record CmdlineOptions
{
    /// <summary><c>cma=</c> size in bytes (0 allowed: no default area), or null when absent.</summary>
    public ulong? CmaSize { get; init; }
    public ulong CmaBase { get; init; }
    public ulong CmaLimit { get; init; }
    /// <summary><c>mem=</c> in bytes (page-aligned down, as early_mem does), or null when absent.</summary>
    public ulong? MemLimit { get; init; }
    /// <summary>The raw <c>cma=</c> / <c>mem=</c> words, for messages.</summary>
    public string? CmaText { get; init; }
    public string? MemText { get; init; }

    /// <summary>Parses the words the way early_param handlers do; the last occurrence of a parameter wins.</summary>
    public static CmdlineOptions Parse(string? cmdline)
    {
        var o = new CmdlineOptions();
        if (string.IsNullOrWhiteSpace(cmdline)) return o;
        foreach (var word in cmdline.Split((char[])[' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (word.StartsWith("cma=", StringComparison.Ordinal))
            {
                // early_cma: cma=nn[MG][@base[-limit]]; with @base and no limit, limit = base + size.
                var text = word[4..];
                var size = MemParse(text, out var rest);
                ulong b = 0, l = 0;
                if (rest.StartsWith('@'))
                {
                    b = MemParse(rest[1..], out rest);
                    l = rest.StartsWith('-') ? MemParse(rest[1..], out _) : unchecked(b + size);
                }
                else if (rest.StartsWith('-'))
                {
                    l = MemParse(rest[1..], out _);
                }
                o = o with { CmaSize = size, CmaBase = b, CmaLimit = l, CmaText = word };
            }
            else if (word.StartsWith("mem=", StringComparison.Ordinal))
            {
                var limit = MemParse(word[4..], out _);
                o = o with { MemLimit = limit & ~0xfffUL, MemText = word };
            }
        }
        return o;
    }

    /// <summary>The kernel's memparse: a C-style number (0x.., 0.., decimal) with an optional K/M/G/T/P/E suffix.</summary>
    public static ulong MemParse(string s, out string rest)
    {
        var i = 0;
        var radix = 10;
        if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) { radix = 16; i = 2; }
        else if (s.Length > 1 && s[0] == '0') { radix = 8; i = 1; }
        ulong n = 0;
        for (; i < s.Length; i++)
        {
            var d = char.IsAsciiDigit(s[i]) ? s[i] - '0' : char.IsAsciiHexDigit(s[i]) ? char.ToLowerInvariant(s[i]) - 'a' + 10 : 99;
            if (d >= radix) break;
            n = unchecked(n * (ulong)radix + (ulong)d);
        }
        var shift = i < s.Length ? char.ToUpperInvariant(s[i]) switch { 'K' => 10, 'M' => 20, 'G' => 30, 'T' => 40, 'P' => 50, 'E' => 60, _ => 0 } : 0;
        if (shift > 0) { n = unchecked(n << shift); i++; }
        rest = s[i..];
        return n;
    }

    public override string ToString() => string.Join(' ', new[] { CmaText, MemText }.Where(x => x is not null));
}
