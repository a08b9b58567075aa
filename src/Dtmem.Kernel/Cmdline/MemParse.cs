namespace Dtmem.Kernel.Cmdline;

/// <summary>
/// The kernel's memparse (lib/cmdline.c): a number in C notation (0x.. hex, leading 0 octal, else decimal)
/// followed by an optional K/M/G/T/P/E suffix (either case), each a further shift by 10.
/// </summary>
public static class MemParse
{
    /// <summary>Parses at the start of <paramref name="text"/>; <paramref name="consumed"/> is how many chars were read.</summary>
    /// <exception cref="KernelInputException">No digits, or a value above 2^64 (the kernel would wrap silently).</exception>
    public static ulong Parse(ReadOnlySpan<char> text, out int consumed, string source, int column)
    {
        // simple_strtoull base 0: "0x" followed by a hex digit selects hex; a leading 0 selects octal.
        var i = 0;
        var radix = 10u;
        if (text.Length >= 3 && text[0] == '0' && (text[1] | 0x20) == 'x' && Uri.IsHexDigit(text[2]))
        {
            radix = 16;
            i = 2;
        }
        else if (text.Length >= 1 && text[0] == '0')
            radix = 8;

        var digitsStart = i;
        ulong value = 0;
        for (; i < text.Length; i++)
        {
            var d = Digit(text[i]);
            if (d >= radix) break;
            if (value > (ulong.MaxValue - d) / radix)
                throw new KernelInputException(source, $"column {column}", $"'{text.ToString()}' is larger than 2^64",
                    "The kernel would wrap this number silently; give a smaller size or address");
            value = value * radix + d;
        }
        if (i == digitsStart && radix != 8)
            throw new KernelInputException(source, $"column {column}", $"'{Shorten(text)}' does not start with a number",
                "The kernel reads this as 0; write a number such as 64M, 0x10000000 or 1G");

        var shift = i < text.Length ? (char.ToUpperInvariant(text[i])) switch
        {
            'K' => 10, 'M' => 20, 'G' => 30, 'T' => 40, 'P' => 50, 'E' => 60, _ => 0,
        } : 0;
        if (shift > 0)
        {
            if (value != 0 && value > ulong.MaxValue >> shift)
                throw new KernelInputException(source, $"column {column}", $"'{Shorten(text)}' is larger than 2^64",
                    "The kernel would wrap this number silently; give a smaller size");
            value <<= shift;
            i++;
        }
        consumed = i;
        return value;
    }

    private static uint Digit(char c) => c switch
    {
        >= '0' and <= '9' => (uint)(c - '0'),
        >= 'a' and <= 'f' => (uint)(c - 'a' + 10),
        >= 'A' and <= 'F' => (uint)(c - 'A' + 10),
        _ => uint.MaxValue,
    };

    private static string Shorten(ReadOnlySpan<char> s) => s.Length > 40 ? s[..40].ToString() + "..." : s.ToString();
}
