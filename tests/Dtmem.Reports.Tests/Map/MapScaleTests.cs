using CsCheck;
using Dtmem.Reports.Map;
using static Dtmem.Reports.Tests.Map.MapFixtures;

namespace Dtmem.Reports.Tests.Map;

public class MapScaleTests
{
    [Fact]
    public void SeedScaleCollapsesLongFreeRamAndKeepsSmallRegionsVisible()
    {
        var scale = MapScale.Build(SeedMap());
        var o = new MapScaleOptions();
        var collapsed = scale.Segments.Where(s => s.Collapsed).Select(s => s.Range).ToList();
        // Free RAM between ramoops and the no-map firmware (126 MiB), between it and the pool (127 MiB), and above the kernel.
        Assert.Equal([R(0x200000, 0x7e00000), R(0x8100000, 0x7f00000), R(0x11880000, 0x80000000 - 0x11880000)], collapsed);
        Assert.All(scale.Segments, s => Assert.True(s.Length >= o.MinLength));
        Assert.All(scale.Segments.Where(s => s.Collapsed), s => Assert.Equal(o.BreakLength, s.Length));
        Assert.Equal(scale.Segments[^1].End, scale.Length);
    }

    [Fact]
    public void HolesBetweenBanksAreMarked()
    {
        var m = new MapModel("t", [new(MapLane.Ram, R(0, 1 << 30), "RAM"), new(MapLane.Ram, R(0x1_0000_0000, 1 << 30), "RAM")]);
        var hole = Assert.Single(MapScale.Build(m).Segments, s => s.Kind == SegmentKind.Hole);
        Assert.Equal(R(1 << 30, 0x1_0000_0000 - (1UL << 30)), hole.Range);
        Assert.True(hole.Collapsed);
    }

    private static readonly Gen<MapModel> Models =
        Gen.Select(Gen.ULong[0, 1UL << 36], Gen.Int[0, 30], Gen.Int[0, 8]).Array[1, 40]
            .Select(rs => new MapModel("t", rs.Select((r, i) => new MapRegion((MapLane)r.Item3, R(r.Item1 & ~0xfffUL, 0x1000UL << r.Item2), $"r{i}"))));

    [Fact]
    public void BiggerStretchesAreNeverDrawnShorterUnlessCollapsed()
    {
        Models.Sample(m =>
        {
            var segs = MapScale.Build(m).Segments.Where(s => !s.Collapsed).OrderBy(s => s.Range.Size).ToList();
            for (var i = 1; i < segs.Count; i++)
                Assert.True(segs[i].Length >= segs[i - 1].Length, $"{segs[i].Range} drawn shorter than {segs[i - 1].Range}");
        }, iter: 300);
    }

    [Fact]
    public void PositionIsMonotoneAndRegionEdgesLandOnSegmentEdges()
    {
        Models.Sample(m =>
        {
            var scale = MapScale.Build(m);
            var last = -1.0;
            foreach (var s in scale.Segments)
            {
                Assert.Equal(s.Start, scale.Position(s.Range.Start), 6);
                Assert.True(scale.Position(s.Range.Start + s.Range.Size / 2) >= last);
                last = scale.Position(s.Range.Start + s.Range.Size / 2);
            }
            foreach (var r in m.Regions)
            {
                var (a, b) = scale.Span(r.Range);
                Assert.True(b > a, $"{r.Range} has no height");
            }
        }, iter: 300);
    }
}
