using System.Text.Json;
using Dtmem.DeviceTree;
using Dtmem.DeviceTree.Dts;
using Dtmem.Layout.Inputs;
using Dtmem.Layout.Model;
using Dtmem.Reports.Simulation;

namespace Dtmem.Reports.Tests;

public class SimulationJsonTests
{
    // The seed layout (spec §7.1): 2 GiB at 0, reusable linux,cma at 0x10000000 + 8 MiB, Linux 5.4 with
    // _text = 0x10080000 and a 24 MiB image. The pool's pages, kernel text included, end up in the buddy allocator.
    private const string Seed = """
        /dts-v1/;
        / {
            #address-cells = <2>; #size-cells = <2>;
            memory@0 { device_type = "memory"; reg = <0 0 0 0x80000000>; };
            reserved-memory {
                #address-cells = <2>; #size-cells = <2>; ranges;
                linux,cma { compatible = "shared-dma-pool"; reusable; reg = <0 0x10000000 0 0x800000>; linux,cma-default; };
            };
        };
        """;

    private static JsonElement Simulate()
    {
        var tree = DtsCompiler.CompileText(Seed, "seed.dts", new DtsCompileOptions());
        var kernel = new KernelFacts
        {
            Version = Fact<Version>.Known(new Version(5, 4, 74), "test"),
            TextAddress = Fact<ulong>.Known(0x10080000, "test"),
            ImageSize = Fact<ulong>.Known(24 << 20, "test"),
        };
        var boot = BootSimulator.Run(LayoutInputReader.FromTree(tree, kernel));
        return JsonDocument.Parse(SimulationJson.ToString(boot)).RootElement.Clone();
    }

    [Fact]
    public void SeedLayoutCreatesTheDtCmaAreaAndPrintsTheSpecLines()
    {
        var json = Simulate();
        Assert.Equal("dtmem-simulation/1", json.GetProperty("schema").GetString());
        Assert.Equal("A", json.GetProperty("kernel").GetProperty("family").GetString());
        var area = Assert.Single(json.GetProperty("cmaAreas").EnumerateArray());
        Assert.Equal("0x10000000", area.GetProperty("range").GetProperty("start").GetString());
        Assert.Equal("0x800000", area.GetProperty("range").GetProperty("size").GetString());
        var logs = json.GetProperty("events").EnumerateArray().Where(e => e.TryGetProperty("log", out _)).Select(e => e.GetProperty("log").GetString()).ToList();
        Assert.Contains("Reserved memory: created CMA memory pool at 0x0000000010000000, size 8 MiB", logs);
        Assert.Contains("OF: reserved mem: initialized node linux,cma, compatible id shared-dma-pool", logs);
    }

    [Fact]
    public void KernelTextInsideThePoolEndsInTheBuddyAllocator()
    {
        var pieces = Simulate().GetProperty("map").EnumerateArray().ToList();
        var hit = Assert.Single(pieces, p => p.GetProperty("range").GetProperty("start").GetString() == "0x10080000");
        Assert.Equal("cma-in-buddy", hit.GetProperty("state").GetString());
        Assert.Equal("0x10800000", hit.GetProperty("range").GetProperty("end").GetString());
        var owners = hit.GetProperty("owners").EnumerateArray().Select(o => o.GetProperty("kind").GetString()).ToHashSet();
        Assert.Contains("Kernel", owners);
        Assert.Contains("ReservedRegion", owners);
    }
}
