namespace Dtmem.Cli.Tests;

/// <summary>
/// dtmem never writes over its inputs: an output option naming a file the same run reads (by the same name, another
/// path to it, or a symbolic link) is refused with exit code 2 and the input keeps its bytes.
/// </summary>
public sealed class InputProtectionTests : IDisposable
{
    private const string Source = "/dts-v1/;\n/ { model = \"x\"; };\n";
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("dtmem-protect-");

    public InputProtectionTests() => File.WriteAllText(Path.Combine(_dir.FullName, "in.dts"), Source);

    public void Dispose() => _dir.Delete(recursive: true);

    [Theory]
    [InlineData("compile", "in.dts", "-o", "in.dts")]
    [InlineData("compile", "in.dts", "-o", "../{dir}/in.dts")]
    [InlineData("compile", "in.dts", "-o", "link.dts")]
    [InlineData("decompile", "in.dts", "-o", "in.dts")]
    [InlineData("check", "in.dts", "--svg", "in.dts")]
    [InlineData("check", "in.dts", "--html", "link.dts")]
    [InlineData("check", "in.dts", "--out", "in.dts")]
    public void Output_over_an_input_is_refused_and_the_input_is_untouched(params string[] args)
    {
        File.CreateSymbolicLink(Path.Combine(_dir.FullName, "link.dts"), "in.dts");
        var argv = args.Select(a => a.Replace("{dir}", _dir.Name, StringComparison.Ordinal)).ToArray();
        var r = DtmemProcess.RunIn(_dir.FullName, argv);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"{argv[^1]}: error: is an input of this run; dtmem never writes over its inputs: choose another output file", r.Stderr);
        Assert.Equal(Source, File.ReadAllText(Path.Combine(_dir.FullName, "in.dts")));
        Assert.Empty(Directory.GetFiles(_dir.FullName, "*.tmp", SearchOption.AllDirectories).Concat(Directory.GetFiles(_dir.FullName, ".*")));
    }

    [Fact]
    public void An_existing_output_that_is_not_an_input_is_replaced()
    {
        File.WriteAllText(Path.Combine(_dir.FullName, "out.dtb"), "old");
        var r = DtmemProcess.RunIn(_dir.FullName, "compile", "in.dts", "-o", "out.dtb");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal(0xd0, File.ReadAllBytes(Path.Combine(_dir.FullName, "out.dtb"))[0]);
    }

    [Fact]
    public void A_folder_as_output_is_refused()
    {
        Directory.CreateDirectory(Path.Combine(_dir.FullName, "sub"));
        var r = DtmemProcess.RunIn(_dir.FullName, "compile", "in.dts", "-o", "sub");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("sub: error: is a directory; name an output file", r.Stderr);
    }
}
