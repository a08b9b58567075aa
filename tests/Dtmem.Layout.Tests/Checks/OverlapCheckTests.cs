using Dtmem.Layout.Checks;
using Dtmem.Layout.Inputs;
using Dtmem.Layout.Ranges;
using Dtmem.Layout.Tests.Model;
using Dtmem.Layout.Tests.Support;
using static Dtmem.Layout.Tests.Checks.CheckHarness;

namespace Dtmem.Layout.Tests.Checks;

public class OverlapCheckTests
{
    [Fact]
    public void Dtm003SeedIsAnErrorWithKnownPlacement()
    {
        var t = SeedFidelityTests.SeedTree();
        var f = Assert.Single(Run("DTM003", t, TestKernel.Facts("5.4.74", text: 0x10080000, size: 24 * MiB)));
        Assert.Equal(("DTM003", "cma-overlaps-kernel", Severity.Error), (f.Id, f.Name, f.Severity));
        Assert.Equal(Span(t, "/reserved-memory/linux,cma", "reg"), f.Span);
        Assert.Equal(new AddressRange(0x10080000, 0x10800000), f.Range);
        Assert.Contains("[0x0000000010000000-0x00000000107fffff] (8 MiB)", f.Message);
        Assert.Contains("[0x0000000010080000-0x000000001187ffff] (24 MiB)", f.Message);
        Assert.Contains("by 7680 KiB", f.Message);
        Assert.Contains(f.Facts, x => x.Name == "kernel _text" && x.Value == "0x10080000" && !x.IsAssumed);
    }

    [Fact]
    public void Dtm003GuessedPlacementIsAWarningNamingTheGuess()
    {
        var f = Assert.Single(Run("DTM003", SeedFidelityTests.SeedTree(), TestKernel.Facts("5.4.74", text: 0x10080000, size: 24 * MiB, guessed: true)));
        Assert.Equal(Severity.Warning, f.Severity);
        Assert.Contains("guess: bank0 + text_offset", f.Message);
    }

    [Fact]
    public void Dtm003CleanWhenThePoolIsElsewhere()
    {
        var t = Board();
        t.Rmem(r => r.Cma("linux,cma", 0x30000000, 8 * MiB));
        Assert.Empty(Run("DTM003", t, TestKernel.Facts("5.4.74", text: 0x10080000, size: 24 * MiB)));
    }

    [Fact]
    public void Dtm004InitrdUnderCma()
    {
        var t = Board().Chosen(c => c.U32("linux,initrd-start", 0x20100000).U32("linux,initrd-end", 0x20300000));
        t.Rmem(r => r.Cma("linux,cma", 0x20000000, 8 * MiB));
        var f = Assert.Single(Run("DTM004", t, TestKernel.Facts("6.12.38", text: 0x10000000, size: 24 * MiB)));
        Assert.Equal((Severity.Error, new AddressRange(0x20100000, 0x20300000)), (f.Severity, f.Range!.Value));
        Assert.Contains(f.Related, r => r.Span == Span(t, "/chosen", "linux,initrd-start"));

        var clean = Board().Chosen(c => c.U32("linux,initrd-start", 0x28000000).U32("linux,initrd-end", 0x28300000));
        clean.Rmem(r => r.Cma("linux,cma", 0x20000000, 8 * MiB));
        Assert.Empty(Run("DTM004", clean, TestKernel.Facts("6.12.38", text: 0x10000000, size: 24 * MiB)));
    }

    [Fact]
    public void Dtm005DtbUnderCma()
    {
        var t = Board();
        t.Rmem(r => r.Cma("linux,cma", 0x20000000, 8 * MiB));
        var dtbAt = new LayoutOverrides { Dtb = Fact<AddressRange>.Known(AddressRange.FromStartSize(0x20400000, 0x10000), "--dtb-addr") };
        var f = Assert.Single(Run("DTM005", t, TestKernel.Facts("6.1.176", text: 0x10000000, size: 24 * MiB), dtbAt));
        Assert.Equal(new AddressRange(0x20400000, 0x20410000), f.Range);
        var elsewhere = new LayoutOverrides { Dtb = Fact<AddressRange>.Known(AddressRange.FromStartSize(0x30000000, 0x10000), "--dtb-addr") };
        Assert.Empty(Run("DTM005", t, TestKernel.Facts("6.1.176", text: 0x10000000, size: 24 * MiB), elsewhere));
    }

    [Fact]
    public void Dtm006CmaOverMemreserveAndOtherRegion()
    {
        var t = Board().MemReserve(0x20000000, 0x100000);
        t.Rmem(r =>
        {
            r.Cma("linux,cma", 0x20000000, 8 * MiB);
            r.Node("ramoops@20400000").Str("compatible", "ramoops").Reg(0x20400000, 0x100000);
        });
        var fs = Run("DTM006", t, TestKernel.Facts("6.12.38", text: 0x10000000, size: 24 * MiB));
        Assert.Equal([new AddressRange(0x20000000, 0x20100000), new AddressRange(0x20400000, 0x20500000)], fs.Select(f => f.Range!.Value).Order(new StartOrder()));
        Assert.All(fs, f => Assert.Equal(Severity.Error, f.Severity));

        var clean = Board().MemReserve(0x30000000, 0x100000);
        clean.Rmem(r => r.Cma("linux,cma", 0x20000000, 8 * MiB));
        Assert.Empty(Run("DTM006", clean, TestKernel.Facts("6.12.38", text: 0x10000000, size: 24 * MiB)));
    }

    private sealed class StartOrder : IComparer<AddressRange>
    {
        public int Compare(AddressRange x, AddressRange y) => x.Start.CompareTo(y.Start);
    }

    [Fact]
    public void Dtm007MisalignedCmaFreesKernelPages()
    {
        var t = Board();
        t.Rmem(r => r.Cma("linux,cma", 0x10200000, 8 * MiB));
        var f = Assert.Single(Run("DTM007", t, TestKernel.Facts("5.4.74", text: 0x10080000, size: 16 * MiB)));
        Assert.Equal((Severity.Error, new AddressRange(0x10200000, 0x10a00000)), (f.Severity, f.Range!.Value));
        Assert.Contains("memblock_free()", f.Message);
        Assert.Contains("8 MiB of kernel image", f.Message);
        // 6.12's 2 MiB rule accepts the same region: nothing is freed.
        Assert.Empty(Run("DTM007", t, TestKernel.Facts("6.12.38", text: 0x10080000, size: 16 * MiB)));
    }

    [Fact]
    public void Dtm007CmdlineBypassFreesTheDtbItCovers()
    {
        var t = Board();
        t.Rmem(r => r.Cma("linux,cma", 0x20000000, 8 * MiB));
        var dtb = new LayoutOverrides { Dtb = Fact<AddressRange>.Known(AddressRange.FromStartSize(0x20000000, 0x10000), "--dtb-addr") };
        var f = Assert.Single(Run("DTM007", t, TestKernel.Facts("6.1.176", text: 0x10000000, size: 24 * MiB, cmdline: "cma=32M"), dtb));
        Assert.Contains("memblock_phys_free()", f.Message);
        Assert.Equal(new AddressRange(0x20000000, 0x20010000), f.Range);
    }

    [Theory]
    [InlineData("5.4.74", "memblock_remove()s the range")]
    [InlineData("6.1.176", "-EBUSY")]
    public void Dtm008NoMapOverKernel(string version, string effect)
    {
        var t = Board();
        t.Rmem(r => r.Node("secure@10000000").Reg(0x10000000, 4 * MiB).Flag("no-map"));
        var f = Assert.Single(Run("DTM008", t, TestKernel.Facts(version, text: 0x10200000, size: 16 * MiB)));
        Assert.Equal((Severity.Error, new AddressRange(0x10200000, 0x10400000)), (f.Severity, f.Range!.Value));
        Assert.Contains(effect, f.Message);
        Assert.Empty(Run("DTM008", t, TestKernel.Facts(version, text: 0x20000000, size: 16 * MiB)));
    }

    [Theory]
    [InlineData("6.1.176", Severity.Error)]
    [InlineData("6.12.38", Severity.Warning)]
    public void Dtm009NoMapOverMemreserve(string version, Severity expected)
    {
        var t = Board().MemReserve(0x3f000000, MiB);
        t.Rmem(r => r.Node("tee@3f000000").Reg(0x3f000000, 2 * MiB).Flag("no-map"));
        var f = Assert.Single(Run("DTM009", t, TestKernel.Facts(version, text: 0x10000000, size: 16 * MiB)));
        Assert.Equal((expected, new AddressRange(0x3f000000, 0x3f100000)), (f.Severity, f.Range!.Value));

        var clean = Board().MemReserve(0x3e000000, MiB);
        clean.Rmem(r => r.Node("tee@3f000000").Reg(0x3f000000, 2 * MiB).Flag("no-map"));
        Assert.Empty(Run("DTM009", clean, TestKernel.Facts(version, text: 0x10000000, size: 16 * MiB)));
    }

    [Fact]
    public void Dtm018MixedOverlapIsErrorNoMapPairIsWarning()
    {
        var t = Board();
        t.Rmem(r =>
        {
            r.Node("a@20000000").Reg(0x20000000, 4 * MiB);
            r.Node("b@20200000").Reg(0x20200000, 4 * MiB).Flag("no-map");
            r.Node("c@30000000").Reg(0x30000000, 4 * MiB).Flag("no-map");
            r.Node("d@30000000").Reg(0x30000000, 2 * MiB).Flag("no-map");
        });
        var fs = Run("DTM018", t, TestKernel.Facts("6.12.38", text: 0x10000000, size: 16 * MiB));
        Assert.Equal(2, fs.Count);
        Assert.Equal((Severity.Error, new AddressRange(0x20200000, 0x20400000)), (fs[0].Severity, fs[0].Range!.Value));
        Assert.Equal(Span(t, "/reserved-memory/b@20200000", "reg"), fs[0].Span);
        Assert.Equal((Severity.Warning, new AddressRange(0x30000000, 0x30200000)), (fs[1].Severity, fs[1].Range!.Value));

        var clean = Board();
        clean.Rmem(r => { r.Node("a@20000000").Reg(0x20000000, 2 * MiB); r.Node("b@20200000").Reg(0x20200000, 4 * MiB).Flag("no-map"); });
        Assert.Empty(Run("DTM018", clean, TestKernel.Facts("6.12.38", text: 0x10000000, size: 16 * MiB)));
    }

    [Fact]
    public void Dtm023DynamicOverMemreserveInFamilyE()
    {
        // Top-down placement puts the 8 MiB pool at the top of RAM, where /memreserve/ sits.
        var t = Board().MemReserve(0x7ff00000, MiB);
        t.Rmem(r => r.Node("pool").Str("compatible", "shared-dma-pool").Size(8 * MiB));
        var f = Assert.Single(Run("DTM023", t, TestKernel.Facts("6.12.38", text: 0x10000000, size: 16 * MiB)));
        Assert.Equal(new AddressRange(0x7ff00000, 0x80000000), f.Range);
        // Family D applies /memreserve/ before allocating dynamic regions, so the pool goes below it.
        Assert.Empty(Run("DTM023", t, TestKernel.Facts("6.6.60", text: 0x10000000, size: 16 * MiB)));
    }

    [Fact]
    public void Dtm035MemreserveOverMappedRegionIsInfo()
    {
        var t = Board().MemReserve(0x1f000, 0xe1000);
        t.Rmem(r => r.Node("rpc@2f000").Reg(0x2f000, 0x1000));
        var f = Assert.Single(Run("DTM035", t, TestKernel.Facts("6.12.38", text: 0x10000000, size: 16 * MiB)));
        Assert.Equal((Severity.Info, new AddressRange(0x2f000, 0x30000)), (f.Severity, f.Range!.Value));
        var clean = Board().MemReserve(0x1f000, 0x1000);
        clean.Rmem(r => r.Node("rpc@2f000").Reg(0x2f000, 0x1000));
        Assert.Empty(Run("DTM035", clean, TestKernel.Facts("6.12.38", text: 0x10000000, size: 16 * MiB)));
    }
}
