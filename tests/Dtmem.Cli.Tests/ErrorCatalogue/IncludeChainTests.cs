namespace Dtmem.Cli.Tests.ErrorCatalogue;

/// <summary>
/// An error inside an included .dtsi names the .dtsi line and, above it, every include site back to the file on the
/// command line; an unknown label gets the nearest defined one suggested. Both include mechanisms, through dtmem itself.
/// </summary>
public sealed class IncludeChainTests
{
    private static string Stderr(params (string File, string Text)[] files)
    {
        var dir = Directory.CreateTempSubdirectory("dtmem-chain-");
        try
        {
            foreach (var (file, text) in files) File.WriteAllText(Path.Combine(dir.FullName, file), text);
            var r = DtmemProcess.RunIn(dir.FullName, ["compile", "in.dts", "-o", "out.dtb"]);
            Assert.Equal(2, r.ExitCode);
            Assert.False(File.Exists(Path.Combine(dir.FullName, "out.dtb")));
            return r.Stderr;
        }
        finally { dir.Delete(recursive: true); }
    }

    [Theory]
    [InlineData("#include \"{0}\"")]
    [InlineData("/include/ \"{0}\"")]
    public void Error_in_a_nested_dtsi_prints_the_include_chain(string directive)
    {
        var include = (string f) => string.Format(System.Globalization.CultureInfo.InvariantCulture, directive, f) + "\n";
        var err = Stderr(
            ("in.dts", "/dts-v1/;\n" + include("mid.dtsi")),
            ("mid.dtsi", include("board.dtsi")),
            ("board.dtsi", "/ {\n\ta = <&uart1>;\n\tsoc { uart0: serial@1000 { }; };\n};\n"));
        var lines = err.Split('\n');
        var at = Array.FindIndex(lines, l => l.StartsWith("board.dtsi:2:7: error: ", StringComparison.Ordinal));
        Assert.True(at >= 2, err);
        // gcc's order: the innermost include site first, continuation lines aligned under it.
        Assert.Equal(["In file included from mid.dtsi:1:1,", "                 from in.dts:2:1:"], lines[(at - 2)..at]);
        Assert.EndsWith("reference to non-existent node or label &uart1 in property 'a' of /; did you mean &uart0?", lines[at]);
    }

    [Fact]
    public void Unknown_label_of_a_node_reference_suggests_the_nearest_label()
    {
        var err = Stderr(("in.dts", "/dts-v1/;\n/ { soc { uart0: serial@1000 { }; }; };\n&uart1 { status = \"okay\"; };\n"));
        Assert.Contains("in.dts:3:1: error: label or path &uart1 not found; did you mean &uart0?", err);
    }
}
