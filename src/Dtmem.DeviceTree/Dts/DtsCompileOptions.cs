namespace Dtmem.DeviceTree.Dts;

/// <summary>Options of the DTS compiler, named after the dtc/cpp flags they mirror.</summary>
public sealed class DtsCompileOptions
{
    /// <summary>Run the C preprocessor first (the kernel always does); off means the input is plain DTS or cpp output.</summary>
    public bool Preprocess { get; set; }

    /// <summary>Search directories for <c>#include</c>, <c>/include/</c> and <c>/incbin/</c> (cpp <c>-I</c>, dtc <c>-i</c>).</summary>
    public List<string> IncludePaths { get; } = [];

    /// <summary>Preprocessor macro definitions (<c>-D NAME</c> or <c>-D NAME=VALUE</c>); <c>__DTS__</c> is always defined, as the kernel does.</summary>
    public List<string> Defines { get; } = [];

    /// <summary>Lexed headers shared between compilations (a batch of boards includes the same files); null: one per call.</summary>
    public Preprocessing.SourceCache? PreprocessorCache { get; set; }

    /// <summary>dtc <c>-@</c>: emit <c>/__symbols__</c> (and give every labelled node a phandle).</summary>
    public bool Symbols { get; set; }

    /// <summary>dtc <c>-A</c>: add an <c>/aliases</c> entry for every label.</summary>
    public bool AutoAliases { get; set; }

    /// <summary>dtc <c>-b</c>: physical id of the boot CPU for the header; null lets dtc's guess stand (first /cpus child's reg).</summary>
    public uint? BootCpu { get; set; }

    /// <summary>dtc <c>-H</c>: which phandle properties are generated.</summary>
    public PhandleFormat PhandleFormat { get; set; } = PhandleFormat.Epapr;

    /// <summary>
    /// A cell value that does not fit its element size is an error in dtc 1.6 ("Value out of range") and a
    /// warning plus truncation since dtc 1.7. Off (the default) follows 1.6; on follows 1.7.
    /// </summary>
    public bool TruncateOutOfRangeCells { get; set; }

    // Resource limits against hostile input. Each error that hits one names it (DtException.Limit) by the name in
    // the comment; docs/limits.md lists them.

    /// <summary>Deepest node nesting accepted (limit <c>node-depth</c>).</summary>
    public int MaxDepth { get; set; } = 256;

    /// <summary>Most nodes accepted in one source (limit <c>nodes</c>).</summary>
    public int MaxNodes { get; set; } = 1_000_000;

    /// <summary>Largest property value accepted, in bytes (limit <c>property-size</c>).</summary>
    public int MaxPropertySize { get; set; } = 64 << 20;

    /// <summary>Deepest <c>/include/</c> and <c>#include</c> nesting; dtc's MAX_SRCFILE_DEPTH and gcc's limit are both 200 (limit <c>include-depth</c>).</summary>
    public int MaxIncludeDepth { get; set; } = 200;

    /// <summary>Most tokens macro expansion may produce in one run (limit <c>expansion-tokens</c>); see <see cref="Preprocessing.PreprocessorOptions.MaxExpansionTokens"/>.</summary>
    public long MaxExpansionTokens { get; set; } = Preprocessing.PreprocessorOptions.DefaultMaxExpansionTokens;

    /// <summary>Largest file read: the input, each <c>/include/</c>d or <c>#include</c>d file (limit <c>file-size</c>).</summary>
    public long MaxFileBytes { get; set; } = Preprocessing.SourceCache.DefaultMaxFileBytes;
}

/// <summary>dtc's <c>-H legacy|epapr|both</c>.</summary>
[Flags]
public enum PhandleFormat
{
    Legacy = 1,
    Epapr = 2,
    Both = Legacy | Epapr,
}
