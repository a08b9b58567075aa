namespace Dtmem.DeviceTree.Preprocessing;

internal enum TokKind : byte
{
    Ident,
    Number,
    String,
    Char,
    Punct,

    /// <summary>Anything else: a stray character, or the rest of a line after an unterminated quote
    /// (assembler-with-cpp mode lexes that as one opaque token instead of failing).</summary>
    Other,

    /// <summary>An empty macro argument next to <c>##</c>; removed before output.</summary>
    Placemarker,
}

[Flags]
internal enum TokFlags : byte
{
    None = 0,

    /// <summary>Whitespace or a comment preceded the token.</summary>
    PrevWhite = 1,

    /// <summary>"Painted blue": named a macro while that macro was being expanded; never expands again.</summary>
    NoExpand = 2,

    /// <summary>First token after a macro-expansion boundary: the writer separates it from the previous token
    /// when the two would otherwise lex as one (gcc's avoid_paste).</summary>
    Boundary = 4,

    /// <summary>Read straight from a source line (not produced by an expansion).</summary>
    Source = 8,

    /// <summary>First token of a logical line: the writer moves the output to its line (cpp's line-change hook).</summary>
    LineStart = 16,
}

/// <summary>
/// A preprocessing token: a slice of a source string (never copied), its 1-based physical position, and,
/// for identifiers, the interned name so macro lookups hash a string that already exists.
/// </summary>
internal readonly struct Token
{
    public Token(string src, int start, int length, TokKind kind, TokFlags flags, int line, int col, string? name)
    {
        Src = src;
        Start = start;
        Length = length;
        Kind = kind;
        Flags = flags;
        Line = line;
        Col = col;
        Name = name;
    }

    public readonly string Src;
    public readonly int Start;
    public readonly int Length;
    public readonly int Line;
    public readonly int Col;
    public readonly string? Name;
    public readonly TokKind Kind;
    public readonly TokFlags Flags;

    public ReadOnlySpan<char> Text => Src.AsSpan(Start, Length);

    public bool PrevWhite => (Flags & TokFlags.PrevWhite) != 0;

    public bool IsPunct(char c) => Kind == TokKind.Punct && Length == 1 && Src[Start] == c;

    public bool IsPunct(string s) => Kind == TokKind.Punct && Text.SequenceEqual(s);

    public Token WithFlags(TokFlags flags) => new(Src, Start, Length, Kind, flags, Line, Col, Name);

    /// <summary>Same token, re-anchored at <paramref name="at"/> (expansion results report the invocation site).</summary>
    public Token At(in Token at, TokFlags flags) => new(Src, Start, Length, Kind, flags, at.Line, at.Col, Name);

    public static Token Synthetic(string text, TokKind kind, TokFlags flags, in Token at) =>
        new(text, 0, text.Length, kind, flags, at.Line, at.Col, kind == TokKind.Ident ? text : null);

    public override string ToString() => Text.ToString();
}
