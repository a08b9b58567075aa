using System.Text.Json;

namespace Dtmem.Cli.Tests;

/// <summary>`dtmem diagnose` and `dtmem bootlog` run as a user runs them, on the seed's real artefacts.</summary>
public class DiagnoseCommandTests
{
    private static string Diag(string path) => Path.Combine(DtmemProcess.RepoRoot, "tests", "Dtmem.Diagnosis.Tests", "data", path);

    private static readonly string SeedOops = Diag("oops/arm64-5.4-rk3566-seed-cma-ro-write.log");

    [Fact]
    public void Seed_oops_with_the_bundled_dts_names_the_reg_line_of_the_cma_node()
    {
        var r = DtmemProcess.Run("diagnose", SeedOops, "--dt", DtmemProcess.Example("board.dts"), "-I", DtmemProcess.ExampleInclude,
            "--kernel-at", "0x10080000", "--kernel-size", "24M");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("", r.Stderr);
        Assert.Contains("=> PA 0x10080000 (linear map)", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("examples/rk3566-cma/board.dts:38:", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("error: RC001:", r.Stdout, StringComparison.Ordinal);
        // The root cause section leads with the culprit's line, compiler style.
        var rootCause = r.Stdout[r.Stdout.IndexOf("== Root cause", StringComparison.Ordinal)..];
        Assert.StartsWith("examples/rk3566-cma/board.dts:38:", rootCause.Split('\n')[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Json_report_carries_translation_hits_and_the_culprit_location()
    {
        var r = DtmemProcess.Run("diagnose", SeedOops, "--dt", DtmemProcess.Example("board.dts"), "-I", DtmemProcess.ExampleInclude,
            "--kernel-at", "0x10080000", "--kernel-size", "24M", "--format", "json");
        Assert.Equal(1, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Stdout);
        var root = doc.RootElement;
        Assert.Equal("dtmem-diagnosis/1", root.GetProperty("schema").GetString());
        var t = root.GetProperty("translation");
        Assert.Equal("0x10080000", t.GetProperty("physicalAddress").GetString());
        Assert.True(t.GetProperty("agreesWithWalk").GetBoolean());
        var roles = root.GetProperty("hits").EnumerateArray().Select(h => h.GetProperty("role").GetString()).ToList();
        Assert.Contains("KernelImage", roles);
        Assert.Contains("CmaPool", roles);
        var first = root.GetProperty("findings")[0];
        Assert.Equal("RC001", first.GetProperty("id").GetString());
        var loc = first.GetProperty("culprit").GetProperty("source").GetProperty("location");
        Assert.Equal("examples/rk3566-cma/board.dts", loc.GetProperty("file").GetString());
        Assert.Equal(38, loc.GetProperty("line").GetInt32());
    }

    [Fact]
    public void The_kernel_place_comes_from_iomem_when_no_option_gives_it()
    {
        var r = DtmemProcess.Run("diagnose", SeedOops, "--dt", DtmemProcess.Example("board.dts"), "-I", DtmemProcess.ExampleInclude,
            "--iomem", Diag("boot/rk3566-5.4-seed-iomem.txt"), "--format", "json");
        Assert.Equal(1, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Stdout);
        var f = doc.RootElement.GetProperty("findings")[0];
        Assert.Equal("RC001", f.GetProperty("id").GetString());
        Assert.Equal(38, f.GetProperty("culprit").GetProperty("source").GetProperty("location").GetProperty("line").GetInt32());
    }

    [Fact]
    public void Sarif_points_at_the_log_line_when_no_dt_is_given()
    {
        var r = DtmemProcess.Run("diagnose", SeedOops, "--iomem", Diag("boot/rk3566-5.4-seed-iomem.txt"),
            "--bootlog", Diag("boot/rk3566-5.4-seed-memblock-debug.log"), "--format", "sarif");
        Assert.Equal(1, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Stdout);
        var result = doc.RootElement.GetProperty("runs")[0].GetProperty("results")[0];
        Assert.Equal("RC001", result.GetProperty("ruleId").GetString());
        var pl = result.GetProperty("locations")[0].GetProperty("physicalLocation");
        Assert.EndsWith("rk3566-5.4-seed-memblock-debug.log", pl.GetProperty("artifactLocation").GetProperty("uri").GetString(), StringComparison.Ordinal);
        Assert.Equal(14, pl.GetProperty("region").GetProperty("startLine").GetInt32());
        Assert.True(result.GetProperty("relatedLocations").GetArrayLength() >= 2);
    }

    [Fact]
    public void A_null_dereference_is_not_blamed_on_the_layout()
    {
        var r = DtmemProcess.Run("diagnose", Diag("oops/arm64-6.12-container-null-interleaved.log"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("RC006: NULL pointer dereference", r.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("RC001", r.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Bootlog_rebuilds_the_seed_layout_and_reports_the_pool_over_kernel_code()
    {
        var r = DtmemProcess.Run("bootlog", Diag("boot/rk3566-5.4-seed-memblock-debug.log"), "--iomem", Diag("boot/rk3566-5.4-seed-iomem.txt"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("CMA pool       linux,cma", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("kernel code    Kernel code", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("RC101", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("RC102", r.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Bootlog_of_a_healthy_real_boot_finds_nothing_and_exits_0()
    {
        var r = DtmemProcess.Run("bootlog", Diag("boot/qemu-virt-6.12.117-memblock-debug.log"));
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("none: no CMA pool over the kernel image", r.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("diagnose", "no-such.log")]
    [InlineData("bootlog", "no-such.log")]
    public void A_missing_file_is_a_located_error_with_exit_2(string command, string file)
    {
        var r = DtmemProcess.Run(command, file);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("no-such.log: error: cannot read", r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void An_impossible_va_size_is_refused()
    {
        var r = DtmemProcess.Run("diagnose", SeedOops, "--va-bits", "99");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--va-bits: error: 99 is not an arm64 VA size", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Diagnose_html_and_svg_mark_the_faulting_address_and_draw_the_overlap()
    {
        var dir = Directory.CreateTempSubdirectory("dtmem-diag-").FullName;
        try
        {
            var svg = Path.Combine(dir, "crash.svg");
            var html = Path.Combine(dir, "crash.html");
            var r = DtmemProcess.Run("diagnose", SeedOops, "--iomem", Diag("boot/rk3566-5.4-seed-iomem.txt"),
                "--bootlog", Diag("boot/rk3566-5.4-seed-memblock-debug.log"), "--svg", svg, "--html", html);
            Assert.Equal(1, r.ExitCode);
            var s = File.ReadAllText(svg);
            Assert.Contains("<g class=\"marker\" data-address=\"0x10080000\">", s, StringComparison.Ordinal);
            Assert.Contains("overlap", s, StringComparison.Ordinal);
            var h = File.ReadAllText(html);
            Assert.Contains("RC001", h, StringComparison.Ordinal);
            Assert.Contains("linux,cma", h, StringComparison.Ordinal);
            Assert.DoesNotContain("http://", h.Replace("http://www.w3.org/", "", StringComparison.Ordinal), StringComparison.Ordinal);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void Bootlog_svg_draws_one_box_per_thing_from_the_evidence()
    {
        var dir = Directory.CreateTempSubdirectory("dtmem-boot-").FullName;
        try
        {
            var svg = Path.Combine(dir, "boot.svg");
            var r = DtmemProcess.Run("bootlog", Diag("boot/rk3566-5.4-seed-memblock-debug.log"), "--iomem", Diag("boot/rk3566-5.4-seed-iomem.txt"), "--svg", svg);
            Assert.Equal(1, r.ExitCode);
            var s = File.ReadAllText(svg);
            // The pool is described by two log lines and a memblock reservation: it is drawn once.
            Assert.Single(System.Text.RegularExpressions.Regex.Matches(s, ">linux,cma<"));
            Assert.Contains(">Kernel code<", s, StringComparison.Ordinal);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Theory]
    [InlineData("6.1.0-50-arm64")]
    [InlineData("6.12.117+deb12-arm64")]
    public void A_real_kernels_crash_joined_with_its_dt_names_the_reg_line_with_no_other_input(string kernel)
    {
        // A real Debian kernel booted under QEMU with a static CMA pool over its image, crashing under a memory fill.
        // The version comes from the oops, the kernel's place from the iomem lines in the same console log.
        var dir = Path.Combine(DtmemProcess.RepoRoot, "tests", "Dtmem.Layout.Tests", "data", "fidelity", kernel);
        var dts = Path.Combine(dir, "cma-over-kernel.dts");
        var regLine = Array.FindIndex(File.ReadAllLines(dts), l => l.Contains("linux,cma@40000000 {", StringComparison.Ordinal)) + 1;
        var r = DtmemProcess.Run("diagnose", Path.Combine(dir, "cma-over-kernel.log"), "--dt", dts, "--format", "json");
        Assert.Equal(1, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Stdout);
        var f = doc.RootElement.GetProperty("findings")[0];
        Assert.Equal("RC001", f.GetProperty("id").GetString());
        Assert.Equal("high", f.GetProperty("confidence").GetString());
        var loc = f.GetProperty("culprit").GetProperty("source").GetProperty("location");
        Assert.EndsWith("cma-over-kernel.dts", loc.GetProperty("file").GetString(), StringComparison.Ordinal);
        // The reg property sits a few lines into the node.
        Assert.InRange(loc.GetProperty("line").GetInt32(), regLine + 1, regLine + 6);
    }

    [Fact]
    public void Map_draws_a_boot_log_and_iomem_without_a_dt()
    {
        var r = DtmemProcess.Run("map", "--bootlog", Diag("boot/rk3566-5.4-seed-memblock-debug.log"), "--iomem", Diag("boot/rk3566-5.4-seed-iomem.txt"));
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("linux,cma 8 MiB → page allocator", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("linux,cma ∩ Kernel code", r.Stdout, StringComparison.Ordinal);
        var none = DtmemProcess.Run("map");
        Assert.Equal(2, none.ExitCode);
        Assert.Contains("map needs a board", none.Stderr, StringComparison.Ordinal);
    }
}
