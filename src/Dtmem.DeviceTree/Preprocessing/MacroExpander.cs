using System.Text;

namespace Dtmem.DeviceTree.Preprocessing;

/// <summary>
/// Macro expansion the way gcc's cpp does it: a stack of token contexts, one per macro being rescanned. A macro
/// is disabled while its context is on the stack, and a name that meets a disabled macro is painted
/// (<see cref="TokFlags.NoExpand"/>) for good. A function-like macro's argument list may run past the end of the
/// context that produced its name (popping, and so re-enabling, the macros below) and, in text, onto later lines.
/// </summary>
internal sealed class MacroExpander(PreprocessRun run)
{
    private struct Ctx
    {
        public Token[]? Toks;
        public SourceFile? File;
        public int Pos;
        public int End;
        public int Start;
        public Macro? Macro;
        public bool NameWhite;
    }

    private const int MaxContexts = 100_000;
    private const int MaxArgNesting = 256;

    private Ctx[] _ctx = new Ctx[16];
    private int _depth;
    private int _floor;
    private bool _extendable;
    private bool _boundary;
    private bool _lastBoundary;
    private int _argNesting;
    private long _budget;

    /// <summary>Expands a text line; function-like invocations may pull following lines (from the run).</summary>
    public void ExpandText(SourceFile file, int first, int count, List<Token> output)
    {
        _extendable = true;
        Pump(null, file, first, count, output, inIf: false);
        _extendable = false;
    }

    /// <summary>Fully expands a bounded token list (a directive's operands); nothing is read past its end.</summary>
    public void ExpandLine(Token[] toks, int first, int count, List<Token> output, bool inIf)
    {
        var saved = _extendable;
        _extendable = false;
        Pump(toks, null, first, count, output, inIf);
        _extendable = saved;
    }

    private void Pump(Token[]? toks, SourceFile? file, int first, int count, List<Token> output, bool inIf)
    {
        var savedFloor = _floor;
        _floor = _depth;
        Push(toks, first, first + count, null, false);
        _ctx[_depth - 1].File = file;
        _boundary = false;
        try
        {
            while (Next(out var t, false))
            {
                if (t.Kind == TokKind.Ident && (t.Flags & TokFlags.NoExpand) == 0)
                {
                    if (inIf && (t.Name == "defined" || t.Name is "__has_include" or "__has_include_next"))
                    {
                        output.Add(t.Name == "defined" ? Defined(t) : HasInclude(t));
                        continue;
                    }
                    if (run.TryGetMacro(t.Name!, out var m))
                    {
                        if (IsActive(m))
                        {
                            output.Add(t.WithFlags(t.Flags | TokFlags.NoExpand));
                            continue;
                        }
                        if (Enter(m, t))
                        {
                            // The line still starts here for the writer (cpp's line change precedes expansion).
                            if ((t.Flags & (TokFlags.Source | TokFlags.LineStart)) == (TokFlags.Source | TokFlags.LineStart))
                                output.Add(new Token(t.Src, t.Start, 0, TokKind.Placemarker, TokFlags.Source | TokFlags.LineStart, t.Line, t.Col, null));
                            continue;
                        }
                    }
                }
                output.Add(t);
            }
        }
        finally
        {
            Array.Clear(_ctx, _floor, _depth - _floor);
            _depth = _floor;
            _floor = savedFloor;
        }
    }

    /// <summary>Next token at or above the floor context. Popping a finished macro context re-enables the macro.</summary>
    private bool Next(out Token t, bool extend)
    {
        while (true)
        {
            ref var top = ref _ctx[_depth - 1];
            if (top.Pos < top.End)
            {
                t = top.File is { } file ? file.Get(top.Pos) : top.Toks![top.Pos];
                if (top.Pos == top.Start && top.Macro is not null)
                {
                    // The first token of an expansion is spaced like the macro name it replaces.
                    var f = (t.Flags & ~TokFlags.PrevWhite) | TokFlags.Boundary;
                    t = t.WithFlags(top.NameWhite ? f | TokFlags.PrevWhite : f);
                }
                else if (_boundary)
                    t = t.WithFlags(t.Flags | TokFlags.Boundary);
                _lastBoundary = _boundary;
                _boundary = false;
                top.Pos++;
                if ((t.Flags & TokFlags.Source) != 0)
                    run.CurrentLine = t.Line;
                return true;
            }
            if (_depth - 1 == _floor)
            {
                if (extend && top.File is not null && run.TryNextTextLine(out var first, out var count))
                {
                    top.Pos = top.Start = first;
                    top.End = first + count;
                    continue;
                }
                t = default;
                return false;
            }
            _ctx[--_depth] = default;
            _boundary = true;
        }
    }

    /// <summary>Puts back the token just read (it came from the top context).</summary>
    private void Unread()
    {
        _ctx[_depth - 1].Pos--;
        _boundary = _lastBoundary;
    }

    private void Push(Token[]? toks, int start, int end, Macro? macro, bool nameWhite)
    {
        if (_depth == _ctx.Length)
        {
            if (_depth >= MaxContexts)
                throw run.Error(default, $"macro expansion nested more than {MaxContexts} levels deep; a macro probably recurses through another");
            Array.Resize(ref _ctx, _depth * 2);
        }
        _ctx[_depth++] = new Ctx { Toks = toks, Pos = start, Start = start, End = end, Macro = macro, NameWhite = nameWhite };
    }

    private bool IsActive(Macro m)
    {
        for (var i = _depth - 1; i >= 0; i--)
        {
            if (ReferenceEquals(_ctx[i].Macro, m))
                return true;
        }
        return false;
    }

    /// <summary>Starts expanding <paramref name="m"/> named by <paramref name="name"/>; false when a function-like
    /// macro's name is not followed by '(' (the name then stays as it is).</summary>
    private bool Enter(Macro m, in Token name)
    {
        if (m.Builtin != BuiltinMacro.None)
        {
            Push([run.BuiltinToken(m, name)], 0, 1, m, name.PrevWhite);
            return true;
        }
        if (!m.FunctionLike)
        {
            if (m.HasPaste)
            {
                var body = Substitute(m, [], false, name);
                Push(body, 0, body.Length, m, name.PrevWhite);
            }
            else
                Push(m.Body, 0, m.Body.Length, m, name.PrevWhite);
            Charge(m.Body.Length, name);
            return true;
        }

        if (!Next(out var paren, _extendable))
            return false;
        if (!paren.IsPunct('('))
        {
            Unread();
            return false;
        }
        var args = CollectArgs(m, name, out var vaOmitted);
        foreach (var a in args)
            Charge(a.Count, name);
        // Substitute charges the budget as it goes, before each piece is copied: a body that repeats a huge
        // argument must stop at the budget, not after building the whole result.
        var result = Substitute(m, args, vaOmitted, name);
        Push(result, 0, result.Length, m, name.PrevWhite);
        return true;
    }

    private void Charge(int tokens, in Token at)
    {
        _budget += tokens;
        if (_budget > run.MaxExpansionTokens)
            throw run.Error(at, $"macro expansion produced more than {run.MaxExpansionTokens} tokens, the 'expansion-tokens' limit (runaway recursion?)", "expansion-tokens");
    }

    private List<Token>[] CollectArgs(Macro m, in Token name, out bool vaOmitted)
    {
        var args = new List<List<Token>> { new() };
        var depth = 0;
        while (true)
        {
            if (!Next(out var t, _extendable))
                throw run.Error(default, $"unterminated argument list invoking macro \"{m.Name}\": add the closing ')'");
            if (t.IsPunct('('))
                depth++;
            else if (t.IsPunct(')'))
            {
                if (depth == 0)
                    break;
                depth--;
            }
            else if (t.IsPunct(',') && depth == 0 && !(m.Variadic && args.Count == m.Params.Length))
            {
                args.Add([]);
                continue;
            }
            var cur = args[^1];
            cur.Add(cur.Count == 0 ? t.WithFlags(t.Flags & ~TokFlags.PrevWhite) : t);
        }

        vaOmitted = false;
        var n = m.Params.Length;
        if (n == 0)
        {
            if (args.Count == 1 && args[0].Count == 0)
                return [];
            throw run.Error(name, $"macro \"{m.Name}\" passed {args.Count} arguments, but takes just 0");
        }
        if (args.Count < n)
        {
            if (!(m.Variadic && args.Count == n - 1))
                throw run.Error(name, $"macro \"{m.Name}\" requires {n} arguments, but only {args.Count} given");
            args.Add([]);
            vaOmitted = true;
        }
        else if (args.Count > n)
            throw run.Error(name, $"macro \"{m.Name}\" passed {args.Count} arguments, but takes just {n}");
        // gcc drops the comma of ", ## __VA_ARGS__" also when the only parameter is variadic and empty.
        if (m.Variadic && n == 1 && args[0].Count == 0)
            vaOmitted = true;
        return args.ToArray();
    }

    private Token[] Substitute(Macro m, List<Token>[] args, bool vaOmitted, in Token name)
    {
        var body = m.Body;
        var roles = m.Roles;
        var res = new List<Token>(body.Length + 8);
        List<Token>?[]? expanded = null;
        var pasteNext = false;
        var boundaryNext = false;
        for (var i = 0; i < body.Length; i++)
        {
            var b = body[i];
            var role = roles[i];
            if (role == Macro.PasteOp)
            {
                pasteNext = true;
                continue;
            }
            var afterPaste = pasteNext;
            pasteNext = false;
            var beforePaste = i + 1 < body.Length && roles[i + 1] == Macro.PasteOp;

            if (role == Macro.StringifyOp)
            {
                Charge(args[roles[i + 1]].Count + 1, name);
                var s = Stringify(args[roles[i + 1]]);
                var tok = Token.Synthetic(s, TokKind.String, b.Flags & TokFlags.PrevWhite, name);
                i++;
                beforePaste = i + 1 < body.Length && roles[i + 1] == Macro.PasteOp;
                AddOperand(res, [tok], afterPaste, name);
                continue;
            }
            if (role >= 0)
            {
                var arg = args[role];
                if (afterPaste || beforePaste)
                {
                    // GNU ", ## __VA_ARGS__": an omitted variadic argument swallows the comma.
                    if (afterPaste && m.Variadic && role == m.Params.Length - 1 && vaOmitted
                        && res.Count > 0 && res[^1].IsPunct(','))
                    {
                        res.RemoveAt(res.Count - 1);
                        continue;
                    }
                    Charge(Math.Max(arg.Count, 1), name);
                    var raw = new List<Token>(Math.Max(arg.Count, 1));
                    if (arg.Count == 0)
                        raw.Add(Token.Synthetic("", TokKind.Placemarker, TokFlags.None, name));
                    else
                    {
                        for (var k = 0; k < arg.Count; k++)
                        {
                            var f = arg[k].Flags & ~(TokFlags.Source | TokFlags.LineStart);
                            if (k == 0)
                                f = (f & ~TokFlags.PrevWhite) | (b.Flags & TokFlags.PrevWhite);
                            raw.Add(arg[k].WithFlags(f));
                        }
                    }
                    AddOperand(res, raw, afterPaste, name);
                }
                else
                {
                    expanded ??= new List<Token>?[args.Length];
                    var exp = expanded[role] ??= ExpandArg(arg);
                    Charge(exp.Count, name);
                    for (var k = 0; k < exp.Count; k++)
                    {
                        var f = exp[k].Flags & ~(TokFlags.Source | TokFlags.LineStart);
                        if (k == 0)
                            f = (f & ~TokFlags.PrevWhite) | (b.Flags & TokFlags.PrevWhite) | TokFlags.Boundary;
                        res.Add(exp[k].WithFlags(f));
                    }
                    boundaryNext = true;
                }
                continue;
            }
            Charge(1, name);
            var flags = b.Flags;
            if (boundaryNext)
                flags |= TokFlags.Boundary;
            boundaryNext = false;
            AddOperand(res, [b.WithFlags(flags)], afterPaste, name);
        }
        res.RemoveAll(static t => t.Kind == TokKind.Placemarker);
        return res.ToArray();
    }

    private List<Token> ExpandArg(List<Token> arg)
    {
        var output = new List<Token>(arg.Count);
        if (arg.Count == 0)
            return output;
        if (++_argNesting > MaxArgNesting)
            throw run.Error(arg[0], $"macro arguments nested more than {MaxArgNesting} levels deep");
        try
        {
            var arr = arg.ToArray();
            var saved = _extendable;
            _extendable = false;
            var savedBoundary = _boundary;
            Pump(arr, null, 0, arr.Length, output, inIf: false);
            Charge(output.Count, arg[0]);
            _boundary = savedBoundary;
            _extendable = saved;
        }
        finally
        {
            _argNesting--;
        }
        return output;
    }

    /// <summary>Appends an operand; after '##' its first token is pasted onto the last token already there.</summary>
    private static void AddOperand(List<Token> res, List<Token> operand, bool paste, in Token at)
    {
        var start = 0;
        if (paste && res.Count > 0 && operand.Count > 0)
        {
            var lhs = res[^1];
            var rhs = operand[0];
            if (lhs.Kind == TokKind.Placemarker)
                res[^1] = rhs.WithFlags((rhs.Flags & ~TokFlags.PrevWhite) | (lhs.Flags & TokFlags.PrevWhite));
            else if (rhs.Kind != TokKind.Placemarker)
            {
                var pasted = Paste(lhs, rhs, at);
                if (pasted is { } p)
                    res[^1] = p;
                else
                    // Assembler mode keeps an invalid paste as two tokens, without complaint.
                    res.Add(rhs.WithFlags(rhs.Flags & ~TokFlags.PrevWhite));
            }
            start = 1;
        }
        for (var k = start; k < operand.Count; k++)
            res.Add(operand[k]);
    }

    private static Token? Paste(in Token lhs, in Token rhs, in Token at)
    {
        var text = string.Concat(lhs.Text, rhs.Text);
        var toks = CppLexer.LexFragment(text, at);
        if (toks.Count != 1 || toks[0].Length != text.Length)
            return null;
        var t = toks[0];
        return new Token(t.Src, t.Start, t.Length, t.Kind, lhs.Flags & (TokFlags.PrevWhite | TokFlags.Boundary), lhs.Line, lhs.Col, t.Name);
    }

    /// <summary>The # operator: spellings joined by single spaces where there was whitespace; '"' and '\' escaped
    /// inside string and character literals.</summary>
    private static string Stringify(List<Token> arg)
    {
        var sb = new StringBuilder("\"");
        for (var i = 0; i < arg.Count; i++)
        {
            var t = arg[i];
            if (i > 0 && t.PrevWhite)
                sb.Append(' ');
            if (t.Kind is TokKind.String or TokKind.Char)
            {
                foreach (var c in t.Text)
                {
                    if (c is '"' or '\\')
                        sb.Append('\\');
                    sb.Append(c);
                }
            }
            else
                sb.Append(t.Text);
        }
        return sb.Append('"').ToString();
    }

    /// <summary><c>defined X</c> / <c>defined(X)</c> in #if, read without expanding X.</summary>
    private Token Defined(in Token op)
    {
        if (!Next(out var t, false))
            throw run.Error(op, "operator \"defined\" requires an identifier");
        var paren = t.IsPunct('(');
        if (paren && !Next(out t, false))
            throw run.Error(op, "operator \"defined\" requires an identifier");
        if (t.Kind != TokKind.Ident)
            throw run.Error(t, $"operator \"defined\" requires an identifier, not '{t}'");
        var value = run.TryGetMacro(t.Name!, out _);
        if (paren && (!Next(out var close, false) || !close.IsPunct(')')))
            throw run.Error(t, "missing ')' after \"defined\"");
        return Token.Synthetic(value ? "1" : "0", TokKind.Number, op.Flags & TokFlags.PrevWhite, op);
    }

    /// <summary><c>__has_include("x")</c> / <c>__has_include(&lt;x&gt;)</c>.</summary>
    private Token HasInclude(in Token op)
    {
        if (!Next(out var t, false) || !t.IsPunct('('))
            throw run.Error(op, $"missing '(' after \"{op.Name}\"");
        var parts = new List<Token>();
        var depth = 0;
        while (true)
        {
            if (!Next(out t, false))
                throw run.Error(op, $"missing ')' after \"{op.Name}\"");
            if (t.IsPunct('('))
                depth++;
            if (t.IsPunct(')') && depth-- == 0)
                break;
            parts.Add(t);
        }
        var found = run.HasInclude(parts, op, next: op.Name == "__has_include_next");
        return Token.Synthetic(found ? "1" : "0", TokKind.Number, op.Flags & TokFlags.PrevWhite, op);
    }
}
