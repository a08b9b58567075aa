using Dtmem.Kernel;
using Dtmem.Kernel.Versions;

namespace Dtmem.Layout.Tests.Kernel;

public class KernelVersionTests
{
    [Theory]
    [InlineData("5.4.74", 5, 4, 74, "")]
    [InlineData("6.12.13", 6, 12, 13, "")]
    [InlineData("6.12.117+deb12-arm64", 6, 12, 117, "+deb12-arm64")]
    [InlineData("5.10.110-rockchip-g1a2b", 5, 10, 110, "-rockchip-g1a2b")]
    [InlineData("6.1.0-50-arm64", 6, 1, null, "-50-arm64")] // Debian ABI name: the .0 is not the upstream sub-level
    [InlineData("6.12", 6, 12, null, "")]
    public void Parses(string text, int major, int minor, int? sub, string extra) =>
        Assert.Equal(new KernelVersion(major, minor, sub, extra), KernelVersion.Parse(text));

    [Fact]
    public void RejectsNonVersions()
    {
        var e = Assert.Throws<KernelInputException>(() => KernelVersion.Parse("linux-six", "--kernel-version"));
        Assert.StartsWith("--kernel-version: 'linux-six' is not a kernel version", e.Message);
    }

    [Fact]
    public void BannerFillsTheDebianSublevel()
    {
        var banner = KernelData.LogLine(KernelData.Deb61, "none", "^Linux version ");
        var v = KernelVersion.FromBanner(Fact<string>.Known(banner, "log"));
        Assert.Equal(new KernelVersion(6, 1, 176, "-50-arm64"), v.Value);
        Assert.Equal("6.1.176-50-arm64", v.Value.ToString());
        var v612 = KernelVersion.FromBanner(Fact<string>.Known(KernelData.LogLine(KernelData.Deb612, "none", "^Linux version "), "log"));
        Assert.Equal(new KernelVersion(6, 12, 117, "+deb12-arm64"), v612.Value);
    }

    [Theory]
    [InlineData("5.4.74", VersionFamily.A)]
    [InlineData("5.5", VersionFamily.B)]
    [InlineData("5.10.110", VersionFamily.B)]
    [InlineData("5.11.22", VersionFamily.B)]
    [InlineData("5.12", VersionFamily.C)]
    [InlineData("5.15.100", VersionFamily.C)]
    [InlineData("6.1.0-50-arm64", VersionFamily.C)]
    [InlineData("6.3.13", VersionFamily.C)]
    [InlineData("6.4", VersionFamily.D)]
    [InlineData("6.6.50", VersionFamily.D)]
    [InlineData("6.12.12", VersionFamily.D)]
    [InlineData("6.12.13", VersionFamily.E)]
    [InlineData("6.12.117+deb12-arm64", VersionFamily.E)]
    [InlineData("6.13", VersionFamily.E)]
    [InlineData("6.18.2", VersionFamily.E)]
    public void FamilyPerSpecTable(string version, VersionFamily family)
    {
        var f = VersionFamilies.Of(Fact<KernelVersion>.Known(KernelVersion.Parse(version), "test"));
        Assert.Equal(family, f.Value);
        Assert.False(f.IsAssumed);
    }

    [Fact]
    public void SixTwelveWithoutSublevelIsAnAssumedE()
    {
        var f = VersionFamilies.Of(Fact<KernelVersion>.Known(KernelVersion.Parse("6.12"), "test"));
        Assert.Equal(VersionFamily.E, f.Value);
        Assert.True(f.IsAssumed);
        Assert.Contains("6.12.0-6.12.12", f.Origin);
    }

    [Fact]
    public void OlderThanModelledIsAssumedA()
    {
        var f = VersionFamilies.Of(Fact<KernelVersion>.Known(KernelVersion.Parse("4.19.232"), "test"));
        Assert.Equal(VersionFamily.A, f.Value);
        Assert.True(f.IsAssumed);
    }

    [Fact]
    public void Ordering()
    {
        Assert.True(KernelVersion.Parse("6.12.13") > KernelVersion.Parse("6.12.12"));
        Assert.True(KernelVersion.Parse("5.4.74") < KernelVersion.Parse("5.10"));
        Assert.True(KernelVersion.Parse("6.1.0-50-arm64").AtLeast(6, 1));
        Assert.False(KernelVersion.Parse("6.1.0-50-arm64").AtLeast(6, 1, 1));
    }
}
