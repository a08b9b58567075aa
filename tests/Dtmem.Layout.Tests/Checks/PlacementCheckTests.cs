using Dtmem.Layout.Checks;
using Dtmem.Layout.Inputs;
using Dtmem.Layout.Ranges;
using Dtmem.Layout.Model;
using Dtmem.Layout.Tests.Support;
using static Dtmem.Layout.Tests.Checks.CheckHarness;

namespace Dtmem.Layout.Tests.Checks;

public class PlacementCheckTests
{
    private static readonly KernelFacts K612 = TestKernel.Facts("6.12.38", text: 0x10000000, size: 16 * MiB);

    [Fact]
    public void Dtm011StraddlingWarnsWhollyOutsideIsInfo()
    {
        var t = Board();
        t.Rmem(r =>
        {
            r.Node("edge@7ff00000").Reg(0x7ff00000, 2 * MiB).Flag("no-map");
            r.Node("sram@f0000000").Reg(0xf0000000, MiB).Flag("no-map");
        });
        var fs = Run("DTM011", t, K612);
        Assert.Equal([Severity.Warning, Severity.Info], fs.Select(f => f.Severity));
        Assert.Contains("[0x0000000080000000-0x00000000800fffff] is outside memory", fs[0].Message);
        var ok = Board();
        ok.Rmem(r => r.Node("fw@7f000000").Reg(0x7f000000, MiB).Flag("no-map"));
        Assert.Empty(Run("DTM011", ok, K612));
    }

    [Fact]
    public void Dtm017DynamicCannotFit()
    {
        var t = Board();
        t.Rmem(r => r.Node("pool").Str("compatible", "shared-dma-pool").Flag("reusable").Size(64 * MiB).AllocRanges(0x40000000, 32 * MiB));
        var f = Assert.Single(Run("DTM017", t, K612));
        Assert.Equal(Span(t, "/reserved-memory/pool", "size"), f.Span);
        Assert.Contains("64 MiB aligned to 2 MiB inside [0x0000000040000000-0x0000000041ffffff]", f.Message);
        var ok = Board();
        ok.Rmem(r => r.Node("pool").Str("compatible", "shared-dma-pool").Flag("reusable").Size(16 * MiB).AllocRanges(0x40000000, 32 * MiB));
        Assert.Empty(Run("DTM017", ok, K612));
    }

    [Fact]
    public void Dtm019ThirtyThreeRegionsOn54()
    {
        var t = Board();
        t.Rmem(r =>
        {
            for (var i = 0; i < 33; i++) r.Node($"r{i}").Reg(0x50000000 + (ulong)i * MiB, MiB);
        });
        var f = Assert.Single(Run("DTM019", t, TestKernel.Facts("5.4.74", text: 0x10080000, size: 16 * MiB)));
        Assert.Equal("/reserved-memory/r32", f.Subject);
        Assert.Empty(Run("DTM019", t, TestKernel.Facts("5.10.110", text: 0x10000000, size: 16 * MiB)));
    }

    [Fact]
    public void Dtm024MemLimitBelowRegion()
    {
        var t = Board();
        t.Rmem(r => r.Cma("linux,cma", 0x70000000, 8 * MiB));
        var f = Assert.Single(Run("DTM024", t, TestKernel.Facts("6.12.38", text: 0x10000000, size: 16 * MiB, cmdline: "mem=1G")));
        Assert.Equal(new AddressRange(0x70000000, 0x70800000), f.Range);
        Assert.Contains("mem=1G removes RAM from 0x40000000 up", f.Message);
        Assert.Empty(Run("DTM024", t, TestKernel.Facts("6.12.38", text: 0x10000000, size: 16 * MiB, cmdline: "mem=1920M")));
    }

    [Theory]
    [InlineData("6.12.38", 0x10100000UL, null)]
    [InlineData("5.4.74", 0x10000000UL, null)]
    public void Dtm026Misaligned(string version, ulong text, string? _)
    {
        var f = Assert.Single(Run("DTM026", Board(), TestKernel.Facts(version, text: text, size: 16 * MiB)));
        Assert.Equal(Severity.Warning, f.Severity);
        Assert.Empty(Run("DTM026", Board(), TestKernel.Facts(version, text: version.StartsWith('5') ? 0x10080000UL : 0x10200000UL, size: 16 * MiB)));
    }

    [Fact]
    public void Dtm027KernelOutsideRam()
    {
        var f = Assert.Single(Run("DTM027", Board(), TestKernel.Facts("6.12.38", text: 0x80000000, size: 16 * MiB)));
        Assert.Equal((Severity.Error, new AddressRange(0x80000000, 0x81000000)), (f.Severity, f.Range!.Value));
        Assert.Empty(Run("DTM027", Board(), K612));
    }

    [Fact]
    public void Dtm032BanksOverlap()
    {
        var t = new TreeBuilder(1, 1).Memory(0, 0x02000000).Memory(0x000530c0, 0x01fdd000);
        var f = Assert.Single(Run("DTM032", t, TestKernel.Facts("6.12.38", text: 0x00200000, size: 8 * MiB)));
        Assert.Equal(new AddressRange(0x000530c0, 0x020300c0).Intersect(new AddressRange(0, 0x02000000)), f.Range);
        Assert.Empty(Run("DTM032", Board(), K612));
    }

    [Fact]
    public void RegistryHasUniqueIdsAndNamesAndDocs()
    {
        var all = CheckRegistry.All;
        Assert.Equal(all.Count, all.Select(c => c.Id).Distinct().Count());
        Assert.Equal(all.Count, all.Select(c => c.Name).Distinct().Count());
        Assert.All(all, c => Assert.Matches("^DTM[0-9]{3}$", c.Id));
        Assert.All(all, c => Assert.Matches("^[a-z0-9]+(-[a-z0-9]+)*$", c.Name));
        Assert.Same(all[2], CheckRegistry.Find("cma-overlaps-kernel"));
        var docs = Path.Combine(RepoRoot(), "docs", "checks");
        Assert.All(all, c => Assert.True(File.Exists(Path.Combine(docs, c.Id + ".md")), $"missing docs/checks/{c.Id}.md"));
    }

    [Fact]
    public void OverridesChangeSeverityOrTurnChecksOff()
    {
        var result = BootSimulator.Run(Model.SeedFidelityTests.SeedTree().Input(TestKernel.Facts("5.4.74", text: 0x10080000, size: 24 * MiB)));
        var all = CheckRegistry.Run(result);
        Assert.Contains(all, f => f.Id == "DTM003" && f.Severity == Severity.Error);
        var off = CheckRegistry.Run(result, new Dictionary<string, Severity?> { ["cma-overlaps-kernel"] = null, ["DTM028"] = Severity.Warning });
        Assert.DoesNotContain(off, f => f.Id == "DTM003");
        Assert.Contains(off, f => f.Id == "DTM028" && f.Severity == Severity.Warning);
    }

    private static string RepoRoot()
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d is not null && !File.Exists(Path.Combine(d.FullName, "Dtmem.slnx"))) d = d.Parent;
        return d!.FullName;
    }
}
