namespace Dtmem.Cli.Tests;

/// <summary>"-" reads standard input, as dtc and cpp do: a DTS or DTB piped in, a log piped from dmesg.</summary>
public sealed class StandardInputTests
{
    [Fact]
    public void Dts_from_standard_input_compiles_to_the_same_blob_as_from_a_file()
    {
        var src = "/dts-v1/;\n/ { model = \"piped\"; n { p = <1 2>; }; };\n"u8.ToArray();
        var dir = Directory.CreateTempSubdirectory("dtmem-stdin-");
        try
        {
            File.WriteAllBytes(Path.Combine(dir.FullName, "in.dts"), src);
            Assert.Equal(0, DtmemProcess.RunIn(dir.FullName, "compile", "in.dts", "-o", "file.dtb").ExitCode);
            var piped = DtmemProcess.RunWithInput(dir.FullName, src, "compile", "-", "-o", "piped.dtb");
            Assert.True(piped.ExitCode == 0, piped.Stderr);
            Assert.Equal(File.ReadAllBytes(Path.Combine(dir.FullName, "file.dtb")), File.ReadAllBytes(Path.Combine(dir.FullName, "piped.dtb")));

            var back = DtmemProcess.RunWithInput(dir.FullName, File.ReadAllBytes(Path.Combine(dir.FullName, "piped.dtb")), "decompile", "-");
            Assert.Contains("model = \"piped\";", back.Stdout);
        }
        finally { dir.Delete(recursive: true); }
    }

    [Fact]
    public void Error_in_piped_source_is_located_at_the_dash()
    {
        var r = DtmemProcess.RunWithInput(DtmemProcess.RepoRoot, "/dts-v1/;\n/ { a = <1 2;\n"u8.ToArray(), "compile", "-");
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("-:2:13: error: syntax error", r.Stderr);
    }

    [Fact]
    public void Boot_log_from_standard_input_is_read_like_a_file()
    {
        var log = File.ReadAllBytes(Path.Combine(DtmemProcess.RepoRoot, "tests", "Dtmem.Diagnosis.Tests", "data", "boot", "rk3566-5.4-seed-memblock-debug.log"));
        var r = DtmemProcess.RunWithInput(DtmemProcess.RepoRoot, log, "bootlog", "-");
        Assert.True(r.ExitCode is 0 or 1, r.Stderr);
        Assert.Contains("== Layout from -: ", r.Stdout);
        Assert.Contains("[0x0000000010000000-0x00000000107fffff]", r.Stdout);
    }
}
