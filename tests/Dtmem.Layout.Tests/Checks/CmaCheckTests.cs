using Dtmem.Layout.Checks;
using Dtmem.Layout.Inputs;
using Dtmem.Layout.Ranges;
using Dtmem.Layout.Tests.Support;
using static Dtmem.Layout.Tests.Checks.CheckHarness;

namespace Dtmem.Layout.Tests.Checks;

public class CmaCheckTests
{
    private static readonly KernelFacts K612 = TestKernel.Facts("6.12.38", text: 0x10000000, size: 16 * MiB);

    [Fact]
    public void Dtm010CmaStraddlesTheEndOfRam()
    {
        var t = Board();
        t.Rmem(r => r.Cma("linux,cma", 0x7fc00000, 8 * MiB));
        var f = Assert.Single(Run("DTM010", t, K612));
        Assert.Equal((Severity.Error, new AddressRange(0x80000000, 0x80400000)), (f.Severity, f.Range!.Value));
        Assert.Contains(f.Related, r => r.Span == Span(t, "/memory@0", "reg"));
        var ok = Board();
        ok.Rmem(r => r.Cma("linux,cma", 0x7f800000, 8 * MiB));
        Assert.Empty(Run("DTM010", ok, K612));
    }

    /// <summary>The fidelity mem-limit case: CMA above mem= panics the boot; it is not a zone-span failure (DTM012).</summary>
    [Fact]
    public void Dtm010CmaAboveMemLimitCrashesTheBoot()
    {
        var t = new TreeBuilder().Memory(0x40000000, 0x20000000);
        t.Rmem(r => r.Cma("linux,cma@50000000", 0x50000000, 16 * MiB));
        var k = TestKernel.Facts("6.12.117", text: 0x40200000, size: 0x2b30000, cmdline: "mem=256M");
        var result = Boot(t, k);
        Assert.NotNull(result.PredictedCrash);
        Assert.Contains("panics", Assert.Single(CheckRegistry.Find("DTM010")!.Run(result)).Message);
        Assert.Empty(CheckRegistry.Find("DTM012")!.Run(result));
        Assert.Empty(CheckRegistry.Find("DTM033")!.Run(result));
    }

    [Fact]
    public void Dtm010SkippedWhenMemoryIsUnknown()
    {
        var t = new TreeBuilder().Memory(0, 0);
        t.Rmem(r => r.Cma("linux,cma", 0x7fc00000, 8 * MiB));
        Assert.Empty(Run("DTM010", t, K612));
    }

    [Fact]
    public void Dtm012CmaAcrossTheDmaZoneEdge()
    {
        var t = new TreeBuilder().Memory(0x40000000, 0x100000000);
        t.Rmem(r => r.Cma("linux,cma", 0xff000000, 32 * MiB));
        var f = Assert.Single(Run("DTM012", t, TestKernel.Facts("6.12.38", text: 0x40200000, size: 16 * MiB)));
        Assert.Equal(Severity.Error, f.Severity);
        Assert.Contains("DMA, Normal", f.Message);
        Assert.Contains("ordinary RAM", f.Message);
        var ok = new TreeBuilder().Memory(0x40000000, 0x100000000);
        ok.Rmem(r => r.Cma("linux,cma", 0xfe000000, 32 * MiB));
        Assert.Empty(Run("DTM012", ok, TestKernel.Facts("6.12.38", text: 0x40200000, size: 16 * MiB)));
    }

    [Fact]
    public void Dtm013AlignmentFollowsVersionAndConfig()
    {
        var t = Board();
        t.Rmem(r => r.Cma("linux,cma", 0x30200000, 10 * MiB));
        var known = new Dictionary<string, string> { ["CONFIG_ARM64_4K_PAGES"] = "y", ["CONFIG_FORCE_MAX_ZONEORDER"] = "11", ["CONFIG_HUGETLB_PAGE"] = "y" };
        var f = Assert.Single(Run("DTM013", t, TestKernel.Facts("5.4.74", text: 0x10080000, size: 16 * MiB, config: known)));
        Assert.Equal(Severity.Error, f.Severity);
        Assert.Contains("not aligned to 4 MiB", f.Message);
        Assert.Contains(f.Facts, x => x.Name == "CMA minimum alignment" && x.Value == "4 MiB" && !x.IsAssumed);

        // Assumed config: the same finding drops to a warning (vendors change MAX_ORDER).
        Assert.Equal(Severity.Warning, Assert.Single(Run("DTM013", t, TestKernel.Facts("5.4.74", text: 0x10080000, size: 16 * MiB))).Severity);
        // RV1106-style MAX_ORDER 9 gives a 1 MiB rule on 5.10: 10 MiB at 0x30200000 is fine.
        var rv = new Dictionary<string, string> { ["CONFIG_ARM64_4K_PAGES"] = "y", ["CONFIG_FORCE_MAX_ZONEORDER"] = "9", ["CONFIG_HUGETLB_PAGE"] = "n" };
        Assert.Empty(Run("DTM013", t, TestKernel.Facts("5.10.110", text: 0x10000000, size: 16 * MiB, config: rv)));
        // 6.12 with HUGETLB_PAGE: one 2 MiB pageblock.
        Assert.Empty(Run("DTM013", t, K612));
    }

    [Fact]
    public void Dtm014TwoDefaults()
    {
        var t = Board();
        t.Rmem(r => { r.Cma("cma-a", 0x30000000, 8 * MiB); r.Cma("cma-b", 0x40000000, 8 * MiB); });
        var f = Assert.Single(Run("DTM014", t, K612));
        Assert.Equal(Span(t, "/reserved-memory/cma-a", "linux,cma-default"), f.Span);
        Assert.Contains("/reserved-memory/cma-b wins", f.Message);
        var ok = Board();
        ok.Rmem(r => { r.Cma("cma-a", 0x30000000, 8 * MiB); r.Cma("cma-b", 0x40000000, 8 * MiB, isDefault: false); });
        Assert.Empty(Run("DTM014", ok, K612));
    }

    [Theory]
    [InlineData("6.1.176", "bypass")]
    [InlineData("5.4.74", "ignores cma=64M")]
    public void Dtm015CmdlineAndDtDefault(string version, string words)
    {
        var t = Board();
        t.Rmem(r => r.Cma("linux,cma", 0x30000000, 8 * MiB));
        var f = Assert.Single(Run("DTM015", t, TestKernel.Facts(version, text: 0x10080000, size: 16 * MiB, cmdline: "cma=64M")));
        Assert.Contains(words, f.Message);
        Assert.Empty(Run("DTM015", t, TestKernel.Facts(version, text: 0x10080000, size: 16 * MiB, cmdline: "console=ttyS2")));
    }

    [Fact]
    public void Dtm020CmaSlots()
    {
        var t = Board();
        var config = new Dictionary<string, string> { ["CONFIG_CMA_AREAS"] = "2" };
        t.Rmem(r =>
        {
            for (var i = 0; i < 3; i++) r.Cma($"pool{i}", 0x30000000 + (ulong)i * 0x1000000, 8 * MiB, isDefault: false);
        });
        // pool2 gets no slot, and neither does the Kconfig default area that bootmem_init then declares.
        var fs = Run("DTM020", t, TestKernel.Facts("6.12.38", text: 0x10000000, size: 16 * MiB, config: config));
        Assert.Equal(["/reserved-memory/pool2", "reserved"], fs.Select(x => x.Subject));
        var f = fs[0];
        Assert.Equal(Span(t, "/reserved-memory/pool2", "reg"), f.Span);
        Assert.Contains("MAX_CMA_AREAS = CONFIG_CMA_AREAS = 2", f.Message);
        Assert.Empty(Run("DTM020", t, K612));
    }

    [Fact]
    public void Dtm021ReusableNoMap()
    {
        var t = Board();
        t.Rmem(r => r.Node("weird@50000000").Str("compatible", "shared-dma-pool").Flag("reusable").Flag("no-map").Reg(0x50000000, 4 * MiB));
        var f = Assert.Single(Run("DTM021", t, K612));
        Assert.Equal((Severity.Error, Span(t, "/reserved-memory/weird@50000000", "no-map")), (f.Severity, f.Span));
        var ok = Board();
        ok.Rmem(r => r.Node("fine@50000000").Str("compatible", "shared-dma-pool").Flag("no-map").Reg(0x50000000, 4 * MiB));
        Assert.Empty(Run("DTM021", ok, K612));
    }

    [Fact]
    public void Dtm022RestrictedPool()
    {
        var t = Board();
        t.Rmem(r => r.Node("wifi@50000000").Str("compatible", "restricted-dma-pool").Flag("no-map").Reg(0x50000000, 4 * MiB));
        Assert.Contains("with no-map", Assert.Single(Run("DTM022", t, K612)).Message);
        var ok = Board();
        ok.Rmem(r => r.Node("wifi@50000000").Str("compatible", "restricted-dma-pool").Reg(0x50000000, 4 * MiB));
        Assert.Empty(Run("DTM022", ok, K612));
        Assert.Contains("has no restricted DMA pools", Assert.Single(Run("DTM022", ok, TestKernel.Facts("5.10.110", text: 0x10000000, size: 16 * MiB))).Message);
    }

    [Fact]
    public void Dtm033DynamicPoolLandsAboveFourGiB()
    {
        var t = new TreeBuilder().Memory(0x40000000, 0x100000000);
        t.Rmem(r => r.Node("linux,cma").Str("compatible", "shared-dma-pool").Flag("reusable").Size(256 * MiB));
        var f = Assert.Single(Run("DTM033", t, TestKernel.Facts("6.12.38", text: 0x40200000, size: 16 * MiB)));
        Assert.Equal(new AddressRange(0x130000000, 0x140000000), f.Range);
        Assert.Contains("placed top-down", f.Message);
        var ok = new TreeBuilder().Memory(0x40000000, 0x100000000);
        ok.Rmem(r => r.Node("linux,cma").Str("compatible", "shared-dma-pool").Flag("reusable").Size(256 * MiB).AllocRanges(0x40000000, 0xc0000000));
        Assert.Empty(Run("DTM033", ok, TestKernel.Facts("6.12.38", text: 0x40200000, size: 16 * MiB)));
    }

    [Fact]
    public void Dtm034ReportsDynamicPlacement()
    {
        var t = Board();
        t.Rmem(r => r.Node("linux,cma").Str("compatible", "shared-dma-pool").Flag("reusable").Size(64 * MiB));
        var f = Assert.Single(Run("DTM034", t, K612));
        Assert.Equal((Severity.Info, new AddressRange(0x7c000000, 0x80000000)), (f.Severity, f.Range!.Value));
        Assert.Contains("alignment 2 MiB", f.Message);
        var s = Board();
        s.Rmem(r => r.Cma("linux,cma", 0x30000000, 8 * MiB));
        Assert.Empty(Run("DTM034", s, K612));
    }
}
