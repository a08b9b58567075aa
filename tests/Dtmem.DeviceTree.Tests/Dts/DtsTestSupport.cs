using Dtmem.DeviceTree.Dts;
using Dtmem.DeviceTree.Fdt;
using Dtmem.DeviceTree.Model;

namespace Dtmem.DeviceTree.Tests.Dts;

internal static class DtsTestSupport
{
    public static string DataDir => Path.Combine(AppContext.BaseDirectory, "data", "dts");

    public static DtTree Compile(string source, DtsCompileOptions? options = null, string fileName = "test.dts") =>
        DtsCompiler.CompileText(source, Path.Combine(DataDir, fileName), options ?? new DtsCompileOptions());

    public static byte[] CompileToDtb(string source, DtsCompileOptions? options = null) => FdtWriter.Write(Compile(source, options));

    /// <summary>Compiles and expects a DtException at <paramref name="line"/>:<paramref name="column"/> whose message contains <paramref name="text"/>.</summary>
    public static DtException Fails(string source, int line, int column, string text, DtsCompileOptions? options = null)
    {
        var e = Assert.Throws<DtException>(() => Compile(source, options));
        Assert.NotNull(e.At);
        Assert.Contains(text, e.Message, StringComparison.Ordinal);
        Assert.Equal((line, column), (e.At!.Line, e.At.Column));
        return e;
    }
}
