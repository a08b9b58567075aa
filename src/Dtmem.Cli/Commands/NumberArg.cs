using System.Globalization;

namespace Dtmem.Cli;

/// <summary>
/// Numbers in options as engineers type them: 0x10000000, 268435456, 8M, 2G (K/M/G/T suffixes are powers of 1024),
/// and pairs BASE,SIZE. Anything else is a usage error that names the option.
/// </summary>
internal static class NumberArg
{
    public static ulong Parse(string option, string text)
    {
        var s = text.Trim();
        var shift = 0;
        // K/M/G/T are never hex digits, so a trailing one is always a suffix.
        if (s.Length > 0 && char.ToUpperInvariant(s[^1]) is 'K' or 'M' or 'G' or 'T')
        {
            shift = char.ToUpperInvariant(s[^1]) switch { 'K' => 10, 'M' => 20, 'G' => 30, _ => 40 };
            s = s[..^1];
        }
        var ok = s.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? ulong.TryParse(s.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var n)
            : ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out n);
        if (!ok || s.Length == 0)
            throw new CliException($"{option} {text}: not a number; write it as 0x10000000, 268435456 or 256M");
        if (shift > 0 && n > (ulong.MaxValue >> shift))
            throw new CliException($"{option} {text}: too large for a 64-bit address");
        return n << shift;
    }

    public static (ulong Base, ulong Size) ParsePair(string option, string text)
    {
        var parts = text.Split(',');
        if (parts.Length != 2)
            throw new CliException($"{option} {text}: expected BASE,SIZE, for example {option} 0x40000000,2G");
        var b = Parse(option, parts[0]);
        var size = Parse(option, parts[1]);
        if (size == 0) throw new CliException($"{option} {text}: the size is zero");
        if (b + size < b && b + size != 0) throw new CliException($"{option} {text}: the range runs past the top of the 64-bit address space");
        return (b, size);
    }

    public static string Hex(ulong v) => "0x" + v.ToString("x", CultureInfo.InvariantCulture);
}
