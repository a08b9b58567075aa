namespace Dtmem.DeviceTree.Preprocessing;

internal enum BuiltinMacro : byte
{
    None,
    File,
    Line,
    Counter,
    IncludeLevel,
    BaseFile,
}

/// <summary>
/// A macro definition, immutable once built so that definitions parsed from a cached header can be shared by
/// every run and thread. Whether a macro is "being expanded" is tracked by the expander's context stack.
/// </summary>
internal sealed class Macro
{
    /// <summary>Marks a body token that is the <c>##</c> operator.</summary>
    public const short PasteOp = -2;

    /// <summary>Marks a body token that is the <c>#</c> operator (always followed by a parameter).</summary>
    public const short StringifyOp = -3;

    private Macro(string name, BuiltinMacro builtin)
    {
        Name = name;
        Builtin = builtin;
        Params = [];
        Body = [];
        Roles = [];
    }

    public string Name { get; }
    public BuiltinMacro Builtin { get; }
    public bool FunctionLike { get; private init; }
    public bool Variadic { get; private init; }
    public string[] Params { get; private init; }

    /// <summary>Replacement list; Source flags removed, first token's PrevWhite cleared (as gcc stores it).</summary>
    public Token[] Body { get; private init; }

    /// <summary>Per body token: parameter index, <see cref="PasteOp"/>, <see cref="StringifyOp"/>, or -1.</summary>
    public short[] Roles { get; private init; }

    public bool HasPaste { get; private init; }

    /// <summary>Where it was defined (file:line:col, no include chain), for "redefined" warnings.</summary>
    public string? DefinedAt { get; private init; }

    public static Macro MakeBuiltin(string name, BuiltinMacro kind) => new(name, kind);

    /// <summary>
    /// Parses the tokens after <c>#define</c>. Returns null and an error message (with the index of the
    /// offending token) for a malformed definition.
    /// </summary>
    public static Macro? Parse(ReadOnlySpan<Token> toks, string definedAt, out string? error, out int errorAt)
    {
        error = null;
        errorAt = 0;
        if (toks.Length == 0 || toks[0].Kind != TokKind.Ident)
        {
            error = "macro names must be identifiers: write #define NAME [value]";
            return null;
        }
        var name = toks[0].Name!;
        if (name == "defined")
        {
            error = "\"defined\" cannot be used as a macro name";
            return null;
        }

        var i = 1;
        var funLike = false;
        var variadic = false;
        var parms = new List<string>();
        if (toks.Length > 1 && toks[1].IsPunct('(') && !toks[1].PrevWhite)
        {
            funLike = true;
            i = 2;
            var expectParam = true;
            while (true)
            {
                if (i >= toks.Length)
                {
                    error = $"missing ')' in the parameter list of macro \"{name}\"";
                    errorAt = toks.Length - 1;
                    return null;
                }
                var t = toks[i];
                if (t.IsPunct(')') && (!expectParam || parms.Count == 0))
                {
                    i++;
                    break;
                }
                if (expectParam && t.Kind == TokKind.Ident && !variadic)
                {
                    if (parms.Contains(t.Name!))
                    {
                        error = $"duplicate macro parameter \"{t.Name}\" in macro \"{name}\"";
                        errorAt = i;
                        return null;
                    }
                    parms.Add(t.Name!);
                    expectParam = false;
                    // GNU named variadic parameter: "args..."
                    if (i + 1 < toks.Length && toks[i + 1].IsPunct("..."))
                    {
                        variadic = true;
                        i++;
                    }
                }
                else if (expectParam && t.IsPunct("...") && !variadic)
                {
                    parms.Add("__VA_ARGS__");
                    variadic = true;
                    expectParam = false;
                }
                else if (!expectParam && t.IsPunct(',') && !variadic)
                {
                    expectParam = true;
                }
                else
                {
                    error = $"malformed parameter list of macro \"{name}\" at '{t}': expected a parameter name, '...', ',' or ')'";
                    errorAt = i;
                    return null;
                }
                i++;
            }
        }

        var body = new Token[toks.Length - i];
        var roles = new short[body.Length];
        var hasPaste = false;
        for (var k = 0; k < body.Length; k++)
        {
            var t = toks[i + k];
            var flags = t.Flags & ~(TokFlags.Source | TokFlags.LineStart);
            if (k == 0)
                flags &= ~TokFlags.PrevWhite;
            body[k] = t.WithFlags(flags);
            roles[k] = -1;
            if (funLike && t.Kind == TokKind.Ident)
                roles[k] = (short)parms.IndexOf(t.Name!);
            else if (t.IsPunct("##"))
            {
                if (k == 0 || k == body.Length - 1)
                {
                    error = $"'##' cannot appear at either end of the body of macro \"{name}\"";
                    errorAt = i + k;
                    return null;
                }
                roles[k] = PasteOp;
                hasPaste = true;
            }
        }
        // '#' is the stringify operator only before a parameter; in assembler mode a stray '#' stays literal.
        if (funLike)
        {
            for (var k = 0; k + 1 < body.Length; k++)
            {
                if (body[k].IsPunct('#') && roles[k] == -1 && roles[k + 1] >= 0)
                    roles[k] = StringifyOp;
            }
        }

        return new Macro(name, BuiltinMacro.None)
        {
            FunctionLike = funLike,
            Variadic = variadic,
            Params = parms.ToArray(),
            Body = body,
            Roles = roles,
            HasPaste = hasPaste,
            DefinedAt = definedAt,
        };
    }

    /// <summary>C's rule for a benign redefinition: same kind, parameters, and body spelling and spacing.</summary>
    public bool SameDefinition(Macro other)
    {
        if (FunctionLike != other.FunctionLike || Variadic != other.Variadic || Builtin != other.Builtin
            || !Params.AsSpan().SequenceEqual(other.Params) || Body.Length != other.Body.Length)
            return false;
        for (var i = 0; i < Body.Length; i++)
        {
            if (!Body[i].Text.SequenceEqual(other.Body[i].Text) || (i > 0 && Body[i].PrevWhite != other.Body[i].PrevWhite))
                return false;
        }
        return true;
    }
}
