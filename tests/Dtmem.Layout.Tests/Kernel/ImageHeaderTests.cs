using Dtmem.Kernel;
using Dtmem.Kernel.Image;
using Dtmem.Kernel.Symbols;

namespace Dtmem.Layout.Tests.Kernel;

public class ImageHeaderTests
{
    private static ImageHeader Head(string release) =>
        ImageHeader.Parse(File.ReadAllBytes(KernelData.File($"debian-{release}.Image.head")), "Image");

    [Fact]
    public void Debian61HeaderFields()
    {
        // Bytes: 4d5a40fa 63a35914 | text_offset 0 | image_size 0x02010000 | flags 0xa | ... | "ARMd" | 0x40.
        var h = Head(KernelData.Deb61);
        Assert.Equal(0xfa405a4du, h.Code0);
        Assert.Equal(0x1459a363u, h.Code1);
        Assert.Equal(0UL, h.TextOffset.Value);
        Assert.False(h.TextOffset.IsAssumed);
        Assert.Equal(0x02010000UL, h.ImageSize.Value);
        Assert.Equal(0xaUL, h.Flags);
        Assert.False(h.IsBigEndian);
        Assert.Equal(ImagePageSize.Size4K, h.PageSize);
        Assert.Equal(4096, h.PageSizeBytes);
        Assert.True(h.PlacementAnywhere);
        Assert.True(h.IsEfiStub);
        Assert.Equal(0u, (uint)h.ReservedFlagBits);
        Assert.Equal(ImageHeader.MagicValue, h.Magic);
        Assert.Equal(0x40u, h.Res5);
        Assert.Equal("Image: Image header @0x10 (image_size)", h.ImageSize.Origin);
    }

    [Fact]
    public void Debian612ImageSizeEqualsKallsymsEndMinusText()
    {
        var h = Head(KernelData.Deb612);
        Assert.Equal(0x02b30000UL, h.ImageSize.Value);
        var syms = SystemMap.Read(KernelData.File($"kallsyms-{KernelData.Deb612}.txt")).Symbols();
        Assert.Equal(h.ImageSize.Value, syms.ImageSize!.Value);
    }

    [Fact]
    public void ImageSizeEqualsTheRealKernelReservation()
    {
        // 6.12 reserves [_text, _end): memblock_reserve: [0x40200000-0x42d2ffff] with _text = 0x40200000.
        var n = KernelData.LogNumbers(KernelData.Deb612, "none", @"memblock_reserve: \[0x([0-9a-f]+)-0x([0-9a-f]+)\] arm64_memblock_init\+0x194");
        Assert.Equal(Head(KernelData.Deb612).ImageSize.Value, n[1] + 1 - n[0]);
    }

    [Fact]
    public void FlagBitsDecode()
    {
        var bytes = File.ReadAllBytes(KernelData.File($"debian-{KernelData.Deb61}.Image.head"));
        bytes[0x18] = 0x07; // BE, 64K pages, placement near DRAM start
        var h = ImageHeader.Parse(bytes, "x");
        Assert.True(h.IsBigEndian);
        Assert.Equal(ImagePageSize.Size64K, h.PageSize);
        Assert.Equal(65536, h.PageSizeBytes);
        Assert.False(h.PlacementAnywhere);
        bytes[0x18] = 0x10;
        Assert.Equal(0x10UL, ImageHeader.Parse(bytes, "x").ReservedFlagBits);
        Assert.Null(ImageHeader.Parse(bytes, "x").PageSizeBytes);
    }

    [Fact]
    public void ZeroImageSizeMakesTextOffsetAnAssumption()
    {
        var bytes = File.ReadAllBytes(KernelData.File($"debian-{KernelData.Deb61}.Image.head"));
        Array.Clear(bytes, 0x10, 8);
        var h = ImageHeader.Parse(bytes, "old");
        Assert.Equal(0x80000UL, h.TextOffset.Value);
        Assert.True(h.TextOffset.IsAssumed);
    }

    [Fact]
    public void BadMagicIsLocated()
    {
        var bytes = File.ReadAllBytes(KernelData.File($"debian-{KernelData.Deb61}.Image.head"));
        bytes[0x38] = 0;
        var e = Assert.Throws<KernelInputException>(() => ImageHeader.Parse(bytes, "zImage"));
        Assert.Equal("byte 0x38", e.Location);
        Assert.StartsWith("zImage:byte 0x38: no arm64 Image magic", e.Message);
    }

    [Fact]
    public void ShortFileAndElfAreExplained()
    {
        var e = Assert.Throws<KernelInputException>(() => ImageHeader.Parse(new byte[10], "tiny"));
        Assert.Contains("shorter than the 64-byte", e.Message);
        var elf = new byte[64];
        elf[0] = 0x7f; elf[1] = (byte)'E'; elf[2] = (byte)'L'; elf[3] = (byte)'F';
        Assert.Contains("pass it as vmlinux", Assert.Throws<KernelInputException>(() => ImageHeader.Parse(elf, "vmlinux")).Message);
    }
}
