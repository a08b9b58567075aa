using Dtmem.Io;
using Dtmem.DeviceTree.Model;

namespace Dtmem.DeviceTree.Dts;

/// <summary>
/// Tokeniser with the start conditions of dtc's flex lexer (dtc-lexer.l): names are recognised only right
/// after <c>{</c>, <c>;</c> or a delete/omit keyword; bytes only inside <c>[ ]</c>. Handles cpp line markers
/// (<c># N "file" flags</c>) so positions point into the original files, and <c>/include/</c>.
/// </summary>
internal sealed class DtsLexer
{
    private enum Mode { Default, PropNodeName, ByteString }

    private sealed class Frame(string text, FileState file, string? dir)
    {
        public string Text { get; } = text;
        public int Pos;
        public int Line = 1;
        public int LineStart;
        public FileState File = file;
        public string? Dir { get; } = dir;
        /// <summary>Files entered through line markers with flag 1, for flag-2 returns.</summary>
        public List<FileState> MarkerStack { get; } = [];
    }

    private readonly List<Frame> _frames = [];
    private readonly DtsCompileOptions _options;
    private Frame _f;
    private Mode _mode;

    public DtsLexer(string text, string fileName, string? directory, DtsCompileOptions options)
    {
        _options = options;
        _f = new Frame(text, new FileState(fileName, null), directory);
    }

    /// <summary>Directory of the file being read (for /incbin/ and /include/ relative paths).</summary>
    public string? CurrentDirectory => _f.Dir;

    public Token Next()
    {
        while (true)
        {
            SkipBlanks();
            if (_f.Pos < _f.Text.Length) return Lex();
            if (_frames.Count == 0) return Make(Tok.Eof, _f.Pos, 0);
            _f = _frames[^1];
            _frames.RemoveAt(_frames.Count - 1);
        }
    }

    /// <summary>A token whose text is <paramref name="start"/>..+<paramref name="length"/>; its column is that of
    /// <paramref name="at"/> when the text skips a prefix (the &amp; of a reference, a name's backslash).</summary>
    private Token Make(Tok kind, int start, int length, ulong value = 0, int at = -1) =>
        new(kind, _f.Text, start, length, _f.File, _f.Line, (at < 0 ? start : at) - _f.LineStart + 1, value);

    private DtException Error(int at, string message) =>
        new(_f.File.At(_f.Line, at - _f.LineStart + 1), message) { SourceLine = LineAt(_f.Text, at) };

    /// <summary>The text of the line holding <paramref name="at"/> (for the caret display under an error).</summary>
    internal static string LineAt(string text, int at)
    {
        at = Math.Clamp(at, 0, text.Length);
        var start = at == 0 ? 0 : text.LastIndexOf('\n', at - 1) + 1;
        var end = text.IndexOf('\n', at);
        return text[start..(end < 0 ? text.Length : end)].TrimEnd('\r');
    }

    private void SkipBlanks()
    {
        var t = _f.Text;
        while (_f.Pos < t.Length)
        {
            var c = t[_f.Pos];
            if (c == '\n')
            {
                _f.Pos++;
                _f.Line++;
                _f.LineStart = _f.Pos;
            }
            else if (c is ' ' or '\t' or '\r' or '\v' or '\f')
            {
                _f.Pos++;
            }
            else if (c == '/' && _f.Pos + 1 < t.Length && t[_f.Pos + 1] == '*')
            {
                var end = t.IndexOf("*/", _f.Pos + 2, StringComparison.Ordinal);
                if (end < 0) throw Error(_f.Pos, "unterminated comment: '/*' without a closing '*/'");
                AdvanceTo(end + 2);
            }
            else if (c == '/' && _f.Pos + 1 < t.Length && t[_f.Pos + 1] == '/')
            {
                var end = t.IndexOf('\n', _f.Pos);
                _f.Pos = end < 0 ? t.Length : end;
            }
            else if (c == '#' && _f.Pos == _f.LineStart && TryLineMarker())
            {
                // consumed up to the end of the marker line
            }
            else
            {
                return;
            }
        }
    }

    /// <summary>Moves to <paramref name="end"/>, counting the newlines passed.</summary>
    private void AdvanceTo(int end)
    {
        var t = _f.Text;
        for (var i = _f.Pos; i < end; i++)
        {
            if (t[i] == '\n')
            {
                _f.Line++;
                _f.LineStart = i + 1;
            }
        }
        _f.Pos = end;
    }

    // ^"#"(line)?[ \t]+[0-9]+[ \t]+{STRING}([ \t]+[0-9]+)*
    private bool TryLineMarker()
    {
        var t = _f.Text;
        var p = _f.Pos + 1;
        if (string.CompareOrdinal(t, p, "line", 0, 4) == 0) p += 4;
        var ws = p;
        while (p < t.Length && t[p] is ' ' or '\t') p++;
        if (p == ws) return false;
        var numStart = p;
        long line = 0;
        while (p < t.Length && char.IsAsciiDigit(t[p]))
        {
            if (line < int.MaxValue) line = line * 10 + (t[p] - '0');
            p++;
        }
        if (p == numStart) return false;
        ws = p;
        while (p < t.Length && t[p] is ' ' or '\t') p++;
        if (p == ws || p >= t.Length || t[p] != '"') return false;
        var nameStart = p + 1;
        p++;
        while (p < t.Length && t[p] != '"')
        {
            if (t[p] == '\n') return false;
            p += t[p] == '\\' ? 2 : 1;
        }
        if (p >= t.Length) return false;
        string name;
        try
        {
            name = UnescapeFileName(t.AsSpan(nameStart, p - nameStart));
        }
        catch (FormatException e)
        {
            throw Error(nameStart, $"bad file name in line marker: {e.Message}");
        }
        if (name.Contains('\0', StringComparison.Ordinal)) throw Error(nameStart, "NUL character in the file name of a line marker");
        p++;
        var flag = 0;
        while (true)
        {
            var q = p;
            while (q < t.Length && t[q] is ' ' or '\t') q++;
            if (q == p || q >= t.Length || !char.IsAsciiDigit(t[q])) break;
            var f = 0;
            while (q < t.Length && char.IsAsciiDigit(t[q])) f = Math.Min(f * 10 + (t[q++] - '0'), 1000);
            if (f is 1 or 2 && flag == 0) flag = f;
            p = q;
        }

        var frame = _f;
        var current = frame.File;
        if (flag == 1)
        {
            // Entering an #include: the marker sits where the directive was.
            frame.MarkerStack.Add(current);
            frame.File = new FileState(name, current.At(frame.Line, 1));
        }
        else if (flag == 2 && frame.MarkerStack.Count > 0)
        {
            var back = frame.MarkerStack[^1];
            frame.MarkerStack.RemoveAt(frame.MarkerStack.Count - 1);
            frame.File = back.Name == name ? back : new FileState(name, back.IncludedFrom);
        }
        else if (current.Name != name)
        {
            frame.File = new FileState(name, current.IncludedFrom);
        }
        // "-1 since #line is the number of the next line"; the newline ending the marker adds it back.
        frame.Line = (int)line - 1;
        frame.Pos = p;
        return true;
    }

    private static string UnescapeFileName(ReadOnlySpan<char> s)
    {
        if (!s.Contains('\\')) return s.ToString();
        var d = new LData(s.Length);
        Escapes.Decode(s, d);
        return System.Text.Encoding.UTF8.GetString(d.Bytes);
    }

    private static bool IsLabelStart(char c) => char.IsAsciiLetter(c) || c == '_';

    private static bool IsLabelChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    // [a-zA-Z0-9,._+*#?@-]
    internal static bool IsPropNodeChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is ',' or '.' or '_' or '+' or '*' or '#' or '?' or '@' or '-';

    private int LabelEnd(int p)
    {
        var t = _f.Text;
        while (p < t.Length && IsLabelChar(t[p])) p++;
        return p;
    }

    private Token Lex()
    {
        var t = _f.Text;
        var s = _f.Pos;
        var c = t[s];

        if (c == '"') return LexString(s);
        if (c == '\'') return LexCharLiteral(s);
        if (c == '/')
        {
            var kw = LexKeyword(s);
            if (kw is { } k) return k;
        }
        if (c == '&')
        {
            if (s + 1 < t.Length)
            {
                var n = t[s + 1];
                if (n == '&') { _f.Pos = s + 2; return Make(Tok.AndAnd, s, 2); }
                if (IsLabelStart(n))
                {
                    var e = LabelEnd(s + 2);
                    _f.Pos = e;
                    return Make(Tok.LabelRef, s + 1, e - s - 1, at: s);
                }
                if (n == '{')
                {
                    var p = s + 2;
                    while (p < t.Length && (IsPropNodeChar(t[p]) || t[p] == '/')) p++;
                    if (p < t.Length && t[p] == '}')
                    {
                        _f.Pos = p + 1;
                        var tok = Make(Tok.PathRef, s + 2, p - s - 2, at: s);
                        return tok;
                    }
                }
            }
        }

        if (IsLabelStart(c))
        {
            var e = LabelEnd(s + 1);
            if (e < t.Length && t[e] == ':')
            {
                _f.Pos = e + 1;
                return Make(Tok.Label, s, e - s);
            }
        }

        switch (_mode)
        {
            case Mode.PropNodeName:
            {
                var p = s;
                if (c == '\\' && p + 1 < t.Length && IsPropNodeChar(t[p + 1])) p++;
                if (IsPropNodeChar(t[p]))
                {
                    var nameStart = p;
                    while (p < t.Length && IsPropNodeChar(t[p])) p++;
                    var tok = Make(Tok.Name, nameStart, p - nameStart, at: s);
                    _f.Pos = p;
                    _mode = Mode.Default;
                    return tok;
                }
                break;
            }
            case Mode.ByteString:
                if (char.IsAsciiHexDigit(c) && s + 1 < t.Length && char.IsAsciiHexDigit(t[s + 1]))
                {
                    _f.Pos = s + 2;
                    return Make(Tok.Byte, s, 2, (ulong)((HexVal(c) << 4) | HexVal(t[s + 1])));
                }
                if (c == ']')
                {
                    _f.Pos = s + 1;
                    _mode = Mode.Default;
                    return Make(Tok.Char, s, 1, ']');
                }
                break;
            default:
                if (char.IsAsciiDigit(c)) return LexInteger(s);
                if (IsLabelStart(c))
                {
                    var e = LabelEnd(s + 1);
                    throw Error(s, $"unexpected identifier '{t.AsSpan(s, e - s)}' (an undefined macro, or a missing #include?)");
                }
                break;
        }

        if (s + 1 < t.Length)
        {
            var two = (c, t[s + 1]) switch
            {
                ('<', '<') => Tok.LShift,
                ('>', '>') => Tok.RShift,
                ('<', '=') => Tok.Le,
                ('>', '=') => Tok.Ge,
                ('=', '=') => Tok.Eq,
                ('!', '=') => Tok.Ne,
                ('|', '|') => Tok.OrOr,
                _ => Tok.Eof,
            };
            if (two != Tok.Eof)
            {
                _f.Pos = s + 2;
                return Make(two, s, 2);
            }
        }
        _f.Pos = s + 1;
        if (c == '[') _mode = Mode.ByteString;
        else if (c is '{' or ';') _mode = Mode.PropNodeName;
        return Make(Tok.Char, s, 1, c);
    }

    private static int HexVal(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    private static readonly (string Text, Tok Kind)[] Keywords =
    [
        ("/dts-v1/", Tok.V1), ("/plugin/", Tok.Plugin), ("/memreserve/", Tok.MemReserve), ("/bits/", Tok.Bits),
        ("/delete-property/", Tok.DelProp), ("/delete-node/", Tok.DelNode), ("/omit-if-no-ref/", Tok.OmitNoRef),
        ("/incbin/", Tok.Incbin),
        // /include/ never reaches the parser: the lexer switches files (Eof stands for "no token").
        ("/include/", Tok.Eof),
    ];

    private Token? LexKeyword(int s)
    {
        var t = _f.Text;
        foreach (var (text, kind) in Keywords)
        {
            if (string.CompareOrdinal(t, s, text, 0, text.Length) != 0) continue;
            if (kind == Tok.Incbin && _mode != Mode.Default) return null;
            var tok = Make(kind, s, text.Length);
            _f.Pos = s + text.Length;
            switch (kind)
            {
                case Tok.V1 or Tok.MemReserve or Tok.Bits: _mode = Mode.Default; break;
                case Tok.DelProp or Tok.DelNode or Tok.OmitNoRef: _mode = Mode.PropNodeName; break;
                case Tok.Eof: return IncludeAndContinue(s);
            }
            return tok;
        }
        return null;
    }

    private Token IncludeAndContinue(int s)
    {
        var t = _f.Text;
        var p = _f.Pos;
        while (p < t.Length && char.IsWhiteSpace(t[p])) p++;
        if (p >= t.Length || t[p] != '"') throw Error(s, "expected a quoted file name after /include/");
        var site = _f.File.At(_f.Line, s - _f.LineStart + 1);
        AdvanceTo(p);
        var str = LexString(p);
        var d = new LData();
        try
        {
            Escapes.Decode(str.Text[1..^1], d);
        }
        catch (FormatException e)
        {
            throw Error(p, e.Message);
        }
        var name = System.Text.Encoding.UTF8.GetString(d.Bytes);
        var path = IncludeResolver.Find(name, _f.Dir, _options.IncludePaths)
            ?? throw new DtException(site, $"/include/ file \"{name}\" not found (searched {IncludeResolver.Describe(_f.Dir, _options.IncludePaths)})");
        if (_frames.Count + 1 >= _options.MaxIncludeDepth)
        {
            // A file that includes itself is a mistake, not an input too large for the limit: no hint to raise it.
            var cycle = _f.File.Name == path || _frames.Any(f => f.File.Name == path);
            throw new DtException(site, $"/include/ nested more than {_options.MaxIncludeDepth} deep, the 'include-depth' limit"
                + (cycle ? $": \"{path}\" includes itself (directly or through other files)" : ""))
            { Limit = cycle ? null : "include-depth" };
        }
        string text;
        try
        {
            text = BoundedFile.ReadText(path, _options.MaxFileBytes)
                ?? throw new DtException(site, $"/include/ file \"{path}\" is larger than {BoundedFile.Describe(_options.MaxFileBytes)}, the 'file-size' limit") { Limit = "file-size" };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DtException(site, $"cannot read /include/ file \"{path}\": {BoundedFile.Reason(path, e)}");
        }
        _frames.Add(_f);
        _f = new Frame(text, new FileState(path, site), Path.GetDirectoryName(path));
        return Next();
    }

    private Token LexString(int s)
    {
        var t = _f.Text;
        var p = s + 1;
        while (true)
        {
            if (p >= t.Length) throw Error(s, "unterminated string: missing closing '\"'");
            var c = t[p];
            if (c == '"') break;
            p += c == '\\' && p + 1 < t.Length ? 2 : 1;
        }
        var tok = Make(Tok.String, s, p + 1 - s);
        AdvanceTo(p + 1);
        return tok;
    }

    private Token LexCharLiteral(int s)
    {
        var t = _f.Text;
        var p = s + 1;
        while (true)
        {
            if (p >= t.Length || t[p] == '\n') throw Error(s, "unterminated character literal: missing closing \"'\"");
            if (t[p] == '\\' && p + 1 < t.Length && t[p + 1] == '\'') { p += 2; continue; }
            if (t[p] == '\'') break;
            p++;
        }
        var d = new LData(4);
        try
        {
            Escapes.Decode(t.AsSpan(s + 1, p - s - 1), d);
        }
        catch (FormatException e)
        {
            throw Error(s, e.Message);
        }
        if (d.Length == 0) throw Error(s, "empty character literal");
        if (d.Length > 1) throw Error(s, $"character literal has {d.Length} characters instead of 1");
        var tok = Make(Tok.CharLiteral, s, p + 1 - s, d.Bytes[0]);
        _f.Pos = p + 1;
        return tok;
    }

    // ([0-9]+|0[xX][0-9a-fA-F]+)(U|L|UL|LL|ULL)?, valued as strtoull(text, 0) does.
    private Token LexInteger(int s)
    {
        var t = _f.Text;
        var p = s;
        ulong v = 0;
        var overflow = false;
        var bad = false;
        if (t[p] == '0' && p + 2 < t.Length && (t[p + 1] | 0x20) == 'x' && char.IsAsciiHexDigit(t[p + 2]))
        {
            p += 2;
            while (p < t.Length && char.IsAsciiHexDigit(t[p]))
            {
                if (v > ulong.MaxValue >> 4) overflow = true;
                v = (v << 4) | (uint)HexVal(t[p]);
                p++;
            }
        }
        else
        {
            var octal = t[p] == '0';
            while (p < t.Length && char.IsAsciiDigit(t[p]))
            {
                var digit = (uint)(t[p] - '0');
                if (octal)
                {
                    if (digit > 7) bad = true;
                    if (v > ulong.MaxValue >> 3) overflow = true;
                    v = (v << 3) | digit;
                }
                else
                {
                    if (v > (ulong.MaxValue - digit) / 10) overflow = true;
                    v = v * 10 + digit;
                }
                p++;
            }
        }
        if (p < t.Length && t[p] == 'U') p++;
        if (p < t.Length && t[p] == 'L') { p++; if (p < t.Length && t[p] == 'L') p++; }
        var tok = Make(Tok.Literal, s, p - s, v);
        if (bad) throw Error(s, $"bad integer literal '{tok.Text}' (a leading 0 makes it octal)");
        if (overflow) throw Error(s, $"integer literal '{tok.Text}' out of range (more than 64 bits)");
        _f.Pos = p;
        return tok;
    }
}
