using Dtmem.DeviceTree.Model;

namespace Dtmem.DeviceTree.Preprocessing;

/// <summary>The cpp command line, as far as DTS preprocessing uses it.</summary>
public sealed class PreprocessorOptions
{
    /// <summary><c>-I</c> directories, searched in order (after the including file's own directory for "...").</summary>
    public List<string> IncludePaths { get; init; } = [];

    /// <summary><c>-D NAME[=VALUE]</c>, applied in insertion order; a null value means 1. NAME may carry a
    /// parameter list, as in <c>-D'F(x)=x'</c>.</summary>
    public Dictionary<string, string?> Defines { get; init; } = [];

    /// <summary><c>-U NAME</c>, applied after the defines.</summary>
    public List<string> Undefines { get; init; } = [];

    /// <summary>Deepest #include nesting before an error (gcc's limit is 200).</summary>
    public int MaxIncludeDepth { get; init; } = 200;

    /// <summary>Most tokens all macro expansions of one run may produce (bodies, collected and pre-expanded
    /// arguments) before it is stopped as runaway. All 2,775 arm64/arm/riscv boards of Linux 6.12 compile with 150,000 (two
    /// stm32mp15 boards need more than 100,000); 250,000 keeps a macro bomb of a few hundred bytes under the fuzz
    /// allocation budget of 64 MB.</summary>
    public long MaxExpansionTokens { get; init; } = DefaultMaxExpansionTokens;

    public const long DefaultMaxExpansionTokens = 250_000;

    /// <summary>
    /// The kernel's DTS preprocessing (scripts/Makefile.dtbs, <c>cpp -nostdinc -I include -I &lt;dts dir&gt;
    /// -I arch/&lt;arch&gt;/boot/dts -I scripts/dtc/include-prefixes -undef -D__DTS__ -x assembler-with-cpp</c>).
    /// </summary>
    public static PreprocessorOptions KernelDefaults(string dtsPath, string kernelRoot, string arch)
    {
        var dtsDir = Path.GetDirectoryName(dtsPath);
        // "." as the root gives the same names as running cpp from the kernel tree ("include/...").
        string In(params string[] parts) => kernelRoot is "" or "." ? Path.Combine(parts) : Path.Combine([kernelRoot, .. parts]);
        return new PreprocessorOptions
        {
            IncludePaths =
            [
                In("include"),
                string.IsNullOrEmpty(dtsDir) ? "." : dtsDir,
                In("arch", arch, "boot", "dts"),
                In("scripts", "dtc", "include-prefixes"),
            ],
            Defines = new Dictionary<string, string?> { ["__DTS__"] = null },
        };
    }
}

/// <summary>
/// Preprocessed text with gcc-style linemarkers (<c># LINE "FILE" [1|2]</c>), every file read (the main file first,
/// like <c>-MD</c>), and the <c>#warning</c>s and other warnings met on the way.
/// </summary>
public sealed record PreprocessResult(string Text, IReadOnlyList<string> Dependencies, IReadOnlyList<DtException> Warnings);
