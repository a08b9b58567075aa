namespace Dtmem.DeviceTree.Model;

/// <summary>
/// Where something was written: a file position (1-based line and column) and the chain of
/// <c>#include</c>/<c>/include/</c> sites that led to it. A DTB has no lines, so its spans carry a byte
/// offset and the node path instead.
/// </summary>
public sealed record SourceSpan(string File, int Line, int Column, SourceSpan? IncludedFrom = null)
{
    /// <summary>Byte offset into a binary input (DTB), or -1 for text input.</summary>
    public long ByteOffset { get; init; } = -1;

    public static SourceSpan Binary(string file, long offset) => new(file, 0, 0) { ByteOffset = offset };

    public bool IsBinary => ByteOffset >= 0;

    /// <summary>A whole file, as gcc names one it cannot read (<c>file: error: ...</c>).</summary>
    public static SourceSpan WholeFile(string file) => new(file, 0, 0);

    /// <summary>gcc-style location: <c>file:line:col</c>, <c>file:+0xOFFSET</c> for binary input, <c>file</c> for a whole file.</summary>
    public override string ToString() => IsBinary ? $"{File}:+0x{ByteOffset:x}" : Line == 0 ? File : $"{File}:{Line}:{Column}";

    /// <summary>The include chain, innermost first, as "included from" lines.</summary>
    public IEnumerable<SourceSpan> IncludeChain()
    {
        for (var s = IncludedFrom; s is not null; s = s.IncludedFrom)
            yield return s;
    }

    /// <summary>
    /// The include chain as gcc prints it above a diagnostic: innermost site first, continuation lines aligned,
    /// the last one ending in a colon. Empty for a span in the top file.
    /// </summary>
    public IEnumerable<string> IncludedFromLines(Func<SourceSpan, string> location)
    {
        const string first = "In file included from ";
        var chain = IncludeChain().ToList();
        for (var i = 0; i < chain.Count; i++)
            yield return (i == 0 ? first : new string(' ', first.Length - 5) + "from ") + location(chain[i]) + (i == chain.Count - 1 ? ":" : ",");
    }
}
