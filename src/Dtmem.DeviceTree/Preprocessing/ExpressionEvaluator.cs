using System.Globalization;

namespace Dtmem.DeviceTree.Preprocessing;

/// <summary>
/// The #if expression grammar of C, evaluated in intmax_t / uintmax_t (64-bit) like cpp: usual arithmetic
/// conversions to unsigned when either side is unsigned, short-circuit operands not evaluated (so a division by
/// zero there is no error), identifiers left after expansion are 0.
/// </summary>
internal sealed class ExpressionEvaluator
{
    private readonly record struct Val(long V, bool U)
    {
        public bool IsTrue => V != 0;
    }

    private readonly List<Token> _t;
    private readonly PreprocessRun _run;
    private readonly Token _at;
    private int _i;

    private ExpressionEvaluator(List<Token> tokens, PreprocessRun run, in Token at)
    {
        _t = tokens;
        _run = run;
        _at = at;
    }

    /// <summary>Evaluates fully expanded tokens; <paramref name="at"/> locates the directive for errors.</summary>
    public static bool Evaluate(List<Token> tokens, PreprocessRun run, in Token at, string directive)
    {
        if (tokens.Count == 0)
            throw run.Error(at, $"#{directive} with no expression: write a condition after #{directive}");
        var e = new ExpressionEvaluator(tokens, run, at);
        var v = e.Comma(true);
        if (e._i < tokens.Count)
            throw run.Error(tokens[e._i], $"missing binary operator before token \"{tokens[e._i]}\" in #{directive} expression");
        return v.IsTrue;
    }

    private Token Peek => _i < _t.Count ? _t[_i] : default;

    private bool Accept(string op)
    {
        if (_i < _t.Count && _t[_i].IsPunct(op))
        {
            _i++;
            return true;
        }
        return false;
    }

    private Exception Fail(string message) => _run.Error(_i < _t.Count ? _t[_i] : _at, message);

    private Val Comma(bool eval)
    {
        var v = Cond(eval);
        while (Accept(","))
            v = Cond(eval);
        return v;
    }

    // Parentheses, unary operators and ?: chains recurse; hostile nesting must end in a located error, not a
    // stack overflow that kills the process. Each parenthesis level costs two (Cond and Unary).
    private const int MaxNesting = 512;
    private int _depth;

    private void Enter()
    {
        if (++_depth > MaxNesting)
            throw Fail($"#if expression nested too deeply (more than {MaxNesting} levels of parentheses, unary operators and ?:; each parenthesis counts two)");
    }

    private Val Cond(bool eval)
    {
        Enter();
        var v = CondCore(eval);
        _depth--;
        return v;
    }

    private Val CondCore(bool eval)
    {
        var c = Binary(0, eval);
        if (!Accept("?"))
            return c;
        var a = Comma(eval && c.IsTrue);
        if (!Accept(":"))
            throw Fail("'?' without following ':' in #if expression");
        var b = Cond(eval && !c.IsTrue);
        var u = a.U || b.U;
        return new Val(c.IsTrue ? a.V : b.V, u);
    }

    // Binary operators by precedence level, loosest first.
    private static readonly string[][] Levels =
    [
        ["||"], ["&&"], ["|"], ["^"], ["&"], ["==", "!="], ["<", ">", "<=", ">="], ["<<", ">>"], ["+", "-"], ["*", "/", "%"],
    ];

    private Val Binary(int level, bool eval)
    {
        if (level == Levels.Length)
            return Unary(eval);
        var lhs = Binary(level + 1, eval);
        while (true)
        {
            var op = MatchOp(Levels[level]);
            if (op is null)
                return lhs;
            var at = _t[_i - 1];
            // && and || do not evaluate their right side when the left decides.
            var evalRhs = eval && op switch
            {
                "&&" => lhs.IsTrue,
                "||" => !lhs.IsTrue,
                _ => true,
            };
            var rhs = Binary(level + 1, evalRhs);
            lhs = Apply(op, lhs, rhs, evalRhs, at);
        }
    }

    private string? MatchOp(string[] ops)
    {
        if (_i >= _t.Count || _t[_i].Kind != TokKind.Punct)
            return null;
        foreach (var op in ops)
        {
            if (_t[_i].IsPunct(op))
            {
                _i++;
                return op;
            }
        }
        return null;
    }

    private Val Apply(string op, Val a, Val b, bool eval, in Token at)
    {
        var u = a.U || b.U;
        switch (op)
        {
            case "||": return new Val(a.IsTrue || b.IsTrue ? 1 : 0, false);
            case "&&": return new Val(a.IsTrue && b.IsTrue ? 1 : 0, false);
            case "|": return new Val(a.V | b.V, u);
            case "^": return new Val(a.V ^ b.V, u);
            case "&": return new Val(a.V & b.V, u);
            case "==": return new Val(a.V == b.V ? 1 : 0, false);
            case "!=": return new Val(a.V != b.V ? 1 : 0, false);
            case "<": return new Val((u ? (ulong)a.V < (ulong)b.V : a.V < b.V) ? 1 : 0, false);
            case ">": return new Val((u ? (ulong)a.V > (ulong)b.V : a.V > b.V) ? 1 : 0, false);
            case "<=": return new Val((u ? (ulong)a.V <= (ulong)b.V : a.V <= b.V) ? 1 : 0, false);
            case ">=": return new Val((u ? (ulong)a.V >= (ulong)b.V : a.V >= b.V) ? 1 : 0, false);
            case "<<": return Shift(a, b, left: true);
            case ">>": return Shift(a, b, left: false);
            case "+": return new Val(unchecked(a.V + b.V), u);
            case "-": return new Val(unchecked(a.V - b.V), u);
            case "*": return new Val(unchecked(u ? (long)((ulong)a.V * (ulong)b.V) : a.V * b.V), u);
            default:
                if (b.V == 0)
                {
                    if (eval)
                        throw _run.Error(at, "division by zero in #if");
                    return new Val(0, u);
                }
                if (u)
                    return new Val((long)(op == "/" ? (ulong)a.V / (ulong)b.V : (ulong)a.V % (ulong)b.V), true);
                if (a.V == long.MinValue && b.V == -1)
                    return new Val(op == "/" ? long.MinValue : 0, false);
                return new Val(op == "/" ? a.V / b.V : a.V % b.V, false);
        }
    }

    /// <summary>cpp's shifts: the result has the left operand's type; a negative count shifts the other way;
    /// counts of 64 or more give 0 (or -1 for a negative signed value shifted right).</summary>
    private static Val Shift(Val a, Val b, bool left)
    {
        var n = b.V;
        if (!b.U && n < 0)
        {
            left = !left;
            n = n == long.MinValue ? long.MaxValue : -n;
        }
        if (left)
            return new Val((ulong)n >= 64 ? 0 : a.V << (int)n, a.U);
        if (a.U)
            return new Val((ulong)n >= 64 ? 0 : (long)((ulong)a.V >> (int)n), true);
        return new Val((ulong)n >= 64 ? (a.V < 0 ? -1 : 0) : a.V >> (int)n, false);
    }

    private Val Unary(bool eval)
    {
        Enter();
        var v = UnaryCore(eval);
        _depth--;
        return v;
    }

    private Val UnaryCore(bool eval)
    {
        if (_i >= _t.Count)
            throw Fail("#if expression ends where an operand was expected");
        var t = _t[_i];
        if (t.Kind == TokKind.Punct)
        {
            _i++;
            switch (t.Text)
            {
                case "+": return Unary(eval);
                case "-": { var v = Unary(eval); return new Val(unchecked(-v.V), v.U); }
                case "~": { var v = Unary(eval); return new Val(~v.V, v.U); }
                case "!": { var v = Unary(eval); return new Val(v.IsTrue ? 0 : 1, false); }
                case "(":
                {
                    var v = Comma(eval);
                    if (!Accept(")"))
                        throw Fail("missing ')' in #if expression");
                    return v;
                }
            }
            _i--;
            throw Fail($"token \"{t}\" is not valid where an operand is expected in #if expression");
        }
        _i++;
        return t.Kind switch
        {
            TokKind.Number => Number(t),
            TokKind.Char => CharConst(t),
            // Identifiers that survive expansion (undefined macros, keywords) are 0.
            TokKind.Ident => new Val(0, false),
            _ => throw _run.Error(t, $"token \"{t}\" is not valid in preprocessor expressions"),
        };
    }

    private Val Number(in Token t)
    {
        var s = t.Text;
        var end = s.Length;
        var unsignedSuffix = false;
        var longs = 0;
        while (end > 0)
        {
            var c = char.ToLowerInvariant(s[end - 1]);
            if (c == 'u' && !unsignedSuffix)
                unsignedSuffix = true;
            else if (c == 'l' && longs < 2)
                longs++;
            else
                break;
            end--;
        }
        var digits = s[..end];
        int radix = 10;
        if (digits.Length > 1 && digits[0] == '0' && (digits[1] | 0x20) == 'x')
        {
            radix = 16;
            digits = digits[2..];
        }
        else if (digits.Length > 1 && digits[0] == '0' && (digits[1] | 0x20) == 'b')
        {
            radix = 2;
            digits = digits[2..];
        }
        else if (digits.Length > 1 && digits[0] == '0')
        {
            radix = 8;
            digits = digits[1..];
        }
        if (digits.Length == 0)
            throw _run.Error(t, $"invalid integer constant \"{t}\" in #if expression");
        ulong v = 0;
        var overflow = false;
        foreach (var c in digits)
        {
            var d = char.IsAsciiDigit(c) ? c - '0' : char.IsAsciiLetter(c) ? (c | 0x20) - 'a' + 10 : 99;
            if (d >= radix)
            {
                var what = c == '.' || (radix != 16 && (c | 0x20) == 'e') ? "floating constant" : $"invalid digit '{c}' in constant";
                throw _run.Error(t, $"{what} \"{t}\" in #if expression: only integer constants are allowed");
            }
            var next = unchecked(v * (ulong)radix + (ulong)d);
            if ((next - (ulong)d) / (ulong)radix != v)
                overflow = true;
            v = next;
        }
        if (overflow)
            throw _run.Error(t, $"integer constant \"{t}\" is too large for its type (64 bits)");
        // A constant that does not fit intmax_t is unsigned (gcc warns for decimal ones).
        return new Val((long)v, unsignedSuffix || v > long.MaxValue);
    }

    /// <summary>A character constant: int-sized, the value of a plain char (signed, as on the host cpp).</summary>
    private Val CharConst(in Token t)
    {
        var s = t.Text;
        if (s[0] != '\'')
            throw _run.Error(t, $"wide or prefixed character constant {t} is not supported in #if");
        var body = s[1..^1];
        if (body.IsEmpty)
            throw _run.Error(t, "empty character constant in #if expression");
        long value = 0;
        var count = 0;
        for (var i = 0; i < body.Length;)
        {
            int c = body[i++];
            if (c == '\\' && i < body.Length)
            {
                var e = body[i++];
                switch (e)
                {
                    case 'n': c = '\n'; break;
                    case 't': c = '\t'; break;
                    case 'r': c = '\r'; break;
                    case 'a': c = 7; break;
                    case 'b': c = 8; break;
                    case 'f': c = 12; break;
                    case 'v': c = 11; break;
                    case 'e': case 'E': c = 27; break;
                    case 'x':
                    {
                        var st = i;
                        while (i < body.Length && char.IsAsciiHexDigit(body[i]))
                            i++;
                        if (i == st)
                            throw _run.Error(t, "\\x used with no following hex digits");
                        // Only the low byte is kept, so accumulate modulo 256: a long escape must not overflow.
                        c = 0;
                        foreach (var h in body[st..i])
                            c = ((c << 4) | (h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10)) & 0xff;
                        break;
                    }
                    case >= '0' and <= '7':
                    {
                        c = e - '0';
                        for (var k = 0; k < 2 && i < body.Length && body[i] is >= '0' and <= '7'; k++)
                            c = c * 8 + (body[i++] - '0');
                        c &= 0xff;
                        break;
                    }
                    default: c = e; break;
                }
            }
            value = (value << 8) | (uint)(c & 0xff);
            count++;
        }
        if (count == 1)
            return new Val((sbyte)(byte)value, false);
        return new Val((int)value, false);
    }
}
