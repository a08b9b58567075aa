using System.Xml.Linq;

namespace Dtmem.Cli.Tests;

/// <summary><c>dtmem map</c> and <c>check --svg/--html</c> on the bundled RK3566 example.</summary>
public sealed class MapCommandTests : IDisposable
{
    private static readonly string[] Kernel54 = ["--kernel-version", "5.4.74", "--image", DtmemProcess.Example("Image.hdr"), "--load-addr", "0x10000000"];
    private readonly string _dir = Directory.CreateTempSubdirectory("dtmem-map-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static DtmemProcess.Result Run(string command, params string[] extra) =>
        DtmemProcess.Run([command, DtmemProcess.Example("board.dts"), "-I", DtmemProcess.ExampleInclude, .. Kernel54, .. extra]);

    [Fact]
    public void MapPrintsTheTableWithTheOverlapAndNoColourWhenPiped()
    {
        var r = Run("map");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("", r.Stderr);
        Assert.DoesNotContain('\u001b', r.Stdout);
        Assert.Contains("linux,cma 8 MiB → page allocator [DTM003,DTM028]", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("overlap 1: [0x0000000010080000-0x00000000107fffff] (7.5 MiB)\n  /reserved-memory/linux,cma ∩ kernel image → DTM003 cma-overlaps-kernel\n",
            string.Join('\n', r.Stdout.Split('\n').Select(l => l.TrimEnd())), StringComparison.Ordinal);
        Assert.All(r.Stdout.Split('\n'), l => Assert.True(l.TrimEnd().Length <= 100, l));
    }

    [Fact]
    public void MapWritesSvgAndHtml()
    {
        var svg = Path.Combine(_dir, "map.svg");
        var html = Path.Combine(_dir, "map.html");
        var r = Run("map", "--svg", svg, "--html", html, "--quiet");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("", r.Stdout);
        var doc = XDocument.Load(svg);
        XNamespace ns = "http://www.w3.org/2000/svg";
        var overlap = doc.Descendants(ns + "g").Single(g => g.Attribute("class")?.Value == "overlap");
        Assert.Equal("0x10080000", overlap.Attribute("data-start")!.Value);
        Assert.Contains("DTM003 cma-overlaps-kernel", overlap.Element(ns + "title")!.Value, StringComparison.Ordinal);
        // Sources are relative to where dtmem ran, like the findings.
        Assert.Contains("source: examples/rk3566-cma/board.dts:38:4", doc.ToString(), StringComparison.Ordinal);
        var text = File.ReadAllText(html);
        Assert.Contains("id=\"finding-f1\"", text, StringComparison.Ordinal);
        Assert.Contains("<svg", text, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckKeepsItsReportAndExitCodeAndArchivesTheHtml()
    {
        var html = Path.Combine(_dir, "report.html");
        var r = Run("check", "--html", html);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("[DTM003 cma-overlaps-kernel]", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("class=\"overlap\" id=\"overlap-1\"", File.ReadAllText(html), StringComparison.Ordinal);
    }

    [Fact]
    public void SystemMapCutsTheKernelIntoSectionsAndTheOverlapNamesText()
    {
        // _text .. _end is 23.5 MiB of the Image header's 24 MiB: the last 512 KiB stay "kernel image".
        var map = Path.Combine(_dir, "System.map");
        File.WriteAllLines(map,
        [
            "ffff800010080000 T _text", "ffff800010a00000 T _etext", "ffff800010a00000 R __start_rodata",
            "ffff800011000000 T __init_begin", "ffff800011200000 T __init_end", "ffff800011200000 D _sdata",
            "ffff800011400000 D _edata", "ffff800011400000 B __bss_start", "ffff800011800000 B __bss_stop", "ffff800011800000 B _end",
        ]);
        var r = Run("map", "--system-map", map);
        Assert.Equal(0, r.ExitCode);
        var rows = r.Stdout.Split('\n').Select(l => l.Trim()).ToList();
        Assert.Contains(rows, l => l.StartsWith("0x10080000", StringComparison.Ordinal) && l.Contains("■ kernel text 9.5 MiB [DTM003]", StringComparison.Ordinal));
        Assert.Contains(rows, l => l.StartsWith("0x10a00000", StringComparison.Ordinal) && l.EndsWith("■ kernel rodata 6 MiB", StringComparison.Ordinal));
        Assert.Contains(rows, l => l.StartsWith("0x11400000", StringComparison.Ordinal) && l.EndsWith("■ kernel bss 4 MiB", StringComparison.Ordinal));
        Assert.Contains(rows, l => l.StartsWith("0x11800000", StringComparison.Ordinal) && l.EndsWith("■ kernel image 512 KiB", StringComparison.Ordinal));
        Assert.Contains("/reserved-memory/linux,cma ∩ kernel text → DTM003", r.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingOutputFolderIsBadInput()
    {
        var r = Run("map", "--svg", Path.Combine(_dir, "no-such-dir", "map.svg"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("output folder", r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void TooNarrowWidthIsBadInput()
    {
        var r = Run("map", "--width", "20");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--width: error: 20 columns are too few", r.Stderr, StringComparison.Ordinal);
    }
}
