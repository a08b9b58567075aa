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
    public void InitrdMemreserveDynamicPoolAndDefaultCmaHaveTheirLanes()
    {
        const string Dts = """
            /dts-v1/;
            /memreserve/ 0x40000000 0x1000;
            / {
                #address-cells = <2>; #size-cells = <2>;
                chosen { linux,initrd-start = <0x0 0x48000000>; linux,initrd-end = <0x0 0x48800000>; };
                memory@40000000 { device_type = "memory"; reg = <0 0x40000000 0 0x40000000>, <0 0xc0000000 0 0x40000000>; };
                reserved-memory {
                    #address-cells = <2>; #size-cells = <2>; ranges;
                    vpu-pool { compatible = "shared-dma-pool"; reusable; size = <0 0x2000000>; alignment = <0 0x400000>; };
                };
            };
            """;
        var tree = DeviceTree.DtsCompiler.CompileText(Dts, "rich.dts", new DeviceTree.Dts.DtsCompileOptions());
        var kernel = new Layout.Inputs.KernelFacts
        {
            Version = Fact<Version>.Known(new Version(6, 1, 0), "test"),
            TextAddress = Fact<ulong>.Known(0x40200000, "test"),
            ImageSize = Fact<ulong>.Known(30 << 20, "test"),
        };
        var boot = Layout.Model.BootSimulator.Run(Layout.Inputs.LayoutInputReader.FromTree(tree, kernel));
        var m = MapModel.FromBoot(boot, CheckRegistry.Run(boot));
        Assert.Equal(R(0x48000000, 8 << 20), m.Regions.Single(r => r.Lane == MapLane.InitrdDtb).Range);
        Assert.Equal(R(0x40000000, 0x1000), m.Regions.Single(r => r.Lane == MapLane.MemReserve).Range);
        var vpu = m.Regions.Single(r => r.Lane == MapLane.Cma);
        Assert.Equal("/reserved-memory/vpu-pool", vpu.NodePath);
        Assert.Contains("dynamically placed", vpu.Notes);
        Assert.True(vpu.GivenToPageAllocator);
        var cma = m.Regions.Single(r => r.Lane == MapLane.DefaultCma);
        Assert.True(cma.GivenToPageAllocator);
        Assert.True(cma.Assumed, "the Kconfig CMA size is a default here");
        // Two RAM banks with a 2 GiB hole between them; atomic pools nest in the default CMA area without overlaps.
        Assert.Equal(2, m.Regions.Count(r => r.Lane == MapLane.Ram));
        Assert.Contains(MapScale.Build(m).Segments, s => s.Kind == SegmentKind.Hole && s.Range == R(0x80000000, 0x40000000));
        Assert.Empty(m.Overlaps);
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

    /// <summary>n regions that all overlap each other pairwise: n(n-1)/2 distinct intersections (60 give 1,770).</summary>
    private static MapModel OverlapBomb(int n, int findings)
    {
        var regions = Enumerable.Range(0, n).Select(i =>
            new MapRegion(i % 2 == 0 ? MapLane.NoMap : MapLane.MemReserve, R(0x1000UL * (ulong)i, 0x1000000 + 0x1000UL * (ulong)i), $"r{i}"));
        var keyed = Enumerable.Range(1, findings).Select(k =>
            new MapFinding($"f{k}", "DTM009", "nomap-overlaps-memreserve", Severity.Warning, "overlap") { Range = R(0x800000, 0x1000) });
        return new MapModel("bomb", regions, keyed);
    }

    [Fact]
    public void Overlaps_are_capped_and_the_rest_is_counted_in_the_notes()
    {
        var m = OverlapBomb(60, 1);
        Assert.Equal(MapModel.MaxOverlaps, m.Overlaps.Count);
        Assert.Contains($"{60 * 59 / 2 - MapModel.MaxOverlaps} more overlaps are not drawn: the map shows the first {MapModel.MaxOverlaps} by address", m.Assumptions);
        // The note is derived, not stored: a marked copy has it once.
        Assert.Single(m.WithMarker(new MapMarker(0, "x")).Assumptions, a => a.Contains("not drawn", StringComparison.Ordinal));
    }

    [Fact]
    public void Regions_past_the_cap_are_counted_not_drawn_and_ram_is_always_drawn()
    {
        var regions = Enumerable.Range(0, MapModel.MaxRegions + 200)
            .Select(i => new MapRegion(MapLane.MemReserve, R(0x10000UL * (ulong)i, 0x1000), $"m{i}"))
            .Append(new MapRegion(MapLane.Ram, R(0x7f000000, 0x1000000), "RAM"));
        var m = new MapModel("many", regions);
        Assert.Equal(MapModel.MaxRegions, m.Regions.Count);
        Assert.Contains(m.Regions, r => r.Lane == MapLane.Ram);
        Assert.Equal("m0", m.Regions[0].Label);
        Assert.Contains($"201 more regions are not drawn: the map shows the first {MapModel.MaxRegions} by address (the findings list is complete)", m.Assumptions);
    }

    [Fact]
    public void Tooltips_and_overlap_lines_list_a_bounded_number_of_findings()
    {
        var m = OverlapBomb(8, 40);
        var tip = MapStyle.OverlapTooltip(m, m.Overlaps[0]);
        Assert.Equal(MapStyle.MaxListed, tip.Split('\n').Count(l => l.StartsWith("DTM009", StringComparison.Ordinal)));
        Assert.EndsWith($"... {40 - MapStyle.MaxListed} more findings (see the findings list)", tip);
        var region = MapStyle.Tooltip(m, 0);
        Assert.Equal(MapStyle.MaxListed, region.Split('\n').Count(l => l.StartsWith("DTM009", StringComparison.Ordinal)));
        var w = new StringWriter();
        TerminalMap.Write(w, m);
        Assert.Contains($"{40 - MapStyle.MaxListed} more", w.ToString());
    }

    [Fact]
    public void EmptyRegionsAreDropped()
    {
        var m = new MapModel("t", [new(MapLane.Ram, R(0, 0x1000), "RAM"), new(MapLane.Reserved, R(0x800, 0), "empty")]);
        Assert.Single(m.Regions);
    }
}
