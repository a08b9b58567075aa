using System.Text;

namespace Dtmem.DeviceTree.Preprocessing;

/// <summary>A logical line (continuations spliced, comments removed): a run of tokens in a <see cref="SourceFile"/>.</summary>
internal readonly record struct LogicalLine(int First, int Count, int Line, int EndLine, bool Directive);

/// <summary>A cached token without object references (the GC never has to trace the millions of them a board
/// set's headers hold); <see cref="SourceFile.Get"/> turns it into a <see cref="Token"/>.</summary>
internal readonly record struct CToken(int Start, int Length, int Line, int Col, int NameId, TokKind Kind, TokFlags Flags);

/// <summary>
/// One file, lexed once and shared read-only by every run and thread. Lexing does not depend on macro state
/// (cpp's tokenisation is context-free apart from <c>#include &lt;...&gt;</c>, which the directive re-reads from the text).
/// </summary>
internal sealed class SourceFile
{
    private readonly CToken[] _raw;
    private readonly string[] _names;

    public SourceFile(string path, string text, CToken[] raw, string[] names, LogicalLine[] lines, (string Message, int Line, int Col)? error)
    {
        Path = path;
        Text = text;
        _raw = raw;
        _names = names;
        Lines = lines;
        Error = error;
        Guard = error is null ? FindGuard() : null;
        Defines = new Macro?[lines.Length];
    }

    public string Path { get; }

    /// <summary>The text after backslash-newline splicing; tokens slice it.</summary>
    public string Text { get; }

    public int TokenCount => _raw.Length;
    public LogicalLine[] Lines { get; }

    /// <summary>A lexing error (unterminated comment), reported with the include chain of whoever reads the file;
    /// line 0 when the file as a whole is refused (too large, a device), which is reported at the #include.</summary>
    public (string Message, int Line, int Col)? Error { get; }

    /// <summary>The include-guard macro when the whole file is <c>#ifndef X ... #endif</c> (gcc's multiple-include
    /// optimisation: once X is defined, a re-include is skipped without even a linemarker).</summary>
    public string? Guard { get; }

    /// <summary>Parsed <c>#define</c>s by line index. Filled lazily by any thread; a race only parses twice.</summary>
    public Macro?[] Defines { get; }

    public Token Get(int i)
    {
        var r = _raw[i];
        return new Token(Text, r.Start, r.Length, r.Kind, r.Flags, r.Line, r.Col, r.NameId < 0 ? null : _names[r.NameId]);
    }

    /// <summary>The tokens of logical line <paramref name="i"/>, materialised (directive lines only).</summary>
    public Token[] LineTokens(int i)
    {
        var l = Lines[i];
        var a = new Token[l.Count];
        for (var k = 0; k < a.Length; k++)
            a[k] = Get(l.First + k);
        return a;
    }

    /// <summary>The identifier after the '#' of line <paramref name="i"/>, if any.</summary>
    public string? DirectiveName(int i)
    {
        var l = Lines[i];
        return l.Count > 1 && _raw[l.First + 1].NameId >= 0 ? _names[_raw[l.First + 1].NameId] : null;
    }

    private string? FindGuard()
    {
        if (Lines.Length < 2 || !Lines[0].Directive || !Lines[^1].Directive)
            return null;
        if (Lines[0].Count != 3 || DirectiveName(0) != "ifndef" || _raw[Lines[0].First + 2].NameId < 0
            || DirectiveName(Lines.Length - 1) != "endif")
            return null;
        // The #endif must close the first #ifndef, not a later group.
        var depth = 0;
        for (var i = 0; i < Lines.Length; i++)
        {
            if (!Lines[i].Directive)
                continue;
            var d = DirectiveName(i);
            if (d is "if" or "ifdef" or "ifndef")
                depth++;
            else if (d == "endif" && --depth == 0 && i != Lines.Length - 1)
                return null;
        }
        return _names[_raw[Lines[0].First + 2].NameId];
    }
}

internal static class CppLexer
{
    [ThreadStatic]
    private static List<CToken>? t_tokens;

    [ThreadStatic]
    private static List<LogicalLine>? t_lines;

    /// <summary>Physical position tracking: the line of offset <see cref="Scan"/> and where that line starts,
    /// across newlines and removed backslash-newlines.</summary>
    private struct Cursor(string text, List<int> splices)
    {
        public int Line = 1;
        public int LineStart;
        public int Scan;
        private int _si;

        public void Advance(int to)
        {
            var span = text.AsSpan(Scan, to - Scan);
            var nl = span.LastIndexOf('\n');
            if (nl >= 0)
            {
                Line += span.Count('\n');
                LineStart = Scan + nl + 1;
            }
            while (_si < splices.Count && splices[_si] <= to)
            {
                Line++;
                LineStart = Math.Max(LineStart, splices[_si]);
                _si++;
            }
            Scan = to;
        }
    }

    public static SourceFile Lex(string path, string raw)
    {
        var (text, splices) = Splice(raw);
        var tokens = t_tokens ??= new List<CToken>(1 << 16);
        var lines = t_lines ??= new List<LogicalLine>(1 << 12);
        tokens.Clear();
        lines.Clear();
        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        var nameLookup = names.GetAlternateLookup<ReadOnlySpan<char>>();
        var nameList = new List<string>();

        var pos = 0;
        var n = text.Length;
        var cur = new Cursor(text, splices);

        while (pos < n)
        {
            var first = tokens.Count;
            var white = false;
            var startLine = -1;
            while (pos < n)
            {
                var c = text[pos];
                if (c == '\n')
                {
                    pos++;
                    break;
                }
                if (c is ' ' or '\t' or '\r' or '\f' or '\v')
                {
                    white = true;
                    pos++;
                    continue;
                }
                if (c == '/' && pos + 1 < n && text[pos + 1] == '*')
                {
                    var end = text.IndexOf("*/", pos + 2, StringComparison.Ordinal);
                    if (end < 0)
                    {
                        cur.Advance(pos);
                        return new SourceFile(path, text, [], [], [],
                            ("unterminated comment: the /* here is never closed; add the matching */", cur.Line, pos - cur.LineStart + 1));
                    }
                    pos = end + 2;
                    white = true;
                    continue;
                }
                if (c == '/' && pos + 1 < n && text[pos + 1] == '/')
                {
                    var end = text.IndexOf('\n', pos);
                    pos = end < 0 ? n : end;
                    white = true;
                    continue;
                }

                var start = pos;
                TokKind kind;
                var nameId = -1;
                if (IsIdentStart(c))
                {
                    pos++;
                    while (pos < n && IsIdentChar(text[pos]))
                        pos++;
                    kind = TokKind.Ident;
                    var span = text.AsSpan(start, pos - start);
                    if (!nameLookup.TryGetValue(span, out nameId))
                    {
                        nameId = nameList.Count;
                        var name = span.ToString();
                        nameList.Add(name);
                        names[name] = nameId;
                    }
                }
                else if (char.IsAsciiDigit(c) || (c == '.' && pos + 1 < n && char.IsAsciiDigit(text[pos + 1])))
                {
                    pos = ScanNumber(text, pos);
                    kind = TokKind.Number;
                }
                else if (c is '"' or '\'')
                {
                    pos = ScanQuoted(text, pos, out var closed);
                    kind = !closed ? TokKind.Other : c == '"' ? TokKind.String : TokKind.Char;
                }
                else
                {
                    var len = PunctLength(text, pos);
                    kind = len > 0 ? TokKind.Punct : TokKind.Other;
                    pos += Math.Max(len, 1);
                }

                cur.Advance(start);
                if (startLine < 0)
                    startLine = cur.Line;
                var flags = TokFlags.Source | (white ? TokFlags.PrevWhite : TokFlags.None)
                    | (tokens.Count == first ? TokFlags.LineStart : TokFlags.None);
                tokens.Add(new CToken(start, pos - start, cur.Line, start - cur.LineStart + 1, nameId, kind, flags));
                white = false;
            }

            if (tokens.Count > first)
            {
                cur.Advance(pos);
                var endLine = pos > 0 && text[pos - 1] == '\n' ? cur.Line - 1 : cur.Line;
                var directive = tokens[first].Kind == TokKind.Punct && tokens[first].Length == 1 && text[tokens[first].Start] == '#';
                lines.Add(new LogicalLine(first, tokens.Count - first, startLine, Math.Max(endLine, startLine), directive));
            }
        }

        return new SourceFile(path, text, tokens.ToArray(), nameList.ToArray(), lines.ToArray(), null);
    }

    /// <summary>Length of the punctuator at <paramref name="pos"/> (longest match), 0 when it is none.</summary>
    private static int PunctLength(string text, int pos)
    {
        var c = text[pos];
        var d = pos + 1 < text.Length ? text[pos + 1] : '\0';
        switch (c)
        {
            case '.':
                return d == '.' && pos + 2 < text.Length && text[pos + 2] == '.' ? 3 : 1;
            case '<':
            case '>':
                if (d == c)
                    return pos + 2 < text.Length && text[pos + 2] == '=' ? 3 : 2;
                return d == '=' ? 2 : 1;
            case '-':
                return d is '>' or '-' or '=' ? 2 : 1;
            case '+':
            case '&':
            case '|':
                return d == c || d == '=' ? 2 : 1;
            case '#':
                return d == '#' ? 2 : 1;
            case '=':
            case '!':
            case '*':
            case '/':
            case '%':
            case '^':
                return d == '=' ? 2 : 1;
            case '[' or ']' or '(' or ')' or '{' or '}' or '~' or '?' or ':' or ';' or ',':
                return 1;
            default:
                return 0;
        }
    }

    /// <summary>Lexes a standalone fragment (a -D value, a pasted or stringified spelling) without line structure.</summary>
    public static List<Token> LexFragment(string text, in Token at)
    {
        var f = Lex("<fragment>", text);
        var list = new List<Token>(f.TokenCount);
        for (var i = 0; i < f.TokenCount; i++)
        {
            var t = f.Get(i);
            list.Add(new Token(t.Src, t.Start, t.Length, t.Kind, t.Flags & ~TokFlags.Source, at.Line, at.Col, t.Name));
        }
        return list;
    }

    public static bool IsIdentStart(char c) => char.IsAsciiLetter(c) || c == '_' || c == '$';

    public static bool IsIdentChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_' || c == '$';

    /// <summary>A pp-number: digits, letters, '_', '.', and a sign right after e/E/p/P.</summary>
    private static int ScanNumber(string text, int pos)
    {
        pos++;
        while (pos < text.Length)
        {
            var c = text[pos];
            if (c is '+' or '-' && text[pos - 1] is 'e' or 'E' or 'p' or 'P')
                pos++;
            else if (char.IsAsciiLetterOrDigit(c) || c is '_' or '.')
                pos++;
            else
                break;
        }
        return pos;
    }

    /// <summary>A string or char literal; unterminated ones extend to the end of the line (closed = false).</summary>
    private static int ScanQuoted(string text, int pos, out bool closed)
    {
        var quote = text[pos++];
        while (pos < text.Length)
        {
            var c = text[pos];
            if (c == '\\' && pos + 1 < text.Length && text[pos + 1] != '\n')
                pos += 2;
            else if (c == quote)
            {
                closed = true;
                return pos + 1;
            }
            else if (c == '\n')
                break;
            else
                pos++;
        }
        closed = false;
        // Leave a trailing '\r' out of the token, as it belongs to the line ending.
        return pos > 0 && pos <= text.Length && text[pos - 1] == '\r' ? pos - 1 : pos;
    }

    /// <summary>Removes backslash-newline pairs (also with blanks between, as gcc accepts); returns the offsets,
    /// in the spliced text, where a physical line break was removed.</summary>
    private static (string Text, List<int> Splices) Splice(string raw)
    {
        var splices = new List<int>();
        var i = raw.IndexOf('\\');
        if (i < 0)
            return (raw, splices);
        StringBuilder? sb = null;
        var copied = 0;
        for (; i >= 0 && i < raw.Length; i = raw.IndexOf('\\', i + 1))
        {
            var j = i + 1;
            while (j < raw.Length && raw[j] is ' ' or '\t')
                j++;
            if (j < raw.Length && raw[j] == '\r')
                j++;
            if (j >= raw.Length || raw[j] != '\n')
                continue;
            sb ??= new StringBuilder(raw.Length);
            sb.Append(raw, copied, i - copied);
            splices.Add(sb.Length);
            copied = j + 1;
            i = j;
        }
        if (sb is null)
            return (raw, splices);
        sb.Append(raw, copied, raw.Length - copied);
        return (sb.ToString(), splices);
    }
}
