using Dtmem.Diagnosis.Boot;

namespace Dtmem.Diagnosis.Tests.Boot;

/// <summary>Inputs are real boot-log excerpts (data/boot/SOURCES.md) and the line formats of kernel-memory-spec §6.</summary>
public class BootLogParserTests
{
    private static string Data(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "data", "boot", name));

    [Fact]
    public void SeedMemblockDebugLines()
    {
        var ev = BootLogParser.Parse(Data("rk3566-5.4-seed-memblock-debug.log"), "seed-boot.log");
        Assert.True(ev.HasMemblockDebug);
        var reserves = ev.OfKind(BootRangeKind.MemblockReserve).ToList();
        Assert.Equal(4, reserves.Count);
        var cma = reserves.Single(r => r.Range.Start == 0x10000000);
        Assert.Equal(0x107ffffful, cma.Range.EndInclusive);
        Assert.Equal(0x800000ul, cma.Range.Size);
        Assert.Equal("early_init_dt_reserve_memory_arch+0x24/0x2c", cma.Detail);
        Assert.Equal("memblock_reserve", cma.Name);
        var kernel = reserves.Single(r => r.Detail == "arm64_memblock_init+0x240/0x44c");
        Assert.Equal((0x10080000ul, 0x119c0ffful), (kernel.Range.Start, kernel.Range.EndInclusive));
        Assert.True(kernel.Range.Overlaps(cma.Range));

        // "memblock_remove: [0x0000800000000000-0x00007ffffffffffe]" prints an end below the start: an empty removal
        var emptyRemove = ev.OfKind(BootRangeKind.MemblockRemove).First();
        Assert.True(emptyRemove.Range.Empty);
        Assert.Equal(4, ev.OfKind(BootRangeKind.MemblockRemove).Count());
        Assert.Equal(2, ev.OfKind(BootRangeKind.MemblockAdd).Count());

        Assert.Equal(0ul, ev.PhysOffset!.Value);
        Assert.Equal(0xffff000000000000ul, ev.PageOffset!.Value);

        var failed = ev.OfKind(BootRangeKind.ReserveFailed).ToList();
        Assert.Equal(["drm-logo@00000000", "drm-cubic-lut@00000000"], failed.Select(f => f.Name));
        Assert.True(failed[0].Range.Empty);

        var pool = Assert.Single(ev.OfKind(BootRangeKind.CmaPool));
        Assert.Equal("linux,cma", pool.Name);
        Assert.Equal((0x10000000ul, 0x107ffffful), (pool.Range.Start, pool.Range.EndInclusive));
        Assert.True(pool.SizeRoundedToMiB);
        var init = Assert.Single(ev.Messages, m => m.Kind == BootMessageKind.RmemInitialized);
        Assert.Equal(("linux,cma", "shared-dma-pool"), (init.Name, init.Detail));
        Assert.Equal(14, pool.Source.Line);
    }

    [Fact]
    public void ReservedMemSummaryLines()
    {
        var ev = BootLogParser.Parse(Data("riscv-k3-rmem-summary.log"), "k3.log");
        var regions = ev.OfKind(BootRangeKind.ReservedMemRegion).ToList();
        Assert.Equal(9, regions.Count);
        Assert.Equal(("linux,cma", "map reusable", 0x140000000ul, 0x15ffffffful), (regions[0].Name, regions[0].Detail, regions[0].Range.Start, regions[0].Range.EndInclusive));
        Assert.Equal(("mmode_resv0@d4282000", "nomap non-reusable", 0x1000ul), (regions[2].Name, regions[2].Detail, regions[2].Range.Size));
        Assert.Equal("framebuffer@3,fe000000", regions[1].Name);
        Assert.Equal(512ul << 20, Assert.Single(ev.OfKind(BootRangeKind.CmaPool)).Range.Size);
    }

    [Fact]
    public void ThirtyTwoBitPoolsCmaZonesAndBanner()
    {
        var ev = BootLogParser.Parse(Data("arm-5.15-openbmc-cma.log"), "bmc.log");
        Assert.Equal("5.15.50-27b1fcc", ev.KernelVersion!.Value);
        Assert.Equal("FP5280G2 BMC", ev.MachineModel!.Value);
        var pools = ev.OfKind(BootRangeKind.CmaPool).ToList();
        Assert.Equal(["framebuffer", "jpegbuffer"], pools.Select(p => p.Name));
        Assert.Equal((0x97000000ul, 0x97fffffful), (pools[0].Range.Start, pools[0].Range.EndInclusive));
        var cma = Assert.Single(ev.OfKind(BootRangeKind.CmaReserved));
        Assert.Equal((0x94000000ul, 16ul << 20, null), (cma.Range.Start, cma.Range.Size, cma.Detail));
        var zone = Assert.Single(ev.OfKind(BootRangeKind.Zone));
        Assert.Equal(("Normal", 0x80000000ul, 0x97fffffful), (zone.Name, zone.Range.Start, zone.Range.EndInclusive));
        var node = Assert.Single(ev.OfKind(BootRangeKind.NodeRange));
        Assert.Equal("node 0", node.Name);
    }

    [Fact]
    public void ZonesWithEmptyAndSeveralNodeRanges()
    {
        var ev = BootLogParser.Parse(Data("arm64-6.19-genio-zones.log"), "genio.log");
        Assert.Equal(["DMA", "Normal"], ev.OfKind(BootRangeKind.Zone).Select(z => z.Name));
        Assert.Contains(ev.Messages, m => m.Name == "DMA32" && m.Text == "zone empty");
        Assert.Equal(2, ev.OfKind(BootRangeKind.NodeRange).Count());
        var dma = Assert.Single(ev.OfKind(BootRangeKind.DmaPool));
        Assert.Equal(("memory@62000000", 0x62000000ul, 20ul << 20), (dma.Name, dma.Range.Start, dma.Range.Size));
        Assert.Equal(0xfc600000ul, Assert.Single(ev.OfKind(BootRangeKind.CmaReserved)).Range.Start);
        Assert.Equal(2, ev.OfKind(BootRangeKind.ReservedMemRegion).Count());
    }

    [Fact]
    public void SpecFormatsForMemoryOverlapCmaNodeAndDumps()
    {
        const string log = """
            [    0.000000] Linux version 6.12.13 (builder@host) (gcc 14) #1 SMP PREEMPT
            [    0.000000] Kernel command line: console=ttyS2,1500000 memblock=debug cma=64M
            [    0.000000] OF: reserved mem: OVERLAP DETECTED!
            [    0.000000] foo@10000000 (0x0000000010000000--0x0000000010800000) overlaps with linux,cma (0x0000000010400000--0x0000000010c00000)
            [    0.000000] cma: Reserved 64 MiB at 0x00000000f8000000 on node -1
            [    0.000000] Reserved memory: incorrect alignment of CMA region
            [    0.000000] OF: reserved mem: node linux,cma compatible matching fail
            [    0.000000] memblock_phys_alloc_range: 4096 bytes align=0x1000 from=0x0000000000000000 max_addr=0x0000000000000000 early_pgtable_alloc+0x24/0xa0
            [    0.000000] memblock_add_node: [0x0000000000200000-0x000000007fffffff] nid=0 flags=0 early_init_dt_add_memory_arch+0x54/0x60
            [    0.000000] MEMBLOCK configuration:
            [    0.000000]  memory size = 0x000000007fe00000 reserved size = 0x0000000002a1d3c8
            [    0.000000]  memory.cnt  = 0x1
            [    0.000000]  memory[0x0]	[0x0000000000200000-0x000000007fffffff], 0x000000007fe00000 bytes on node 0 flags: 0x0
            [    0.000000]  reserved.cnt  = 0x1
            [    0.000000]  reserved[0x0]	[0x0000000010000000-0x00000000107fffff], 0x0000000000800000 bytes flags: 0x0
            [    0.000000] Memory: 2044548K/2095104K available (12288K kernel code, 1280K rwdata, 4096K rodata, 1024K init, 512K bss, 42364K reserved, 8192K cma-reserved)
            [    0.000000] OF: fdt: Reserving 1024 KiB of memory at 0x7fe00000 for elfcorehdr
            """;
        var ev = BootLogParser.Parse(log, "spec.log");
        Assert.Equal("6.12.13", ev.KernelVersion!.Value);
        Assert.Equal("console=ttyS2,1500000 memblock=debug cma=64M", ev.CommandLine!.Value);
        var overlap = ev.OfKind(BootRangeKind.RmemOverlap).ToList();
        Assert.Equal(("foo@10000000", 0x10000000ul, 0x107ffffful, "linux,cma"), (overlap[0].Name, overlap[0].Range.Start, overlap[0].Range.EndInclusive, overlap[0].Detail));
        Assert.Equal((0x10400000ul, 0x10bffffful), (overlap[1].Range.Start, overlap[1].Range.EndInclusive));
        var cma = Assert.Single(ev.OfKind(BootRangeKind.CmaReserved));
        Assert.Equal((0xf8000000ul, 0xfbfffffful, "on node -1"), (cma.Range.Start, cma.Range.EndInclusive, cma.Detail));
        Assert.Contains(ev.Messages, m => m.Kind == BootMessageKind.RmemIncorrectCmaAlignment);
        Assert.Contains(ev.Messages, m => m.Kind == BootMessageKind.RmemCompatibleMatchFail && m.Name == "linux,cma");
        Assert.Contains(ev.Messages, m => m.Kind == BootMessageKind.MemblockAlloc && m.Name == "memblock_phys_alloc_range");
        var add = Assert.Single(ev.OfKind(BootRangeKind.MemblockAdd));
        Assert.Equal("nid=0 flags=0 early_init_dt_add_memory_arch+0x54/0x60", add.Detail);
        var dumpMem = Assert.Single(ev.OfKind(BootRangeKind.MemblockDumpMemory));
        Assert.Equal((0x200000ul, 0x7ffffffful), (dumpMem.Range.Start, dumpMem.Range.EndInclusive));
        Assert.Equal(0x10000000ul, Assert.Single(ev.OfKind(BootRangeKind.MemblockDumpReserved)).Range.Start);
        var mem = ev.Memory!;
        Assert.Equal((2044548ul, 2095104ul), (mem.AvailableKiB, mem.TotalKiB));
        Assert.Equal(42364ul, mem.Part("reserved"));
        Assert.Equal(8192ul, mem.Part("cma-reserved"));
        Assert.Equal(12288ul, mem.Part("kernel code"));
        var elf = Assert.Single(ev.OfKind(BootRangeKind.Elfcorehdr));
        Assert.Equal((0x7fe00000ul, 1024ul << 10), (elf.Range.Start, elf.Range.Size));
    }

    [Fact]
    public void IomemPastedIntoAConsoleCaptureIsPickedUp()
    {
        var ev = BootLogParser.Parse("[root@ flash:]# cat /proc/iomem\n" + Data("rk3566-5.4-seed-iomem.txt"), "console.log");
        var iomem = ev.OfKind(BootRangeKind.Iomem).ToList();
        Assert.Equal(7, iomem.Count);
        Assert.Equal(("Kernel code", 0x10080000ul, 0x112affffUL), (iomem[3].Name, iomem[3].Range.Start, iomem[3].Range.EndInclusive));
    }
}
