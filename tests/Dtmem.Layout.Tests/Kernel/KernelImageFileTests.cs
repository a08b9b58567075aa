using Dtmem.Kernel;
using Dtmem.Kernel.Image;

namespace Dtmem.Layout.Tests.Kernel;

public class KernelImageFileTests
{
    /// <summary>The banner the real kernel printed at boot (fidelity log), which the Image's printed copy must equal.</summary>
    private static string BootBanner(string release) => KernelData.LogLine(release, "none", "^Linux version ");

    [Fact]
    public void RawImageGivesHeaderAndThePrintedBanner()
    {
        var f = KernelImageFile.Read(KernelData.File("mini-6.1.Image"));
        Assert.Equal(ImageContainer.Raw, f.Container);
        Assert.Equal(0x02010000UL, f.Header.ImageSize.Value);
        // The Image holds a weak "# SMP" copy first; the kernel prints the "#1 SMP" one.
        Assert.Equal(BootBanner(KernelData.Deb61), f.Banner!.Value);
        Assert.Contains("#1 SMP Debian 6.1.176-1", f.Banner.Value);
    }

    [Fact]
    public void GzipImageIsDecompressed()
    {
        var raw = KernelImageFile.Read(KernelData.File("mini-6.1.Image"));
        var gz = KernelImageFile.Read(KernelData.File("mini-6.1.Image.gz"));
        Assert.Equal(ImageContainer.Gzip, gz.Container);
        Assert.Equal(raw.Header with { TextOffset = gz.Header.TextOffset, ImageSize = gz.Header.ImageSize }, gz.Header);
        Assert.Equal(raw.Header.ImageSize.Value, gz.Header.ImageSize.Value);
        Assert.Equal(raw.Banner!.Value, gz.Banner!.Value);
        Assert.Equal(raw.ImageBytes, gz.ImageBytes);
    }

    [Fact]
    public void EfiZbootGzipPayloadIsUnpacked()
    {
        var f = KernelImageFile.Read(KernelData.File("mini-6.12.zboot.efi"));
        Assert.Equal(ImageContainer.EfiZboot, f.Container);
        Assert.Equal(0x02b30000UL, f.Header.ImageSize.Value);
        Assert.Equal(BootBanner(KernelData.Deb612), f.Banner!.Value);
    }

    [Fact]
    public void EfiZbootWithOtherCompressionSaysHowToUnpack()
    {
        var e = Assert.Throws<KernelInputException>(() => KernelImageFile.Read(KernelData.File("mini-6.12.zboot-zstd.efi")));
        Assert.Equal("byte 0x18", e.Location);
        Assert.Contains("'zstd22'", e.Message);
        Assert.Contains("tail -c +129", e.Message);
        Assert.Contains("zstd -d", e.Message);
    }

    [Fact]
    public void TruncatedGzipIsAnInputError()
    {
        var bytes = File.ReadAllBytes(KernelData.File("mini-6.1.Image.gz"));
        var e = Assert.Throws<KernelInputException>(() => KernelImageFile.Parse(bytes[..40], "cut.gz"));
        Assert.Contains("cut.gz", e.Message);
    }

    [Fact]
    public void MissingFile() =>
        Assert.Contains("file not found", Assert.Throws<KernelInputException>(() => KernelImageFile.Read("/nonexistent/Image")).Message);

    [Fact]
    public void NoBannerGivesNull() =>
        Assert.Null(KernelImageFile.Parse(File.ReadAllBytes(KernelData.File($"debian-{KernelData.Deb61}.Image.head")), "head").Banner);
}
