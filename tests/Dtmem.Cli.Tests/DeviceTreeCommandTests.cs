namespace Dtmem.Cli.Tests;

public class DeviceTreeCommandTests
{
    [Fact]
    public void SyntaxErrorIsLocatedWithCaretAndExitTwo()
    {
        var dir = Directory.CreateTempSubdirectory("dtmem-cli");
        var dts = Path.Combine(dir.FullName, "bad.dts");
        File.WriteAllText(dts, "/dts-v1/;\n/ {\n\tfoo = <1 2;\n};\n");
        var r = DtmemProcess.RunIn(dir.FullName, "compile", "bad.dts", "-o", "out.dtb");
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("bad.dts:3:", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("error:", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("^", r.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dir.FullName, "out.dtb")));
    }

    [Fact]
    public void FailedCompileLeavesAnExistingOutputUntouched()
    {
        var dir = Directory.CreateTempSubdirectory("dtmem-cli");
        var outFile = Path.Combine(dir.FullName, "out.dtb");
        File.WriteAllBytes(outFile, [1, 2, 3]);
        File.WriteAllText(Path.Combine(dir.FullName, "bad.dts"), "/dts-v1/;\n/ { x = <&nolabel>; };\n");
        var r = DtmemProcess.RunIn(dir.FullName, "compile", "bad.dts", "-o", "out.dtb");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal([1, 2, 3], File.ReadAllBytes(outFile));
        Assert.Empty(Directory.GetFiles(dir.FullName, "*.tmp"));
    }

    [Fact]
    public void CompileThenDecompileRoundTripsTheExample()
    {
        var dir = Directory.CreateTempSubdirectory("dtmem-cli");
        var dtb = Path.Combine(dir.FullName, "board.dtb");
        var c = DtmemProcess.Run("compile", DtmemProcess.Example("board.dts"), "-I", DtmemProcess.ExampleInclude, "-o", dtb);
        Assert.Equal(0, c.ExitCode);
        Assert.Equal(0xd00dfeedu, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(File.ReadAllBytes(dtb)));
        var d = DtmemProcess.Run("decompile", dtb);
        Assert.Equal(0, d.ExitCode);
        Assert.Contains("linux,cma {", d.Stdout, StringComparison.Ordinal);
        Assert.Contains("reg = <0x00 0x10000000 0x00 0x800000>;", d.Stdout, StringComparison.Ordinal);
        // The decompiled text compiles back to the same blob.
        var dts2 = Path.Combine(dir.FullName, "again.dts");
        File.WriteAllText(dts2, d.Stdout);
        var dtb2 = Path.Combine(dir.FullName, "again.dtb");
        Assert.Equal(0, DtmemProcess.Run("compile", dts2, "-o", dtb2).ExitCode);
        Assert.Equal(File.ReadAllBytes(dtb), File.ReadAllBytes(dtb2));
    }

    [Fact]
    public void TruncatedDtbIsABadInputWithAByteOffset()
    {
        var dir = Directory.CreateTempSubdirectory("dtmem-cli");
        var dtb = Path.Combine(dir.FullName, "board.dtb");
        Assert.Equal(0, DtmemProcess.Run("compile", DtmemProcess.Example("board.dts"), "-I", DtmemProcess.ExampleInclude, "-o", dtb).ExitCode);
        var bytes = File.ReadAllBytes(dtb);
        File.WriteAllBytes(dtb, bytes[..(bytes.Length / 2)]);
        var r = DtmemProcess.Run("decompile", dtb);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(":+0x", r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingInputFileExitsTwo()
    {
        var r = DtmemProcess.Run("decompile", "/nonexistent/board.dtb");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("/nonexistent/board.dtb", r.Stderr, StringComparison.Ordinal);
    }
}
