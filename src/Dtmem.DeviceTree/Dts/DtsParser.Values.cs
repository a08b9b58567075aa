using Dtmem.DeviceTree.Model;

namespace Dtmem.DeviceTree.Dts;

internal sealed partial class DtsParser
{
    private const int MaxExpressionDepth = 200;
    private int _exprDepth;

    private LMarker Marker(LMarkerKind kind, int offset, string? text, Token at) =>
        new(kind, offset, text, at.File, at.Line, at.Column);

    /// <summary><c>propdata</c>: comma-separated strings, cell arrays, byte strings, references and /incbin/, with labels.</summary>
    // Values are built here and copied out at their exact size, so growing never costs a fresh array per property.
    private readonly LData _scratch = new(4096);

    private LData ParsePropData()
    {
        var d = _scratch;
        d.Clear();
        while (true)
        {
            AddValueLabels(d);
            var t = _tok;
            switch (t.Kind)
            {
                case Tok.String:
                    Advance();
                    d.AddMarker(Marker(LMarkerKind.TypeString, d.Length, null, t));
                    DecodeString(t, d);
                    d.AppendByte(0);
                    break;
                case Tok.Bits:
                case Tok.Char when t.IsChar('<'):
                    ParseCells(d);
                    break;
                case Tok.Char when t.IsChar('['):
                    Advance();
                    d.AddMarker(Marker(LMarkerKind.TypeBytes, d.Length, null, t));
                    while (!_tok.IsChar(']'))
                    {
                        if (_tok.Kind == Tok.Byte) d.AppendByte((byte)_tok.Value);
                        else if (_tok.Kind == Tok.Label) d.AddMarker(Marker(LMarkerKind.Label, d.Length, _names.Get(_tok.Text), _tok));
                        else throw Unexpected("pairs of hex digits or ']' in the byte string");
                        Advance();
                    }
                    Advance();
                    break;
                case Tok.LabelRef:
                case Tok.PathRef:
                    Advance();
                    d.AddMarker(Marker(LMarkerKind.TypeString, d.Length, RefText(t), t));
                    d.AddMarker(Marker(LMarkerKind.RefPath, d.Length, RefText(t), t));
                    break;
                case Tok.Incbin:
                    Advance();
                    ParseIncbin(t, d);
                    break;
                default:
                    throw Unexpected("a value (\"string\", <cells>, [bytes], &reference or /incbin/)");
            }
            AddValueLabels(d);
            if (!_tok.IsChar(',')) return d.TakeExact();
            Advance();
        }
    }

    private void AddValueLabels(LData d)
    {
        while (_tok.Kind == Tok.Label)
        {
            d.AddMarker(Marker(LMarkerKind.Label, d.Length, _names.Get(_tok.Text), _tok));
            Advance();
        }
    }

    private static void DecodeString(Token t, LData d)
    {
        try
        {
            Escapes.Decode(t.Text[1..^1], d);
        }
        catch (FormatException e)
        {
            throw new DtException(t.Span, e.Message);
        }
    }

    /// <summary><c>[/bits/ N] &lt; cells &gt;</c> with dtc's truncation rule and phandle placeholders.</summary>
    private void ParseCells(LData d)
    {
        var bits = 32;
        var start = _tok;
        if (_tok.Kind == Tok.Bits)
        {
            Advance();
            if (_tok.Kind != Tok.Literal) throw Unexpected("the element size (8, 16, 32 or 64) after /bits/");
            var size = _tok.Value;
            if (size is not (8 or 16 or 32 or 64))
                throw new DtException(_tok.Span, $"array elements must be 8, 16, 32 or 64-bits, not {_tok.Text}");
            bits = (int)size;
            Advance();
        }
        ExpectChar('<', start.Kind == Tok.Bits ? "after /bits/ N" : null);
        var kind = bits switch { 8 => LMarkerKind.TypeUint8, 16 => LMarkerKind.TypeUint16, 64 => LMarkerKind.TypeUint64, _ => LMarkerKind.TypeUint32 };
        d.AddMarker(Marker(kind, d.Length, null, start));
        while (true)
        {
            var t = _tok;
            if (t.IsChar('>'))
            {
                Advance();
                return;
            }
            switch (t.Kind)
            {
                case Tok.Label:
                    d.AddMarker(Marker(LMarkerKind.Label, d.Length, _names.Get(t.Text), t));
                    Advance();
                    break;
                case Tok.LabelRef:
                case Tok.PathRef:
                    if (bits != 32)
                        throw new DtException(t.Span, $"references are only allowed in arrays with 32-bit elements (this one is /bits/ {bits})");
                    Advance();
                    d.AddMarker(Marker(LMarkerKind.RefPhandle, d.Length, RefText(t), t));
                    d.AppendInteger(0xffffffff, 32);
                    break;
                case Tok.Literal:
                case Tok.CharLiteral:
                case Tok.Char when t.IsChar('('):
                {
                    var v = ParsePrimary();
                    if (bits < 64)
                    {
                        var mask = (1UL << bits) - 1;
                        // Fits when the bits above the mask are all zero, or all one (a sign-extended negative).
                        if (v > mask && (v | mask) != ulong.MaxValue)
                        {
                            var truncated = (v & mask).ToString("x" + bits / 4);
                            if (!_options.TruncateOutOfRangeCells)
                                throw new DtException(t.Span, $"value 0x{v:x} out of range for {bits}-bit array element (dtc >= 1.7 would truncate it to 0x{truncated})");
                            Warnings?.Invoke(t.Span, $"value 0x{v:x16} truncated to 0x{truncated}");
                        }
                    }
                    d.AppendInteger(v, bits);
                    break;
                }
                default:
                    throw Unexpected("a number, '(' expression ')', a &reference or '>' in the cell list");
            }
        }
    }

    /// <summary>Receives dtc's non-fatal warnings (value truncation under <see cref="DtsCompileOptions.TruncateOutOfRangeCells"/>).</summary>
    public Action<SourceSpan, string>? Warnings { get; set; }

    private void ParseIncbin(Token at, LData d)
    {
        ExpectChar('(', "after /incbin/");
        if (_tok.Kind != Tok.String) throw Unexpected("a quoted file name in /incbin/(...)");
        var nameTok = _tok;
        var nameData = new LData();
        DecodeString(nameTok, nameData);
        var name = System.Text.Encoding.UTF8.GetString(nameData.Bytes);
        Advance();
        ulong offset = 0;
        ulong? length = null;
        if (_tok.IsChar(','))
        {
            Advance();
            offset = ParsePrimary();
            ExpectChar(',', "between the /incbin/ offset and length");
            length = ParsePrimary();
        }
        ExpectChar(')', "to close /incbin/(...)");
        var path = IncludeResolver.Find(name, _lex.CurrentDirectory, _options.IncludePaths)
            ?? throw new DtException(nameTok.Span, $"/incbin/ file \"{name}\" not found (searched {IncludeResolver.Describe(_lex.CurrentDirectory, _options.IncludePaths)})");
        try
        {
            using var f = File.OpenRead(path);
            var size = (ulong)f.Length;
            if (offset > size)
                throw new DtException(at.Span, $"/incbin/ offset {offset} is past the end of \"{name}\" ({size} bytes)");
            var available = size - offset;
            var want = length is { } l && l < available ? l : available;
            if (want > (ulong)_options.MaxPropertySize)
                throw new DtException(at.Span, $"/incbin/ of {want} bytes from \"{name}\" exceeds the {_options.MaxPropertySize}-byte 'property-size' limit") { Limit = "property-size" };
            f.Position = (long)offset;
            var buf = d.Grow((int)want);
            f.ReadExactly(buf);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DtException(nameTok.Span, $"cannot read /incbin/ file \"{path}\": {e.Message}");
        }
    }

    /// <summary><c>integer_prim</c>: a literal, a character literal or a parenthesised expression.</summary>
    private ulong ParsePrimary()
    {
        var t = _tok;
        switch (t.Kind)
        {
            case Tok.Literal:
            case Tok.CharLiteral:
                Advance();
                return t.Value;
            case Tok.Char when t.IsChar('('):
            {
                Advance();
                if (++_exprDepth > MaxExpressionDepth)
                    throw new DtException(t.Span, $"expression nested more than {MaxExpressionDepth} parentheses deep");
                var v = ParseExpr();
                _exprDepth--;
                ExpectChar(')', "to close the expression");
                return v;
            }
            default:
                throw Unexpected("a number or '(' expression ')'");
        }
    }

    // integer_trinary: integer_or ['?' integer_expr ':' integer_trinary]
    private ulong ParseExpr()
    {
        var c = ParseBinary(0);
        if (!_tok.IsChar('?')) return c;
        Advance();
        if (++_exprDepth > MaxExpressionDepth) throw new DtException(_tok.Span, "conditional expression nested too deeply");
        var a = ParseExpr();
        ExpectChar(':', "in the ?: expression");
        var b = ParseExpr();
        _exprDepth--;
        return c != 0 ? a : b;
    }

    // Binary levels from loosest to tightest, as in dtc-parser.y (all left-associative).
    private static int Level(in Token t) => t.Kind switch
    {
        Tok.OrOr => 0,
        Tok.AndAnd => 1,
        Tok.Char => (char)t.Value switch
        {
            '|' => 2,
            '^' => 3,
            '&' => 4,
            '<' or '>' => 6,
            '+' or '-' => 8,
            '*' or '/' or '%' => 9,
            _ => -1,
        },
        Tok.Eq or Tok.Ne => 5,
        Tok.Le or Tok.Ge => 6,
        Tok.LShift or Tok.RShift => 7,
        _ => -1,
    };

    private ulong ParseBinary(int level)
    {
        if (level > 9) return ParseUnary();
        var left = ParseBinary(level + 1);
        while (Level(_tok) == level)
        {
            var op = _tok;
            Advance();
            var right = ParseBinary(level + 1);
            left = Apply(op, left, right);
        }
        return left;
    }

    private static ulong Apply(in Token op, ulong a, ulong b)
    {
        switch (op.Kind)
        {
            case Tok.OrOr: return a != 0 || b != 0 ? 1UL : 0;
            case Tok.AndAnd: return a != 0 && b != 0 ? 1UL : 0;
            case Tok.Eq: return a == b ? 1UL : 0;
            case Tok.Ne: return a != b ? 1UL : 0;
            case Tok.Le: return a <= b ? 1UL : 0;
            case Tok.Ge: return a >= b ? 1UL : 0;
            case Tok.LShift: return b < 64 ? a << (int)b : 0;
            case Tok.RShift: return b < 64 ? a >> (int)b : 0;
        }
        switch ((char)op.Value)
        {
            case '|': return a | b;
            case '^': return a ^ b;
            case '&': return a & b;
            case '<': return a < b ? 1UL : 0;
            case '>': return a > b ? 1UL : 0;
            case '+': return unchecked(a + b);
            case '-': return unchecked(a - b);
            case '*': return unchecked(a * b);
            default:
                if (b == 0) throw new DtException(op.Span, $"division by zero ('{(char)op.Value}' with a zero right operand)");
                return (char)op.Value == '/' ? a / b : a % b;
        }
    }

    private ulong ParseUnary()
    {
        var t = _tok;
        if (t.Kind != Tok.Char || (char)t.Value is not ('-' or '~' or '!')) return ParsePrimary();
        Advance();
        if (++_exprDepth > MaxExpressionDepth) throw new DtException(t.Span, "unary operators nested too deeply");
        var v = ParseUnary();
        _exprDepth--;
        return (char)t.Value switch
        {
            '-' => unchecked(0 - v),
            '~' => ~v,
            _ => v == 0 ? 1UL : 0,
        };
    }
}
