namespace Dtmem.DeviceTree.Dts;

/// <summary>dtc's escape handling (util.c get_escape_char) for strings and character literals.</summary>
internal static class Escapes
{
    /// <summary>Appends the bytes of <paramref name="s"/> (string body without quotes) with escapes decoded; no NUL.</summary>
    public static void Decode(ReadOnlySpan<char> s, LData into)
    {
        var i = 0;
        while (i < s.Length)
        {
            var c = s[i++];
            if (c == '\\' && i < s.Length)
            {
                var e = s[i++];
                switch (e)
                {
                    case 'a': into.AppendByte(7); break;
                    case 'b': into.AppendByte(8); break;
                    case 't': into.AppendByte(9); break;
                    case 'n': into.AppendByte(10); break;
                    case 'v': into.AppendByte(11); break;
                    case 'f': into.AppendByte(12); break;
                    case 'r': into.AppendByte(13); break;
                    case >= '0' and <= '7':
                    {
                        var v = e - '0';
                        for (var k = 0; k < 2 && i < s.Length && s[i] is >= '0' and <= '7'; k++) v = v * 8 + (s[i++] - '0');
                        into.AppendByte((byte)v);
                        break;
                    }
                    case 'x':
                    {
                        var v = 0;
                        var n = 0;
                        while (n < 2 && i < s.Length && char.IsAsciiHexDigit(s[i]))
                        {
                            v = v * 16 + (s[i] <= '9' ? s[i] - '0' : (s[i] | 0x20) - 'a' + 10);
                            i++;
                            n++;
                        }
                        if (n == 0) throw new FormatException("\\x used with no following hex digits");
                        into.AppendByte((byte)v);
                        break;
                    }
                    default:
                        AppendChar(into, e, s, ref i);
                        break;
                }
            }
            else
            {
                AppendChar(into, c, s, ref i);
            }
        }
    }

    private static void AppendChar(LData into, char c, ReadOnlySpan<char> s, ref int i)
    {
        if (c < 0x80)
        {
            into.AppendByte((byte)c);
            return;
        }
        // Non-ASCII text goes out as UTF-8, the encoding the source was read with.
        Span<char> pair = stackalloc char[2];
        pair[0] = c;
        var n = 1;
        if (char.IsHighSurrogate(c) && i < s.Length && char.IsLowSurrogate(s[i])) pair[n++] = s[i++];
        Span<byte> buf = stackalloc byte[8];
        var len = System.Text.Encoding.UTF8.GetBytes(pair[..n], buf);
        into.Append(buf[..len]);
    }
}
