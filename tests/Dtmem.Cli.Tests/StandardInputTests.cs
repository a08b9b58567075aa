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
    public void Blob_piped_to_check_gives_the_findings_of_the_file()
    {
        var dir = Directory.CreateTempSubdirectory("dtmem-stdin-check-");
        try
        {
            var dtb = Path.Combine(dir.FullName, "board.dtb");
            Assert.Equal(0, DtmemProcess.Run("compile", DtmemProcess.Example("board.dts"), "-I", DtmemProcess.ExampleInclude, "-o", dtb).ExitCode);
            string[] kernel = ["--kernel-version", "5.4.74", "--image", DtmemProcess.Example("Image.hdr"), "--load-addr", "0x10000000"];
            var fromFile = DtmemProcess.RunIn(dir.FullName, ["check", "board.dtb", .. kernel]);
            var piped = DtmemProcess.RunWithInput(dir.FullName, File.ReadAllBytes(dtb), ["check", "-", .. kernel]);
            Assert.Equal(1, piped.ExitCode);
            Assert.StartsWith("-:+0x", piped.Stdout);
            Assert.Contains("[DTM003 cma-overlaps-kernel]", piped.Stdout);
            // The blob is read once: its size (the DTB's own reservation) is known from the pipe as from the file.
            Assert.Equal(fromFile.Stdout.Replace("board.dtb", "-", StringComparison.Ordinal), piped.Stdout);
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
