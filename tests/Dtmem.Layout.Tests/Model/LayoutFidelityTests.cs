using Dtmem.Kernel.Versions;
using Dtmem.Layout.Model;
using Dtmem.Layout.Ranges;
using Dtmem.Layout.Tests.Support;

namespace Dtmem.Layout.Tests.Model;

/// <summary>
/// Hand-built layouts whose expected kernel lines follow from kernel-memory-spec §2–§4 and §6 (formats,
/// orders, placement rules), worked out by hand for each case.
/// </summary>
public class LayoutFidelityTests
{
    private const ulong MiB = 1 << 20;

    /// <summary>§3.1 step 3, §2.4: a 5.4 static CMA misaligned to the 4 MiB rule is freed, then the Kconfig default CMA is placed top-down below the DMA32 limit (§4.2).</summary>
    [Fact]
    public void MisalignedCmaOn54IsFreedAndKconfigAreaTakesOver()
    {
        var t = new TreeBuilder().Memory(0, 0x80000000);
        t.Rmem(r => r.Cma("linux,cma", 0x10200000, 8 * MiB));
        var result = BootSimulator.Run(t.Input(TestKernel.Facts("5.4.74", text: 0x10080000, size: 16 * MiB)));

        Log.ContainsInOrder(result,
            "Reserved memory: incorrect alignment of CMA region",
            "OF: reserved mem: node linux,cma compatible matching fail",
            // 5.4's mm/memblock.c indents this one debug line by three spaces.
            "   memblock_free: [0x0000000010200000-0x00000000109fffff] fdt_init_reserved_mem+0x1a8/0x240",
            "memblock_reserve: [0x000000007f000000-0x000000007fffffff] memblock_alloc_range_nid+...",
            "cma: Reserved 16 MiB at 0x000000007f000000");
        // The free punched a hole in the kernel's reservation (§2.4 "Danger").
        Assert.All(result.Map.In(new AddressRange(0x10200000, 0x10a00000)), p => Assert.Equal(PageState.Free, p.State));
        Assert.Equal(PageState.Reserved, result.Map.In(new AddressRange(0x10080000, 0x10200000)).Single().State);
    }

    /// <summary>The same region on 6.12 meets the 2 MiB pageblock rule (§3.2) and becomes a CMA area.</summary>
    [Fact]
    public void SameRegionIsAlignedFor612()
    {
        var t = new TreeBuilder().Memory(0, 0x80000000);
        t.Rmem(r => r.Cma("linux,cma", 0x10200000, 8 * MiB));
        var result = BootSimulator.Run(t.Input(TestKernel.Facts("6.12.38", text: 0x20000000, size: 16 * MiB)));
        Assert.Contains("Reserved memory: created CMA memory pool at 0x0000000010200000, size 8 MiB", Log.Visible(result));
    }

    /// <summary>
    /// §3.1 step 1 (≥5.7): cma= bypasses the DT default, the region is freed, and the cmdline area is reserved top-down below the
    /// ZONE_DMA limit. From 5.11 it comes after paging_init and sparse_init, whose allocations sit at the top of RAM (real 6.1/6.12
    /// logs: a page-table page, then 2 MiB of memmap per 128 MiB section, 2 MiB-aligned): 0xc0000000 - 2 MiB - 32 MiB - 64 MiB.
    /// </summary>
    [Fact]
    public void CmdlineCmaBypassesDtDefaultOn61()
    {
        var t = new TreeBuilder().Memory(0x40000000, 0x80000000);
        t.Rmem(r => r.Cma("linux,cma", 0x60000000, 32 * MiB));
        var result = BootSimulator.Run(t.Input(TestKernel.Facts("6.1.176", text: 0x40200000, size: 0x2010000, cmdline: "console=ttyAMA0 cma=64M")));

        Assert.Equal(VersionFamily.C, result.Rules.Family);
        Log.ContainsInOrder(result,
            "Reserved memory: bypass linux,cma node, using cmdline CMA params instead",
            "OF: reserved mem: node linux,cma compatible matching fail",
            "memblock_phys_free: [0x0000000060000000-0x0000000061ffffff] fdt_init_reserved_mem+...",
            "cma: Reserved 64 MiB at 0x00000000b9e00000");
        var area = Assert.Single(result.CmaAreas);
        Assert.Equal(CmaSource.Cmdline, area.Source);
    }

    /// <summary>5.4 ignores cma= when the DT has a default (§3.1: no bypass before 5.7).</summary>
    [Fact]
    public void CmdlineCmaIgnoredOn54()
    {
        var t = new TreeBuilder().Memory(0x40000000, 0x80000000);
        t.Rmem(r => r.Cma("linux,cma", 0x60000000, 32 * MiB));
        var result = BootSimulator.Run(t.Input(TestKernel.Facts("5.4.74", text: 0x40280000, size: 0x2000000, cmdline: "cma=64M")));
        Assert.Contains("Reserved memory: created CMA memory pool at 0x0000000060000000, size 32 MiB", Log.Visible(result));
        Assert.DoesNotContain(Log.Visible(result), l => l.StartsWith("cma: Reserved", StringComparison.Ordinal));
    }

    /// <summary>§2.4: the overlap check logs two overlapping no-map regions with exclusive ends; 6.12 prints the summary line for each.</summary>
    [Fact]
    public void OverlappingNoMapRegionsOn612()
    {
        var t = new TreeBuilder().Memory(0x80000000, 0x40000000);
        t.Rmem(r =>
        {
            r.Node("a@80000000").Reg(0x80000000, 16 * MiB).Flag("no-map");
            r.Node("b@80800000").Reg(0x80800000, 16 * MiB).Flag("no-map");
        });
        var result = BootSimulator.Run(t.Input(TestKernel.Facts("6.12.38", text: 0x90000000, size: 32 * MiB)));
        Assert.Equal(
        [
            "OF: reserved mem: 0x0000000080000000..0x0000000080ffffff (16384 KiB) nomap non-reusable a@80000000",
            "OF: reserved mem: 0x0000000080800000..0x00000000817fffff (16384 KiB) nomap non-reusable b@80800000",
            "OF: reserved mem: OVERLAP DETECTED!",
            "a@80000000 (0x0000000080000000--0x0000000081000000) overlaps with b@80800000 (0x0000000080800000--0x0000000081800000)",
        ], Log.Visible(result).TakeWhile(l => l != "Zone ranges:"));
        // C+ keeps no-map memory in memblock.memory, split by flags in the node ranges (§6).
        Log.ContainsInOrder(result,
            "  node   0: [mem 0x0000000080000000-0x00000000817fffff]",
            "  node   0: [mem 0x0000000081800000-0x00000000bfffffff]");
    }

    /// <summary>§2.2/§2.5: a no-map region over /memreserve/ gets -EBUSY in family C (memreserve first) but not in E (memreserve after).</summary>
    [Theory]
    [InlineData("6.1.176", "OF: fdt: Reserved memory: failed to reserve memory for node 'secure@9f000000': base 0x000000009f000000, size 2 MiB")]
    [InlineData("6.12.38", "OF: reserved mem: 0x000000009f000000..0x000000009f1fffff (2048 KiB) nomap non-reusable secure@9f000000")]
    public void NoMapOverMemreserve(string version, string expected)
    {
        var t = new TreeBuilder().Memory(0x80000000, 0x40000000).MemReserve(0x9f000000, 1 * MiB);
        t.Rmem(r => r.Node("secure@9f000000").Reg(0x9f000000, 2 * MiB).Flag("no-map"));
        var result = BootSimulator.Run(t.Input(TestKernel.Facts(version, text: 0x80200000, size: 32 * MiB)));
        Assert.Contains(expected, Log.Visible(result));
    }

    /// <summary>§2.3: a dynamic region larger than its alloc-ranges fails with the 6.1+ message.</summary>
    [Fact]
    public void DynamicRegionThatCannotFit()
    {
        var t = new TreeBuilder().Memory(0x40000000, 0x80000000);
        t.Rmem(r => r.Node("pool").Str("compatible", "shared-dma-pool").Flag("reusable").Size(64 * MiB).AllocRanges(0x40000000, 32 * MiB));
        var result = BootSimulator.Run(t.Input(TestKernel.Facts("6.12.38", text: 0x80000000, size: 32 * MiB)));
        Assert.Contains("OF: reserved mem: failed to allocate memory for node 'pool': size 64 MiB", Log.Visible(result));
        Assert.Equal(RegionStatus.AllocFailed, result.Regions.Single().Status);
    }

    /// <summary>§2.3/§5.7: without alloc-ranges a dynamic CMA goes top-down anywhere (no DMA limit), aligned to the CMA minimum.</summary>
    [Fact]
    public void DynamicCmaPlacedTopDownAboveFourGiB()
    {
        var t = new TreeBuilder().Memory(0x40000000, 0x100000000);
        t.Rmem(r => r.Node("linux,cma").Str("compatible", "shared-dma-pool").Flag("reusable").Size(256 * MiB).Flag("linux,cma-default"));
        var result = BootSimulator.Run(t.Input(TestKernel.Facts("6.12.38", text: 0x40200000, size: 32 * MiB)));
        Log.ContainsInOrder(result,
            "memblock_phys_alloc_range: 268435456 bytes align=0x200000 from=0x0000000000000000 max_addr=0xffffffffffffffff early_init_dt_alloc_reserved_memory_arch+...",
            "memblock_reserve: [0x0000000130000000-0x000000013fffffff] memblock_alloc_range_nid+...",
            "Reserved memory: created CMA memory pool at 0x0000000130000000, size 256 MiB",
            "OF: reserved mem: initialized node linux,cma, compatible id shared-dma-pool",
            "OF: reserved mem: 0x0000000130000000..0x000000013fffffff (262144 KiB) map reusable linux,cma",
            "  DMA      [mem 0x0000000040000000-0x00000000ffffffff]",
            "  Normal   [mem 0x0000000100000000-0x000000013fffffff]");
    }

    /// <summary>§2.1: a /reserved-memory whose cells differ from the root's is ignored whole; prefix per version.</summary>
    [Theory]
    [InlineData("5.4.74", new[] { "OF: fdt: Reserved memory: unsupported node format, ignoring" })]
    [InlineData("6.12.38", new[] { "OF: reserved mem: Reserved memory: unsupported node format, ignoring", "OF: reserved mem: Reserved memory: unsupported node format, ignoring" })]
    public void RootFormatRejected(string version, string[] expected)
    {
        var t = new TreeBuilder().Memory(0x40000000, 0x40000000);
        t.Rmem(r => r.Node("fw@50000000").Prop("reg", t.Cells(0x50000000, MiB)).Flag("no-map"), sizeCells: 1);
        var result = BootSimulator.Run(t.Input(TestKernel.Facts(version, text: 0x40280000, size: 16 * MiB)));
        Assert.Equal(expected, Log.Visible(result).Where(l => l.Contains("unsupported", StringComparison.Ordinal)));
        Assert.Equal(RegionStatus.IgnoredByRoot, result.Regions.Single().Status);
        Assert.Empty(result.NoMap);
    }

    /// <summary>§3.1 step 2: reusable + no-map is refused by both init functions and the no-map flag is cleared (≥5.16).</summary>
    [Fact]
    public void ReusableNoMapBecomesRam()
    {
        var t = new TreeBuilder().Memory(0x40000000, 0x40000000);
        t.Rmem(r => r.Node("weird@50000000").Str("compatible", "shared-dma-pool").Flag("reusable").Flag("no-map").Reg(0x50000000, 4 * MiB));
        var result = BootSimulator.Run(t.Input(TestKernel.Facts("6.12.38", text: 0x40200000, size: 16 * MiB)));
        Assert.Equal(["OF: reserved mem: node weird@50000000 compatible matching fail"], Log.Visible(result).TakeWhile(l => l != "Zone ranges:"));
        Assert.Equal(PageState.Free, result.Map.In(new AddressRange(0x50000000, 0x50400000)).Single().State);
    }

    /// <summary>§1.2 / §4.2: 5.4 with no DT CMA reserves the Kconfig default (16 MiB) top-down below the DMA32 limit.</summary>
    [Fact]
    public void KconfigDefaultCmaOn54()
    {
        var t = new TreeBuilder().Memory(0x40000000, 0x40000000);
        var result = BootSimulator.Run(t.Input(TestKernel.Facts("5.4.74", text: 0x40080000, size: 16 * MiB)));
        Assert.Contains("cma: Reserved 16 MiB at 0x000000007f000000", Log.Visible(result));
    }

    /// <summary>§2.4: 5.4 holds 32 reserved_mem entries and prints the message without "for".</summary>
    [Fact]
    public void TooManyRegionsOn54()
    {
        var t = new TreeBuilder().Memory(0x40000000, 0x40000000);
        t.Rmem(r =>
        {
            for (var i = 0; i < 33; i++) r.Node($"r{i}@{0x50000000 + i * 0x100000:x}").Reg(0x50000000 + (ulong)i * MiB, MiB);
        });
        var result = BootSimulator.Run(t.Input(TestKernel.Facts("5.4.74", text: 0x40080000, size: 16 * MiB)));
        Assert.Contains("OF: reserved mem: not enough space all defined regions.", Log.Visible(result));
        Assert.Equal(InitStatus.NotRegistered, result.Regions[^1].Init);
    }

    /// <summary>5.4/6.12 fdt.c: a memory block smaller than what is left of its first page is dropped with a warning; an unaligned one is rounded inward.</summary>
    [Fact]
    public void SmallAndUnalignedMemoryBlocks()
    {
        var t = new TreeBuilder().Memory(0x40000000, 0x800).Memory(0x50000800, 0x100000);
        var result = BootSimulator.Run(t.Input(TestKernel.Facts("6.12.38")));
        Assert.Contains("OF: fdt: Ignoring memory block 0x40000000 - 0x40000800", Log.Visible(result));
        Assert.Equal([new Dtmem.Layout.Ranges.AddressRange(0x50001000, 0x50100000)], result.Memory);
    }

    /// <summary>The 6.1 errata: Debian 6.1.176 reserves the image from _stext = _text + 0x10000.</summary>
    [Fact]
    public void Linux61ReservesFromStext()
    {
        var t = new TreeBuilder().Memory(0x40000000, 0x20000000);
        var result = BootSimulator.Run(t.Input(TestKernel.Facts("6.1.176", text: 0x40200000, size: 0x2010000)));
        Log.ContainsInOrder(result, "memblock_reserve: [0x0000000040210000-0x000000004220ffff] arm64_memblock_init+...");
    }
}
