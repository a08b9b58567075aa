namespace Dtmem.DeviceTree.Dts;

internal enum Tok : byte
{
    Eof,
    V1,
    Plugin,
    MemReserve,
    Bits,
    DelProp,
    DelNode,
    OmitNoRef,
    Incbin,
    /// <summary><c>name:</c>; the text excludes the colon.</summary>
    Label,
    /// <summary><c>&amp;name</c>; the text excludes the ampersand.</summary>
    LabelRef,
    /// <summary><c>&amp;{path}</c>; the text is the path.</summary>
    PathRef,
    Literal,
    CharLiteral,
    /// <summary>A string literal; the text includes the quotes.</summary>
    String,
    Byte,
    /// <summary>A property or node name; the text excludes a leading backslash.</summary>
    Name,
    LShift,
    RShift,
    Le,
    Ge,
    Eq,
    Ne,
    AndAnd,
    OrOr,
    /// <summary>Any other single character; <see cref="Token.Value"/> holds it.</summary>
    Char,
}

/// <summary>A token: a slice of its source text plus its position. Holds no strings of its own.</summary>
internal readonly struct Token(Tok kind, string src, int start, int length, FileState file, int line, int column, ulong value = 0)
{
    public Tok Kind { get; } = kind;
    public string Src { get; } = src;
    public int Start { get; } = start;
    public int Length { get; } = length;
    public FileState File { get; } = file;
    public int Line { get; } = line;
    public int Column { get; } = column;
    public ulong Value { get; } = value;

    public ReadOnlySpan<char> Text => Src.AsSpan(Start, Length);

    public bool IsChar(char c) => Kind == Tok.Char && Value == c;

    public Model.SourceSpan Span => File.At(Line, Column);

    /// <summary>How the token reads in an error message.</summary>
    public string Describe() => Kind switch
    {
        Tok.Eof => "end of input",
        Tok.V1 => "'/dts-v1/'",
        Tok.Plugin => "'/plugin/'",
        Tok.MemReserve => "'/memreserve/'",
        Tok.Bits => "'/bits/'",
        Tok.DelProp => "'/delete-property/'",
        Tok.DelNode => "'/delete-node/'",
        Tok.OmitNoRef => "'/omit-if-no-ref/'",
        Tok.Incbin => "'/incbin/'",
        Tok.Label => $"label '{Text}:'",
        Tok.LabelRef => $"reference '&{Text}'",
        Tok.PathRef => $"reference '&{{{Text}}}'",
        Tok.Literal => $"number '{Text}'",
        Tok.CharLiteral => $"character literal {Text}",
        Tok.String => Length > 40 ? $"string {Src.AsSpan(Start, 37)}...\"" : $"string {Text}",
        Tok.Byte => $"byte '{Text}'",
        Tok.Name => $"name '{Text}'",
        Tok.Char => $"'{(char)Value}'",
        _ => $"'{Text}'",
    };
}
