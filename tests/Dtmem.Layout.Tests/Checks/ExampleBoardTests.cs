using Dtmem.DeviceTree;
using Dtmem.DeviceTree.Dts;
using Dtmem.DeviceTree.Preprocessing;
using Dtmem.Layout.Checks;
using Dtmem.Layout.Inputs;
using Dtmem.Layout.Model;
using Dtmem.Layout.Tests.Support;

namespace Dtmem.Layout.Tests.Checks;

/// <summary>The bundled examples/rk3566-cma boards, compiled with dtmem's DTS compiler; expectations from examples/rk3566-cma/README.md.</summary>
public class ExampleBoardTests
{
    private static readonly string Dir = Path.Combine(RepoRoot(), "examples", "rk3566-cma");

    // README: --kernel-version 5.4.74 --load-addr 0x10000000 --kernel-size 24M; a 5.4 Image has text_offset 0x80000.
    private static KernelFacts K54 => TestKernel.Facts("5.4.74", text: 0x10080000, size: 24 << 20);

    private static IReadOnlyList<Finding> Check(string file, KernelFacts k)
    {
        var cpp = new Preprocessor(new PreprocessorOptions { IncludePaths = [Path.Combine(Dir, "include"), Dir] });
        var path = Path.Combine(Dir, file);
        var tree = DtsCompiler.CompileText(cpp.Run(path).Text, path, new DtsCompileOptions());
        return CheckRegistry.Run(BootSimulator.Run(LayoutInputReader.FromTree(tree, k)));
    }

    [Fact]
    public void BrokenBoardIsAnErrorAtThePoolsRegLine()
    {
        var findings = Check("board.dts", K54);
        var f = Assert.Single(findings, x => x.Severity >= Severity.Warning);
        Assert.Equal("DTM003", f.Id);
        Assert.Equal(Severity.Error, f.Severity);
        var regLine = Array.FindIndex(File.ReadAllLines(Path.Combine(Dir, "board.dts")), l => l.Contains("reg = <0x0 CMA_BASE", StringComparison.Ordinal)) + 1;
        Assert.Equal(regLine, f.Span!.Line);
        Assert.EndsWith("board.dts", f.Span.File, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("board-fixed.dts")]
    [InlineData("board-dynamic.dts")]
    public void FixedBoardsAreClean(string file) =>
        Assert.DoesNotContain(Check(file, K54), x => x.Severity >= Severity.Warning);

    [Fact]
    public void BrokenBoardStillFailsOn612()
    {
        // Same U-Boot load address with a 6.12 Image (text_offset 0): _text = 0x10000000 (spec §7.2).
        var f = Assert.Single(Check("board.dts", TestKernel.Facts("6.12.38", text: 0x10000000, size: 24 << 20)), x => x.Severity >= Severity.Warning);
        Assert.Equal(("DTM003", Severity.Error), (f.Id, f.Severity));
    }

    private static string RepoRoot()
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d is not null && !File.Exists(Path.Combine(d.FullName, "Dtmem.slnx"))) d = d.Parent;
        return d!.FullName;
    }
}
