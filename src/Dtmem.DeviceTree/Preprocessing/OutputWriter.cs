using System.Text;

namespace Dtmem.DeviceTree.Preprocessing;

/// <summary>
/// Writes tokens the way gcc's <c>cpp</c> prints them: a token read from a new source line first brings the
/// output to that line (up to 8 blank lines, else a <c># LINE "FILE"</c> marker) and is indented to its column;
/// later tokens on the line keep their source spacing; tokens at a macro-expansion boundary get a space when
/// they would otherwise lex as one with the previous token.
/// </summary>
internal sealed class OutputWriter(int capacity)
{
    private readonly StringBuilder _sb = new(capacity);
    private int _outLine;
    private bool _printed;
    private bool _hasPrev;
    private Token _prev;

    public void Start(string mainName)
    {
        Marker(0, mainName, "");
        Marker(0, "<built-in>", "");
        Marker(0, "<command-line>", "");
        Marker(1, mainName, "");
    }

    /// <summary><c># LINE "NAME" FLAG</c> on a line of its own (flag " 1" entering an include, " 2" returning).</summary>
    public void Marker(int line, string name, string flag)
    {
        if (_printed)
            NewLine();
        _sb.Append("# ").Append(line).Append(" \"");
        foreach (var c in name)
        {
            if (c is '"' or '\\')
                _sb.Append('\\');
            _sb.Append(c);
        }
        _sb.Append('"').Append(flag).Append('\n');
        _outLine = line;
        _printed = false;
        _hasPrev = false;
    }

    /// <summary>Moves the output to presumed line <paramref name="line"/> of <paramref name="name"/>.</summary>
    public void SyncTo(int line, string name)
    {
        if (_printed)
            NewLine();
        if (line >= _outLine && line < _outLine + 8)
        {
            while (_outLine < line)
                NewLine();
        }
        else
            Marker(line, name, "");
    }

    public void Write(List<Token> tokens, string name, int lineDelta)
    {
        for (var i = 0; i < tokens.Count; i++)
        {
            var t = tokens[i];
            if ((t.Flags & (TokFlags.Source | TokFlags.LineStart)) == (TokFlags.Source | TokFlags.LineStart))
            {
                SyncTo(t.Line + lineDelta, name);
                var spaces = Math.Max(t.Col - 2, 0) + (t.PrevWhite ? 1 : 0);
                // A text line "# 12 ..." or "#!..." must not read as a linemarker or directive: cpp indents it.
                if (spaces == 0 && t.IsPunct('#') && (i + 1 == tokens.Count || tokens[i + 1].Kind != TokKind.Ident))
                    spaces = 1;
                _sb.Append(' ', spaces);
                if (t.Kind == TokKind.Placemarker)
                    continue;
            }
            else if (_hasPrev)
            {
                if (t.PrevWhite)
                {
                    var gap = (t.Flags & _prev.Flags & TokFlags.Source) != 0 && ReferenceEquals(t.Src, _prev.Src)
                        && t.Line == _prev.Line ? t.Col - _prev.Col - _prev.Length : 1;
                    _sb.Append(' ', Math.Max(gap, 1));
                }
                else if ((t.Flags & TokFlags.Boundary) != 0 && AvoidPaste(_prev, t))
                    _sb.Append(' ');
            }
            else if (t.PrevWhite || ((t.Flags & TokFlags.Boundary) != 0 && t.IsPunct('#')))
                _sb.Append(' ');
            _sb.Append(t.Text);
            _printed = true;
            _hasPrev = true;
            _prev = t;
        }
    }

    public string Finish()
    {
        if (_printed)
            NewLine();
        return _sb.ToString();
    }

    private void NewLine()
    {
        _sb.Append('\n');
        _outLine++;
        _printed = false;
        _hasPrev = false;
    }

    /// <summary>gcc's cpp_avoid_paste: would <paramref name="a"/> followed directly by <paramref name="b"/> lex
    /// differently?</summary>
    internal static bool AvoidPaste(in Token a, in Token b)
    {
        var c = b.Kind == TokKind.Punct ? b.Src[b.Start] : '\0';
        switch (a.Kind)
        {
            case TokKind.Ident:
                return b.Kind is TokKind.Ident or TokKind.Char or TokKind.String;
            case TokKind.Number:
                return b.Kind is TokKind.Number or TokKind.Ident or TokKind.Char || c is '.' or '+' or '-';
            case TokKind.Other:
                return a.Src[a.Start] == '\\' && b.Kind == TokKind.Ident;
            case TokKind.Punct:
                break;
            default:
                return false;
        }
        var s = a.Text;
        if (c == '=' && s is "=" or "!" or ">" or "<" or "+" or "-" or "*" or "/" or "%" or "&" or "|" or "^" or ">>" or "<<")
            return true;
        return s switch
        {
            ">" => c == '>',
            "<" => c is '<' or '%' or ':',
            "+" => c == '+',
            "-" => c is '-' or '>',
            "/" => c is '/' or '*',
            "%" => c is ':' or '%',
            "&" => c == '&',
            "|" => c == '|',
            ":" => c is ':' or '>',
            "->" => c == '*',
            "." => c is '.' or '%' || b.Kind == TokKind.Number,
            "#" => c is '#' or '%',
            _ => false,
        };
    }
}
