using Dtmem.Layout.Checks;
using Dtmem.Layout.Tests.Model;
using Dtmem.Layout.Tests.Support;
using static Dtmem.Layout.Tests.Checks.CheckHarness;

namespace Dtmem.Layout.Tests.Checks;

public class FormatCheckTests
{
    private static readonly Inputs.KernelFacts K612 = TestKernel.Facts("6.12.38", text: 0x10000000, size: 16 * MiB);

    [Fact]
    public void Dtm001CellsDifferFromRoot()
    {
        var t = Board();
        t.Rmem(r => r.Node("fw@50000000").Prop("reg", t.Cells(0x50000000, MiB)).Flag("no-map"), sizeCells: 1);
        var f = Assert.Single(Run("DTM001", t, K612));
        Assert.Equal(Severity.Error, f.Severity);
        Assert.Equal(t.ReservedMemory!.Property("#size-cells")!.Span, f.Span);
        Assert.Contains("#size-cells is 1, the root's is 2", f.Message);
        Assert.Contains("none of its 1 region(s) is reserved", f.Message);
    }

    [Fact]
    public void Dtm001MissingRanges()
    {
        var t = Board();
        t.Rmem(r => r.Node("fw@50000000").Reg(0x50000000, MiB), ranges: false);
        Assert.Contains("ranges is missing", Assert.Single(Run("DTM001", t, K612)).Message);
        var ok = Board();
        ok.Rmem(r => r.Node("fw@50000000").Reg(0x50000000, MiB));
        Assert.Empty(Run("DTM001", ok, K612));
    }

    [Fact]
    public void Dtm002WrongLengths()
    {
        var t = Board();
        t.Rmem(r =>
        {
            r.Node("bad-reg").Prop("reg", Raw.Cells(0, 0x50000000, 0x100000));
            r.Node("bad-align").Size(MiB).Prop("alignment", Raw.Cells(0x100000));
            r.Node("static-align").Reg(0x60000000, MiB).Prop("alignment", Raw.Cells(0x100000));
            r.Node("odd-align").Size(MiB).Alignment(0x300000);
        });
        var fs = Run("DTM002", t, K612);
        Assert.Equal(3, fs.Count);
        Assert.Equal(Span(t, "/reserved-memory/bad-reg", "reg"), fs[0].Span);
        Assert.Contains("'reg' is 12 bytes, the kernel needs a multiple of 16 bytes", fs[0].Message);
        Assert.Equal(Span(t, "/reserved-memory/bad-align", "alignment"), fs[1].Span);
        Assert.Contains("'alignment' is 4 bytes, the kernel needs 8 bytes (#address-cells 2)", fs[1].Message);
        Assert.Equal(Span(t, "/reserved-memory/odd-align", "alignment"), fs[2].Span);
        Assert.Contains("0x300000 is not a power of two", fs[2].Message);

        var ok = Board();
        ok.Rmem(r =>
        {
            r.Node("good-reg").Reg(0x50000000, 0x100000);
            r.Node("good-dyn").Size(MiB).Alignment(0x100000).AllocRanges(0x40000000, 0x10000000);
        });
        Assert.Empty(Run("DTM002", ok, K612));
    }

    [Fact]
    public void AbsurdRootSizeCellsMakeTheRegionsMalformedNotTheArithmeticOverflow()
    {
        // Found by fuzzing: #size-cells = <0xffec0002> made (#address-cells + #size-cells) * 4 wrap to 0 and the
        // reg length check divide by zero.
        var t = Board();
        t.Rmem(r => r.Node("npu@44000000").Reg(0x44000000, 0xa00000).Flag("no-map"));
        var root = t.Tree.Root;
        var i = root.Properties.FindIndex(p => p.Name == "#size-cells");
        root.Properties[i] = new DeviceTree.Model.DtProperty("#size-cells", DeviceTree.Model.DtValue.FromCells(0xffec0002), root.Properties[i].Span);
        var boot = Boot(t, K612);
        var reg = Assert.Single(Assert.Single(boot.Input.Regions).Malformed);
        Assert.Equal("reg", reg.Name);
        Assert.Equal("cells the root's #address-cells (2) and #size-cells (2147483647) can describe: 0 to 4 each", reg.Expected);
        // The kernel ignores a /reserved-memory whose cells differ from the root's: that is what the user is told.
        Assert.Contains("The kernel ignores the whole node", Assert.Single(CheckRegistry.Find("DTM001")!.Run(boot)).Message);
    }

    [Fact]
    public void Dtm016MultiEntryReg()
    {
        var t = Board();
        t.Rmem(r => r.Node("carve").Reg(0x50000000, MiB, 0x60000000, MiB));
        var f = Assert.Single(Run("DTM016", t, K612));
        Assert.Equal((Severity.Warning, Span(t, "/reserved-memory/carve", "reg")), (f.Severity, f.Span));
        Assert.Contains("[0x0000000050000000-0x00000000500fffff]", f.Message);
        var ok = Board();
        ok.Rmem(r => r.Node("carve").Reg(0x50000000, MiB));
        Assert.Empty(Run("DTM016", ok, K612));
    }

    [Fact]
    public void Dtm025NotPageAligned()
    {
        var t = Board();
        t.Rmem(r => r.Node("shm@d0000000").Reg(0x50000000, 0x80).Flag("no-map"));
        var f = Assert.Single(Run("DTM025", t, K612));
        Assert.Equal(Severity.Info, f.Severity);
        Assert.Contains("4 KiB page size", f.Message);
        var ok = Board();
        ok.Rmem(r => r.Node("shm@d0000000").Reg(0x50000000, 0x1000).Flag("no-map"));
        Assert.Empty(Run("DTM025", ok, K612));
    }

    [Fact]
    public void Dtm028Inactive()
    {
        var f = Assert.Single(Run("DTM028", SeedFidelityTests.SeedTree(), K612));
        Assert.Equal(Severity.Info, f.Severity);
        var t = Board();
        t.Rmem(r => r.Cma("linux,cma", 0x30000000, 8 * MiB));
        Assert.Empty(Run("DTM028", t, K612));
    }

    [Fact]
    public void Dtm029ZeroSizePlaceholderIsInfoOthersWarn()
    {
        var t = Board();
        t.Rmem(r =>
        {
            r.Node("drm-logo@00000000").Reg(0, 0);
            r.Node("mystery@0").Reg(0, 0);
        });
        var fs = Run("DTM029", t, K612);
        Assert.Equal([Severity.Info, Severity.Warning], fs.Select(f => f.Severity));
        Assert.Equal(Span(t, "/reserved-memory/mystery@0", "reg"), fs[1].Span);
        var ok = Board();
        ok.Rmem(r => r.Node("drm-logo@7df00000").Reg(0x7df00000, 0xad000));
        Assert.Empty(Run("DTM029", ok, K612));
    }

    [Fact]
    public void Dtm030NeitherRegNorSize()
    {
        var t = Board();
        t.Rmem(r => r.Node("ghost").Str("compatible", "shared-dma-pool"));
        Assert.Equal(Severity.Warning, Assert.Single(Run("DTM030", t, K612)).Severity);
        var ok = Board();
        ok.Rmem(r => r.Node("ghost").Str("compatible", "shared-dma-pool").Size(MiB));
        Assert.Empty(Run("DTM030", ok, K612));
    }

    [Fact]
    public void Dtm031CmaDefaultOnNoMap()
    {
        var t = Board();
        t.Rmem(r => r.Node("cma").Str("compatible", "shared-dma-pool").Reg(0x30000000, 8 * MiB).Flag("no-map").Flag("linux,cma-default"));
        var f = Assert.Single(Run("DTM031", t, K612));
        Assert.Contains("it lacks reusable", f.Message);
        Assert.Equal(Span(t, "/reserved-memory/cma", "linux,cma-default"), f.Span);
        var ok = Board();
        ok.Rmem(r => r.Cma("linux,cma", 0x30000000, 8 * MiB));
        Assert.Empty(Run("DTM031", ok, K612));
    }
}

/// <summary>Small value helpers for malformed properties.</summary>
internal static class Raw
{
    public static byte[] Cells(params uint[] cells) => DeviceTree.Model.DtValue.FromCells(cells);
}
