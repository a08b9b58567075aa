using Dtmem.Reports.Map;
using static Dtmem.Reports.Tests.Map.MapFixtures;

namespace Dtmem.Reports.Tests.Map;

public class TerminalMapTests
{
    private static string Render(MapModel m, bool color, int width = 100)
    {
        using var w = new StringWriter();
        TerminalMap.Write(w, m, new TerminalMapOptions { Color = color, Width = width });
        return w.ToString();
    }

    [Fact]
    public void PlainOutputFitsInOneHundredColumnsWithoutEscapes()
    {
        var text = Render(SeedMap(), color: false);
        Assert.DoesNotContain('\u001b', text);
        Assert.All(text.Split('\n'), l => Assert.True(l.TrimEnd().Length <= 100, $"too wide: {l}"));
    }

    [Fact]
    public void RowsFollowAddressOrderAndNameWhatStartsThere()
    {
        var lines = Render(SeedMap(), color: false).Split('\n');
        var addresses = lines.Select(l => l.Trim()).Where(l => l.StartsWith("0x", StringComparison.Ordinal)).Select(l => Convert.ToUInt64(l[..10], 16)).ToList();
        Assert.Equal(addresses.Order(), addresses);
        Assert.Equal(0x80000000UL, addresses[^1]);
        var cmaRow = Assert.Single(lines, l => l.TrimStart().StartsWith("0x10000000", StringComparison.Ordinal));
        Assert.Contains("linux,cma 8 MiB → page allocator [DTM003]", cmaRow, StringComparison.Ordinal);
        var kernelRow = Assert.Single(lines, l => l.TrimStart().StartsWith("0x10080000", StringComparison.Ordinal));
        Assert.Contains("kernel image 24 MiB [DTM003]", kernelRow, StringComparison.Ordinal);
        Assert.Contains("X overlap 1: 7.5 MiB", kernelRow, StringComparison.Ordinal);
        Assert.Contains(lines, l => l.Contains("≈ 1.73 GiB of free RAM, collapsed", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("legend:", StringComparison.Ordinal) && l.Contains("C CMA pools", StringComparison.Ordinal));
    }

    [Fact]
    public void NarrowTerminalsWrapBetweenWords()
    {
        var m = new MapModel("t",
        [
            new(MapLane.Ram, R(0, 1 << 30), "RAM"),
            new(MapLane.DefaultCma, R(0x100000, 16 << 20), "default CMA area (reserved)") { GivenToPageAllocator = true, Assumed = true },
            new(MapLane.Other, R(0x100000, 0x40000), "atomic pool GFP_KERNEL|GFP_DMA32") { Nested = true },
        ]);
        var lines = Render(m, color: false, width: 70).Split('\n');
        Assert.All(lines, l => Assert.True(l.TrimEnd().Length <= 70, $"too wide: {l}"));
        var words = string.Join(' ', lines.SkipWhile(l => !l.Contains("default CMA", StringComparison.Ordinal)).Take(4).Select(l => l.Trim()));
        Assert.Contains("■ default CMA area (reserved) 16 MiB → page allocator (assumed)", words, StringComparison.Ordinal);
        Assert.Contains("■ atomic pool GFP_KERNEL|GFP_DMA32 256 KiB", words, StringComparison.Ordinal);
    }

    [Fact]
    public void ColourOutputPaintsOverlapsRed()
    {
        var text = Render(SeedMap(), color: true);
        Assert.Contains("\u001b[", text, StringComparison.Ordinal);
        // 256-colour red (colour 9) on the overlap cells of both lanes and on the overlap label.
        var kernelRow = Assert.Single(text.Split('\n'), l => l.TrimStart().StartsWith("0x10080000", StringComparison.Ordinal));
        Assert.Equal(2, kernelRow.Split("\u001b[38;5;9m▚").Length - 1);
        Assert.Contains("\u001b[1;38;5;9m✖ overlap 1: 7.5 MiB", kernelRow, StringComparison.Ordinal);
    }

    [Fact]
    public void MarkerIsListedInTheRowOfItsAddress()
    {
        var lines = Render(SeedMap().WithMarker(new MapMarker(0x10081000, "fault PA")), color: false).Split('\n');
        var row = Assert.Single(lines, l => l.Contains("fault PA", StringComparison.Ordinal));
        Assert.StartsWith("0x10081000", row.TrimStart(), StringComparison.Ordinal);
    }
}
