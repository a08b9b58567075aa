using System.Text;

namespace Dtmem.DeviceTree.Preprocessing;

/// <summary>A logical line (continuations spliced, comments removed): a run of tokens in <see cref="SourceFile.Tokens"/>.</summary>
internal readonly record struct LogicalLine(int First, int Count, int Line, int EndLine, bool Directive);

/// <summary>
/// One file, lexed once and shared read-only by every run and thread. Lexing does not depend on macro state
/// (cpp's tokenisation is context-free apart from <c>#include &lt;...&gt;</c>, which the directive re-reads from the text).
/// </summary>
internal sealed class SourceFile
{
    public SourceFile(string path, string text, Token[] tokens, LogicalLine[] lines, (string Message, int Line, int Col)? error)
    {
        Path = path;
        Text = text;
        Tokens = tokens;
        Lines = lines;
        Error = error;
        Guard = error is null ? FindGuard() : null;
        Defines = new Macro?[lines.Length];
    }

    public string Path { get; }

    /// <summary>The text after backslash-newline splicing; tokens slice it.</summary>
    public string Text { get; }

    public Token[] Tokens { get; }
    public LogicalLine[] Lines { get; }

    /// <summary>A lexing error (unterminated comment), reported with the include chain of whoever reads the file.</summary>
    public (string Message, int Line, int Col)? Error { get; }

    /// <summary>The include-guard macro when the whole file is <c>#ifndef X ... #endif</c> (gcc's multiple-include
    /// optimisation: once X is defined, a re-include is skipped without even a linemarker).</summary>
    public string? Guard { get; }

    /// <summary>Parsed <c>#define</c>s by line index. Filled lazily by any thread; a race only parses twice.</summary>
    public Macro?[] Defines { get; }

    public ReadOnlySpan<Token> LineTokens(int i) => Tokens.AsSpan(Lines[i].First, Lines[i].Count);

    private string? FindGuard()
    {
        if (Lines.Length < 2 || !Lines[0].Directive || !Lines[^1].Directive)
            return null;
        var first = LineTokens(0);
        if (first.Length != 3 || first[1].Name != "ifndef" || first[2].Kind != TokKind.Ident)
            return null;
        var last = LineTokens(Lines.Length - 1);
        if (last.Length < 2 || last[1].Name != "endif")
            return null;
        // The #endif must close the first #ifndef, not a later group.
        var depth = 0;
        for (var i = 0; i < Lines.Length; i++)
        {
            if (!Lines[i].Directive || Lines[i].Count < 2)
                continue;
            var d = Tokens[Lines[i].First + 1].Name;
            if (d is "if" or "ifdef" or "ifndef")
                depth++;
            else if (d == "endif" && --depth == 0 && i != Lines.Length - 1)
                return null;
        }
        return first[2].Name;
    }
}

internal static class CppLexer
{
    private static readonly string[] Punct3 = ["...", "<<=", ">>="];

    private static readonly string[] Punct2 =
        ["->", "++", "--", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "*=", "/=", "%=", "+=", "-=", "&=", "^=", "|=", "##"];

    private const string Punct1 = "[](){}.&*+-~!/%<>^|?:;=,#";

    public static SourceFile Lex(string path, string raw)
    {
        var (text, splices) = Splice(raw);
        var tokens = new List<Token>(text.Length / 4);
        var lines = new List<LogicalLine>(text.Length / 24);
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        var nameLookup = names.GetAlternateLookup<ReadOnlySpan<char>>();

        var pos = 0;
        var n = text.Length;
        // Position cursor: physical line of `scan`, start offset of that line.
        int line = 1, lineStart = 0, scan = 0, si = 0;

        void Advance(int to)
        {
            var span = text.AsSpan(scan, to - scan);
            var nl = span.LastIndexOf('\n');
            if (nl >= 0)
            {
                line += span.Count('\n');
                lineStart = scan + nl + 1;
            }
            while (si < splices.Count && splices[si] <= to)
            {
                line++;
                lineStart = Math.Max(lineStart, splices[si]);
                si++;
            }
            scan = to;
        }

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
                        Advance(pos);
                        return new SourceFile(path, text, [], [],
                            ("unterminated comment: the /* here is never closed; add the matching */", line, pos - lineStart + 1));
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
                string? name = null;
                if (IsIdentStart(c))
                {
                    pos++;
                    while (pos < n && IsIdentChar(text[pos]))
                        pos++;
                    kind = TokKind.Ident;
                    var span = text.AsSpan(start, pos - start);
                    if (!nameLookup.TryGetValue(span, out name))
                    {
                        name = span.ToString();
                        names[name] = name;
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
                    kind = TokKind.Punct;
                    if (Match(text, pos, Punct3))
                        pos += 3;
                    else if (Match(text, pos, Punct2))
                        pos += 2;
                    else
                    {
                        if (Punct1.IndexOf(c) < 0)
                            kind = TokKind.Other;
                        pos++;
                    }
                }

                Advance(start);
                if (startLine < 0)
                    startLine = line;
                var flags = TokFlags.Source | (white ? TokFlags.PrevWhite : TokFlags.None);
                tokens.Add(new Token(text, start, pos - start, kind, flags, line, start - lineStart + 1, name));
                white = false;
            }

            if (tokens.Count > first)
            {
                Advance(pos);
                var endLine = pos > 0 && text[pos - 1] == '\n' ? line - 1 : line;
                var directive = tokens[first].IsPunct('#');
                lines.Add(new LogicalLine(first, tokens.Count - first, startLine, Math.Max(endLine, startLine), directive));
            }
        }

        return new SourceFile(path, text, tokens.ToArray(), lines.ToArray(), null);
    }

    /// <summary>Lexes a standalone fragment (a -D value, a pasted or stringified spelling) without line structure.</summary>
    public static List<Token> LexFragment(string text, in Token at)
    {
        var f = Lex("<fragment>", text);
        var list = new List<Token>(f.Tokens.Length);
        foreach (var t in f.Tokens)
            list.Add(new Token(t.Src, t.Start, t.Length, t.Kind, t.Flags & ~TokFlags.Source, at.Line, at.Col, t.Name));
        return list;
    }

    public static bool IsIdentStart(char c) => char.IsAsciiLetter(c) || c == '_' || c == '$';

    public static bool IsIdentChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_' || c == '$';

    private static bool Match(string text, int pos, string[] options)
    {
        foreach (var p in options)
        {
            if (string.CompareOrdinal(text, pos, p, 0, p.Length) == 0)
                return true;
        }
        return false;
    }

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
