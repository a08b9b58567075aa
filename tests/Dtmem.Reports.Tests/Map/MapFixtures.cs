using Dtmem.DeviceTree;
using Dtmem.DeviceTree.Dts;
using Dtmem.Layout.Checks;
using Dtmem.Layout.Inputs;
using Dtmem.Layout.Model;
using Dtmem.Layout.Ranges;
using Dtmem.Reports.Map;

namespace Dtmem.Reports.Tests.Map;

/// <summary>Layouts the map tests draw: the seed board through the real boot model, and hand-made region lists.</summary>
internal static class MapFixtures
{
    // The seed layout (spec §7.1): 2 GiB at 0, a reusable linux,cma pool at 0x10000000 + 8 MiB, ramoops below it,
    // Linux 5.4 with _text = 0x10080000 and a 24 MiB image: the pool covers the first 7.5 MiB of the kernel.
    public const string Seed = """
        /dts-v1/;
        / {
            #address-cells = <2>; #size-cells = <2>;
            memory@0 { device_type = "memory"; reg = <0 0 0 0x80000000>; };
            reserved-memory {
                #address-cells = <2>; #size-cells = <2>; ranges;
                linux,cma { compatible = "shared-dma-pool"; reusable; reg = <0 0x10000000 0 0x800000>; linux,cma-default; };
                ramoops@110000 { compatible = "ramoops"; reg = <0 0x110000 0 0xf0000>; };
                fw@8000000 { reg = <0 0x8000000 0 0x100000>; no-map; };
            };
        };
        """;

    public static (BootResult Boot, IReadOnlyList<Finding> Findings) SeedBoot()
    {
        var tree = DtsCompiler.CompileText(Seed, "seed.dts", new DtsCompileOptions());
        var kernel = new KernelFacts
        {
            Version = Fact<Version>.Known(new Version(5, 4, 74), "test"),
            TextAddress = Fact<ulong>.Known(0x10080000, "test"),
            ImageSize = Fact<ulong>.Known(24 << 20, "test"),
        };
        var boot = BootSimulator.Run(LayoutInputReader.FromTree(tree, kernel));
        return (boot, CheckRegistry.Run(boot));
    }

    public static MapModel SeedMap()
    {
        var (boot, findings) = SeedBoot();
        return MapModel.FromBoot(boot, findings, "seed");
    }

    public static AddressRange R(ulong start, ulong size) => AddressRange.FromStartSize(start, size);

    /// <summary>A board with <paramref name="count"/> small reserved regions spread over 4 GiB of RAM in two banks, some overlapping.</summary>
    public static MapModel Large(int count)
    {
        var regions = new List<MapRegion>
        {
            new(MapLane.Ram, R(0, 2UL << 30), "RAM") { NodePath = "/memory@0" },
            new(MapLane.Ram, R(0x1_0000_0000, 2UL << 30), "RAM") { NodePath = "/memory@100000000" },
            new(MapLane.Kernel, R(0x4008_0000, 40 << 20), "kernel image"),
        };
        var lanes = new[] { MapLane.NoMap, MapLane.Reserved, MapLane.Cma, MapLane.MemReserve };
        for (var i = 0; i < count; i++)
        {
            var bankBase = i % 2 == 0 ? 0UL : 0x1_0000_0000UL;
            // Every seventh region starts inside its predecessor's range, so overlaps are part of the picture.
            var start = bankBase + 0x100_0000UL + (ulong)i * 0x40_0000UL - (i % 7 == 0 ? 0x1000UL : 0);
            var size = 0x1000UL << (i % 11);
            regions.Add(new MapRegion(lanes[i % lanes.Length], R(start, size), $"region{i}@{start:x}")
            {
                NodePath = $"/reserved-memory/region{i}@{start:x}",
                Source = $"large.dts:{10 + i}:3",
            });
        }
        return new MapModel("large", regions);
    }
}
