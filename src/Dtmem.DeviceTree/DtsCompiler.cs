using Dtmem.DeviceTree.Dts;
using Dtmem.DeviceTree.Model;

namespace Dtmem.DeviceTree;

/// <summary>
/// Compiles device-tree source into the shared tree model with dtc's semantics (labels, references, merges,
/// deletions, phandle allocation, <c>__symbols__</c>, overlay fixups). Write it out with
/// <see cref="Fdt.FdtWriter.Write"/> to get the bytes <c>dtc -I dts -O dtb</c> produces.
/// </summary>
public static class DtsCompiler
{
    /// <summary>Compiles the file at <paramref name="path"/>.</summary>
    /// <param name="warn">Receives dtc's non-fatal warnings (value truncation, duplicate symbols).</param>
    /// <exception cref="DtException">Any error in the source, located.</exception>
    public static DtTree Compile(string path, DtsCompileOptions options, Action<SourceSpan, string>? warn = null)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DtException(null, $"cannot read {path}: {e.Message}");
        }
        return CompileText(text, path, options, warn);
    }

    /// <summary>
    /// Compiles source text (plain DTS, or cpp output with line markers). <paramref name="fileName"/> names it in
    /// locations and anchors relative <c>/include/</c> and <c>/incbin/</c> paths.
    /// </summary>
    public static DtTree CompileText(string text, string fileName, DtsCompileOptions options, Action<SourceSpan, string>? warn = null)
    {
        var parser = new DtsParser(text, fileName, Path.GetDirectoryName(fileName), options) { Warnings = warn };
        var src = parser.Parse();
        new DtsSemantics(src.Root, src.IsPlugin, options, warn).Run();
        return ModelBuilder.Build(src, options.BootCpu ?? src.BootCpuGuess, fileName);
    }
}
