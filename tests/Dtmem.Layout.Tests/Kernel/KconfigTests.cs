using System.IO.Compression;
using Dtmem.Kernel;
using Dtmem.Kernel.Config;
using Dtmem.Kernel.Versions;

namespace Dtmem.Layout.Tests.Kernel;

public class KconfigTests
{
    private static Fact<KernelVersion> V(string v) => Fact<KernelVersion>.Known(KernelVersion.Parse(v), "test");

    private static MemoryKconfig Debian(string release, string version) =>
        MemoryKconfig.Resolve(V(version), KconfigFile.Read(KernelData.File($"config-{release}.excerpt")));

    [Fact]
    public void Debian61()
    {
        var c = Debian(KernelData.Deb61, "6.1.176");
        Assert.Equal(4096, c.PageSize.Value);
        Assert.Equal(48, c.VaBits.Value);
        Assert.Equal(10, c.MaxPageOrder.Value); // ARCH_FORCE_MAX_ORDER=11, exclusive before 6.4
        Assert.Equal(9, c.PageblockOrder.Value);
        Assert.Equal(2UL << 20, c.CmaMinAlignment.Value); // spec §3.2: Debian 6.1 -> 2 MiB
        Assert.Equal(64, c.CmaSizeMBytes.Value);
        Assert.Equal(CmaSizeSelection.MBytes, c.CmaSizeSel.Value);
        Assert.Equal(19, c.CmaAreas.Value);
        Assert.Equal(20, c.CmaAreaCapacity.Value); // 1 + CONFIG_CMA_AREAS before 6.9
        Assert.True(c.ZoneDma.Value && c.ZoneDma32.Value && c.Cma.Value && c.DmaCma.Value && c.Numa.Value);
        Assert.True(c.RandomizeBase.Value && c.Relocatable.Value && c.HugetlbPage.Value && c.TransparentHugepage.Value);
        Assert.Contains("config CONFIG_CMA_SIZE_MBYTES=64", c.CmaSizeMBytes.Origin);
        Assert.Contains("line ", c.CmaSizeMBytes.Origin);
        Assert.Equal(["CMA_SIZE_PERCENTAGE", "DMA_RESTRICTED_POOL"], c.Assumed);
    }

    [Fact]
    public void Debian612()
    {
        var c = Debian(KernelData.Deb612, "6.12.117");
        Assert.Equal(52, c.VaBits.Value);
        Assert.Equal(10, c.MaxPageOrder.Value); // ARCH_FORCE_MAX_ORDER=10, inclusive from 6.4
        Assert.Equal(2UL << 20, c.CmaMinAlignment.Value);
        Assert.Equal(20, c.CmaAreas.Value);
        Assert.Equal(20, c.CmaAreaCapacity.Value); // MAX_CMA_AREAS = CONFIG_CMA_AREAS from 6.9
        Assert.Equal(["CMA_SIZE_PERCENTAGE", "DMA_RESTRICTED_POOL"], c.Assumed);
    }

    [Fact]
    public void RealBootsAgree()
    {
        // Default CMA: CONFIG_CMA_SIZE_MBYTES=64 -> "cma: Reserved 64 MiB at ..." on both kernels.
        Assert.Contains("cma: Reserved 64 MiB at 0x000000005b600000", KernelData.LogLine(KernelData.Deb61, "none", "^cma: Reserved"));
        // A reusable region at 0x50100000 (1 MiB-aligned, not 2 MiB-aligned) is refused by both kernels.
        foreach (var (release, version) in new[] { (KernelData.Deb61, "6.1.176"), (KernelData.Deb612, "6.12.117") })
        {
            var align = Debian(release, version).CmaMinAlignment.Value;
            Assert.NotEqual(0UL, 0x50100000UL % align);
            Assert.Equal(0UL, 0x50000000UL % align);
            Assert.Equal("Reserved memory: incorrect alignment of CMA region", KernelData.LogLine(release, "misaligned-cma", "incorrect alignment"));
        }
    }

    [Fact]
    public void Linux54DefaultsAreAssumedAndFollowTheSpecTable()
    {
        var c = MemoryKconfig.Resolve(V("5.4.74"), null);
        Assert.Equal(4096, c.PageSize.Value);
        Assert.True(c.PageSize.IsAssumed);
        Assert.Equal(4UL << 20, c.CmaMinAlignment.Value); // 5.4 4K: max(order 10, pageblock 9) -> 4 MiB
        Assert.False(c.ZoneDma.Value); // 5.4 arm64: ZONE_DMA32 only
        Assert.Equal(7, c.CmaAreas.Value);
        Assert.Equal(8, c.CmaAreaCapacity.Value);
        Assert.Contains("page size", c.Assumed);
        Assert.Contains("CMA_AREAS", c.Assumed);
        Assert.Contains("default for Linux 5.4.74 (family A)", c.CmaSizeMBytes.Origin);
    }

    [Theory]
    [InlineData("5.4.74", "CONFIG_ARM64_16K_PAGES=y", 32UL << 20)]
    [InlineData("5.4.74", "CONFIG_ARM64_64K_PAGES=y", 512UL << 20)]
    [InlineData("6.6.50", "CONFIG_ARM64_16K_PAGES=y", 32UL << 20)]
    [InlineData("6.6.50", "CONFIG_ARM64_64K_PAGES=y", 512UL << 20)]
    [InlineData("5.10.110", "CONFIG_ARM64_4K_PAGES=y", 4UL << 20)]
    [InlineData("5.19", "CONFIG_ARM64_4K_PAGES=y", 2UL << 20)]
    public void CmaAlignmentTable(string version, string pageLine, ulong expected)
    {
        var cfg = KconfigFile.Parse($"{pageLine}\nCONFIG_HUGETLB_PAGE=y\nCONFIG_TRANSPARENT_HUGEPAGE=y\n", "cfg");
        Assert.Equal(expected, MemoryKconfig.Resolve(V(version), cfg).CmaMinAlignment.Value);
    }

    /// <summary>Without HUGETLB_PAGE, pageblock_order follows THP's PMD order only from 6.8; before, it is the max order.</summary>
    [Theory]
    [InlineData("6.6.50", 10, 4UL << 20)]
    [InlineData("6.8", 9, 2UL << 20)]
    public void PageblockWithThpOnly(string version, int pageblock, ulong align)
    {
        var cfg = KconfigFile.Parse("CONFIG_ARM64_4K_PAGES=y\n# CONFIG_HUGETLB_PAGE is not set\nCONFIG_TRANSPARENT_HUGEPAGE=y\n", "cfg");
        var c = MemoryKconfig.Resolve(V(version), cfg);
        Assert.Equal((pageblock, align), (c.PageblockOrder.Value, c.CmaMinAlignment.Value));
    }

    [Fact]
    public void ParseErrorsNameTheLine()
    {
        var e = Assert.Throws<KernelInputException>(() => KconfigFile.Parse("CONFIG_CMA=y\nthis is not config\n", ".config"));
        Assert.Equal("line 2", e.Location);
        var cfg = KconfigFile.Parse("# comment\nCONFIG_CMA=maybe\nCONFIG_CMA_AREAS=lots\n", ".config");
        Assert.Equal("line 2", Assert.Throws<KernelInputException>(() => cfg.Bool("CMA")).Location);
        Assert.Equal("line 3", Assert.Throws<KernelInputException>(() => cfg.Number("CMA_AREAS")).Location);
        Assert.Throws<KernelInputException>(() => KconfigFile.Parse("# only comments\n", "empty"));
    }

    [Fact]
    public void ValuesAndNotSet()
    {
        var cfg = KconfigFile.Parse("# CONFIG_CMA is not set\nCONFIG_CMDLINE=\"console=ttyS2 cma=64M\"\nCONFIG_X=0x40\n", "c");
        Assert.False(cfg.Bool("CMA")!.Value);
        Assert.Equal("config # CONFIG_CMA is not set (c line 1)", cfg.Bool("CONFIG_CMA")!.Origin);
        Assert.Equal("console=ttyS2 cma=64M", cfg.Get("CMDLINE")!.Value);
        Assert.Equal(0x40, cfg.Number("X")!.Value);
        Assert.Null(cfg.Bool("ZONE_DMA"));
    }

    [Fact]
    public void ReadsProcConfigGz()
    {
        var path = Path.Combine(Path.GetTempPath(), $"dtmem-config-{Guid.NewGuid():N}.gz");
        try
        {
            using (var gz = new GZipStream(File.Create(path), CompressionLevel.Optimal))
                gz.Write(File.ReadAllBytes(KernelData.File($"config-{KernelData.Deb61}.excerpt")));
            Assert.Equal(64, KconfigFile.Read(path).Number("CMA_SIZE_MBYTES")!.Value);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
