using System.Text.Json;

namespace Dtmem.Cli.Tests;

/// <summary>The README's main job: the RK3566 example is an error at the pool's reg line; the two fixes are clean.</summary>
public class CheckCommandTests
{
    private static readonly string[] Kernel54 = ["--kernel-version", "5.4.74", "--kernel-at", "0x10080000", "--kernel-size", "24M"];

    private static DtmemProcess.Result Check(string board, params string[] extra) =>
        DtmemProcess.Run([.. new[] { "check", DtmemProcess.Example(board), "-I", DtmemProcess.ExampleInclude }, .. Kernel54, .. extra]);

    [Fact]
    public void SeedLayoutIsAnErrorAtThePoolRegLine()
    {
        var r = Check("board.dts");
        Assert.Equal(1, r.ExitCode);
        var lines = r.Stdout.Split('\n');
        var regLine = Array.FindIndex(File.ReadAllLines(DtmemProcess.Example("board.dts")), l => l.Contains("reg = <0x0 CMA_BASE", StringComparison.Ordinal)) + 1;
        var error = Assert.Single(lines, l => l.Contains(": error: ", StringComparison.Ordinal));
        Assert.StartsWith($"examples/rk3566-cma/board.dts:{regLine}:", error, StringComparison.Ordinal);
        Assert.Contains("[0x0000000010000000-0x00000000107fffff]", error, StringComparison.Ordinal);
        Assert.Contains("[0x0000000010080000-", error, StringComparison.Ordinal);
        Assert.Contains("[DTM003 cma-overlaps-kernel]", error, StringComparison.Ordinal);
        Assert.Equal("", r.Stderr);
    }

    [Theory]
    [InlineData("board-fixed.dts")]
    [InlineData("board-dynamic.dts")]
    public void FixedLayoutsHaveNoErrorOrWarning(string board)
    {
        var r = Check(board);
        Assert.Equal(0, r.ExitCode);
        Assert.DoesNotContain(": error: ", r.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(": warning: ", r.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void JsonReportCarriesTheFindingAndItsFacts()
    {
        var r = Check("board.dts", "--format", "json");
        Assert.Equal(1, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Stdout);
        var root = doc.RootElement;
        Assert.Equal("dtmem-findings/1", root.GetProperty("schema").GetString());
        var f = root.GetProperty("findings").EnumerateArray().Single(x => x.GetProperty("severity").GetString() == "error");
        Assert.Equal("DTM003", f.GetProperty("id").GetString());
        Assert.Equal("examples/rk3566-cma/board.dts", f.GetProperty("location").GetProperty("file").GetString());
        // The finding's range is the overlap: from _text to the pool's end.
        Assert.Equal("0x10080000", f.GetProperty("range").GetProperty("start").GetString());
        Assert.Equal("0x10800000", f.GetProperty("range").GetProperty("end").GetString());
        Assert.Contains(f.GetProperty("facts").EnumerateArray(), x => x.GetProperty("origin").GetString() == "--kernel-at");
        Assert.Equal(1, root.GetProperty("summary").GetProperty("errors").GetInt32());
    }

    [Fact]
    public void SarifReportFollowsTheSchemaShape()
    {
        var r = Check("board.dts", "--format", "sarif");
        using var doc = JsonDocument.Parse(r.Stdout);
        var run = doc.RootElement.GetProperty("runs")[0];
        Assert.Equal("2.1.0", doc.RootElement.GetProperty("version").GetString());
        var rules = run.GetProperty("tool").GetProperty("driver").GetProperty("rules");
        var result = run.GetProperty("results").EnumerateArray().Single(x => x.GetProperty("level").GetString() == "error");
        var index = result.GetProperty("ruleIndex").GetInt32();
        Assert.Equal("DTM003", rules[index].GetProperty("id").GetString());
        var loc = result.GetProperty("locations")[0].GetProperty("physicalLocation");
        Assert.Equal("examples/rk3566-cma/board.dts", loc.GetProperty("artifactLocation").GetProperty("uri").GetString());
        Assert.Equal("SRCROOT", loc.GetProperty("artifactLocation").GetProperty("uriBaseId").GetString());
        Assert.True(loc.GetProperty("region").GetProperty("startLine").GetInt32() > 0);
        Assert.StartsWith("file:///", run.GetProperty("originalUriBaseIds").GetProperty("SRCROOT").GetProperty("uri").GetString(), StringComparison.Ordinal);
        Assert.Equal(32, result.GetProperty("partialFingerprints").GetProperty("dtmemFinding/v1").GetString()!.Length);
        Assert.True(result.GetProperty("relatedLocations").GetArrayLength() >= 1);
    }

    [Fact]
    public void ReadmeCommandPlacesTheKernelFromTheImageHeaderAndReportsAnError()
    {
        var r = DtmemProcess.Run("check", DtmemProcess.Example("board.dts"), "-I", DtmemProcess.ExampleInclude,
            "--kernel-version", "5.4.74", "--image", DtmemProcess.Example("Image.hdr"), "--load-addr", "0x10000000");
        Assert.Equal(1, r.ExitCode);
        // booti: ALIGN_UP(0x10000000 - 0x80000, 2 MiB) + 0x80000 = 0x10080000; image_size 24 MiB ends at 0x11880000.
        var error = Assert.Single(r.Stdout.Split('\n'), l => l.Contains(": error: ", StringComparison.Ordinal));
        Assert.Contains("overlaps kernel image [0x0000000010080000-0x000000001187ffff]", error, StringComparison.Ordinal);
    }

    [Fact]
    public void GuessedTextOffsetMakesTheOverlapAWarningThatNamesTheGuess()
    {
        var r = DtmemProcess.Run("check", DtmemProcess.Example("board.dts"), "-I", DtmemProcess.ExampleInclude,
            "--kernel-version", "5.4.74", "--load-addr", "0x10000000", "--kernel-size", "24M");
        Assert.Equal(0, r.ExitCode);
        var warning = Assert.Single(r.Stdout.Split('\n'), l => l.Contains(": warning: ", StringComparison.Ordinal));
        Assert.Contains("[DTM003 cma-overlaps-kernel]", warning, StringComparison.Ordinal);
        Assert.Contains("TEXT_OFFSET 0x80000 before 5.8", warning, StringComparison.Ordinal);
        Assert.Equal(1, DtmemProcess.Run("check", DtmemProcess.Example("board.dts"), "-I", DtmemProcess.ExampleInclude,
            "--kernel-version", "5.4.74", "--load-addr", "0x10000000", "--kernel-size", "24M", "--fail-on", "warning").ExitCode);
    }

    [Fact]
    public void FailOnNeverExitsZeroEvenWithErrors() => Assert.Equal(0, Check("board.dts", "--fail-on", "never").ExitCode);

    [Fact]
    public void SeverityOverrideTurnsACheckOff()
    {
        var r = Check("board.dts", "--severity", "DTM003=off");
        Assert.Equal(0, r.ExitCode);
        Assert.DoesNotContain("DTM003", r.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--kernel-version", "banana")]
    [InlineData("--kernel-at", "0x10zz")]
    [InlineData("--severity", "DTM999=off")]
    [InlineData("--memory", "0x40000000")]
    [InlineData("--image", "/etc/hostname")]
    [InlineData("--config", "/etc/hostname")]
    public void BadOptionValuesExitTwoWithoutAStackTrace(string option, string value)
    {
        var r = DtmemProcess.Run("check", DtmemProcess.Example("board.dts"), "-I", DtmemProcess.ExampleInclude, option, value);
        Assert.Equal(2, r.ExitCode);
        // The message names the option, or the file it read.
        Assert.Matches($"({System.Text.RegularExpressions.Regex.Escape(option)}|{System.Text.RegularExpressions.Regex.Escape(value)})", r.Stderr);
        Assert.Contains("error", r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", r.Stderr, StringComparison.Ordinal);
    }
}
