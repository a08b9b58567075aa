using Dtmem.DeviceTree.Dts;
using Dtmem.DeviceTree.Model;
using Dtmem.DeviceTree.Preprocessing;

namespace Dtmem.DeviceTree;

/// <summary>
/// Compiles device-tree source into the shared tree model with dtc's semantics (labels, references, merges,
/// deletions, phandle allocation, <c>__symbols__</c>, overlay fixups). Write it out with
/// <see cref="Fdt.FdtWriter.Write"/> to get the bytes <c>dtc -I dts -O dtb</c> produces.
/// </summary>
public static class DtsCompiler
{
    /// <summary>Compiles the file at <paramref name="path"/>, through the C preprocessor when <see cref="DtsCompileOptions.Preprocess"/> is set.</summary>
    /// <param name="warn">Receives non-fatal warnings (#warning, value truncation, duplicate symbols).</param>
    /// <exception cref="DtException">Any error in the source, located.</exception>
    public static DtTree Compile(string path, DtsCompileOptions options, Action<SourceSpan, string>? warn = null)
    {
        if (options.Preprocess)
            return Parse(Report(CreatePreprocessor(options).Run(path), path, warn), path, options, warn);
        return Parse(TreeLoader.ReadText(path, options.MaxFileBytes), path, options, warn);
    }

    /// <summary>
    /// Compiles source text (plain DTS, or cpp output with line markers; preprocessed first when
    /// <see cref="DtsCompileOptions.Preprocess"/> is set). <paramref name="fileName"/> names it in locations and
    /// anchors relative <c>#include</c>, <c>/include/</c> and <c>/incbin/</c> paths.
    /// </summary>
    public static DtTree CompileText(string text, string fileName, DtsCompileOptions options, Action<SourceSpan, string>? warn = null)
    {
        if (options.Preprocess)
            text = Report(CreatePreprocessor(options).RunText(text, fileName), fileName, warn);
        return Parse(text, fileName, options, warn);
    }

    private static DtTree Parse(string text, string fileName, DtsCompileOptions options, Action<SourceSpan, string>? warn)
    {
        var parser = new DtsParser(text, fileName, Path.GetDirectoryName(fileName), options) { Warnings = warn };
        var src = parser.Parse();
        new DtsSemantics(src.Root, src.IsPlugin, options, warn).Run();
        return ModelBuilder.Build(src, options.BootCpu ?? src.BootCpuGuess, fileName);
    }

    private static Preprocessor CreatePreprocessor(DtsCompileOptions options)
    {
        // The kernel always preprocesses DTS with -D__DTS__ (dt-bindings headers test it); callers may redefine it.
        var defines = new Dictionary<string, string?>(StringComparer.Ordinal) { ["__DTS__"] = null };
        foreach (var d in options.Defines)
        {
            var eq = d.IndexOf('=');
            if (eq < 0) defines[d] = null;
            else defines[d[..eq]] = d[(eq + 1)..];
        }
        var pp = new PreprocessorOptions
        {
            IncludePaths = [.. options.IncludePaths],
            Defines = defines,
            MaxIncludeDepth = options.MaxIncludeDepth,
            MaxExpansionTokens = options.MaxExpansionTokens,
        };
        return new Preprocessor(pp, options.PreprocessorCache ?? new SourceCache(options.MaxFileBytes));
    }

    private static string Report(PreprocessResult result, string fileName, Action<SourceSpan, string>? warn)
    {
        if (warn is not null)
            foreach (var w in result.Warnings) warn(w.At ?? new SourceSpan(fileName, 0, 0), w.Message);
        return result.Text;
    }
}
