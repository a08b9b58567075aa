using Dtmem.Layout.Checks;
using Dtmem.Reports.Map;
using static Dtmem.Reports.Tests.Map.MapFixtures;

namespace Dtmem.Reports.Tests.Map;

public class MapModelTests
{
    [Fact]
    public void SeedBootPutsEveryOwnerInItsLane()
    {
        var m = SeedMap();
        string Lane(string label) => m.Regions.Single(r => r.Label == label).Lane.ToString();
        Assert.Equal("Ram", Lane("RAM"));
        Assert.Equal("Kernel", Lane("kernel image"));
        Assert.Equal("Cma", Lane("linux,cma"));
        Assert.Equal("Reserved", Lane("ramoops@110000"));
        Assert.Equal("NoMap", Lane("fw@8000000"));
        var cma = m.Regions.Single(r => r.Label == "linux,cma");
        Assert.True(cma.GivenToPageAllocator);
        Assert.Equal("/reserved-memory/linux,cma", cma.NodePath);
        Assert.Equal("seed.dts:7:63", cma.Source);
        Assert.Equal(R(0x10000000, 8 << 20), cma.Range);
    }

    [Fact]
    public void TheOnlyOverlapIsCmaOverKernelAndItLinksToDtm003()
    {
        var m = SeedMap();
        var o = Assert.Single(m.Overlaps);
        Assert.Equal(R(0x10080000, 0x780000), o.Range);
        Assert.Equal(["kernel image", "linux,cma"], o.Regions.Select(i => m.Regions[i].Label).Order());
        var f = m.FindingByKey(Assert.Single(o.FindingKeys))!;
        Assert.Equal("DTM003", f.Id);
        Assert.Equal(Severity.Error, f.Severity);
        Assert.Equal(CheckRegistry.Find("DTM003")!.Fix, f.Fix);
        // Both regions of the overlap carry its finding; the RAM bank under them does not.
        foreach (var i in o.Regions) Assert.Contains(f.Key, m.RegionFindings[i]);
        Assert.Empty(m.RegionFindings[m.Regions.ToList().FindIndex(r => r.Label == "RAM")]);
    }

    [Fact]
    public void NestedRegionInsideItsContainerIsNoOverlapButAnyOtherOverlapIs()
    {
        var m = new MapModel("t",
        [
            new(MapLane.Ram, R(0, 1 << 30), "RAM"),
            new(MapLane.DefaultCma, R(0x100000, 0x400000), "reserved"),
            new(MapLane.Other, R(0x100000, 0x40000), "atomic pool") { Nested = true },
            new(MapLane.Reserved, R(0x600000, 0x100000), "a"),
            new(MapLane.Reserved, R(0x680000, 0x100000), "b"),
        ]);
        var o = Assert.Single(m.Overlaps);
        Assert.Equal(R(0x680000, 0x80000), o.Range);
        Assert.Equal(["a", "b"], o.Regions.Select(i => m.Regions[i].Label).Order());
        Assert.Empty(o.FindingKeys);
    }

    [Fact]
    public void FindingsLinkBySubjectAndByRange()
    {
        var m = new MapModel("t",
            [new(MapLane.Cma, R(0x1000000, 0x100000), "pool") { NodePath = "/reserved-memory/pool" }, new(MapLane.Kernel, R(0x1080000, 0x100000), "kernel")],
            [
                new MapFinding("f1", "DTM028", "inactive-property", Severity.Info, "inactive") { Subject = "/reserved-memory/pool" },
                new MapFinding("f2", "DTM003", "cma-overlaps-kernel", Severity.Error, "overlap") { Range = R(0x1080000, 0x80000) },
            ]);
        Assert.Equal(["f1", "f2"], m.RegionFindings[0]);
        Assert.Equal(["f2"], m.RegionFindings[1]);
        Assert.Equal(["f2"], Assert.Single(m.Overlaps).FindingKeys);
    }

    [Fact]
    public void WithMarkerKeepsEverythingAndAddsTheMarker()
    {
        var m = SeedMap();
        var marked = m.WithMarker(new MapMarker(0x10081234, "fault PA"));
        Assert.Equal(m.Regions, marked.Regions);
        Assert.Equal(m.Findings, marked.Findings);
        Assert.Equal(m.Overlaps.Select(o => o.Range), marked.Overlaps.Select(o => o.Range));
        Assert.Equal(0x10081234UL, Assert.Single(marked.Markers).Address);
        Assert.Empty(m.Markers);
    }

    [Fact]
    public void EmptyRegionsAreDropped()
    {
        var m = new MapModel("t", [new(MapLane.Ram, R(0, 0x1000), "RAM"), new(MapLane.Reserved, R(0x800, 0), "empty")]);
        Assert.Single(m.Regions);
    }
}
