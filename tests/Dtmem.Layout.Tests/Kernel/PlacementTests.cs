using Dtmem.Kernel;
using Dtmem.Kernel.Image;
using Dtmem.Kernel.Placement;
using Dtmem.Kernel.Symbols;
using Dtmem.Kernel.Versions;

namespace Dtmem.Layout.Tests.Kernel;

public class PlacementTests
{
    private static Fact<KernelVersion> V(string v) => Fact<KernelVersion>.Known(KernelVersion.Parse(v), "test");

    private static ImageHeader Head(string release) =>
        ImageHeader.Parse(File.ReadAllBytes(KernelData.File($"debian-{release}.Image.head")), "Image");

    [Fact]
    public void SeedLoadAddressOn54And612()
    {
        // Spec §1.1/§7: a 5.4 Image (text_offset 0x80000) loaded at 0x10000000 runs at 0x10080000; a >=5.8 Image at 0x10000000.
        var load = Fact<ulong>.Known(0x10000000, "--load-addr");
        var size = Fact<ulong>.Known(0x2000000, "--kernel-size");
        var k54 = KernelPlacement.FromLoadAddress(load, null, size, V("5.4.74"));
        Assert.Equal(0x10080000UL, k54.Start.Value);
        Assert.True(k54.Start.IsAssumed); // text_offset came from the version, not a header
        Assert.Equal(0x80000UL, k54.TextOffset!.Value);
        Assert.False(k54.IsMisaligned);
        var h = Head(KernelData.Deb612);
        var k612 = KernelPlacement.FromLoadAddress(load, h, h.ImageSize, V("6.12.117"));
        Assert.Equal(0x10000000UL, k612.Start.Value);
        Assert.Equal(0x12b30000UL, k612.End.Value);
        Assert.False(k612.Start.IsAssumed);
        // Loaded just above: rounded up to the next 2 MiB.
        Assert.Equal(0x10200000UL, KernelPlacement.FromLoadAddress(Fact<ulong>.Known(0x10080000, "x"), h, h.ImageSize, V("6.12.117")).Start.Value);
    }

    [Fact]
    public void PlacementNearDramStartUsesTheBank()
    {
        var bytes = File.ReadAllBytes(KernelData.File($"debian-{KernelData.Deb61}.Image.head"));
        bytes[0x18] = 0x2; // 4K, bit 3 clear
        var h = ImageHeader.Parse(bytes, "Image");
        var k = KernelPlacement.FromLoadAddress(Fact<ulong>.Known(0x48000000, "x"), h, h.ImageSize, V("6.1.176"), dramStart: 0x40000000);
        Assert.Equal(0x40000000UL, k.Start.Value);
    }

    [Theory]
    [InlineData(KernelData.Deb61, "6.1.176", 0x40210000UL)]   // reserves from _stext
    [InlineData(KernelData.Deb612, "6.12.117", 0x40200000UL)] // reserves from _text
    public void QemuPlacementMatchesTheRealReservation(string release, string version, ulong reservationStart)
    {
        // QEMU put _text at 0x40200000; the real log's memblock_reserve from arm64_memblock_init is the image.
        var h = Head(release);
        var k = KernelPlacement.FromText(Fact<ulong>.Known(0x40200000, "--kernel-at"), h.ImageSize, V(version));
        var n = KernelData.LogNumbers(release, "none", @"memblock_reserve: \[0x([0-9a-f]+)-0x([0-9a-f]+)\] arm64_memblock_init\+0x1[9f][0-9a-f]/");
        Assert.Equal(reservationStart, n[0]);
        Assert.Equal(n[0], k.ReservationStart!.Value);
        Assert.Equal(n[1] + 1, k.End.Value);
    }

    [Theory]
    [InlineData(KernelData.Deb61, "6.1.176", 0x42210000UL)]
    [InlineData(KernelData.Deb612, "6.12.117", 0x42d30000UL)]
    public void IomemOfTheRealBoots(string release, string version, ulong end)
    {
        var code = KernelData.LogNumbers(release, "none", @"^  ([0-9a-f]+)-([0-9a-f]+) : Kernel code");
        var data = KernelData.LogNumbers(release, "none", @"^  ([0-9a-f]+)-([0-9a-f]+) : Kernel data");
        var k = KernelPlacement.FromIomem(code[0], code[1], data[0], data[1], "/proc/iomem", V(version));
        Assert.Equal(0x40200000UL, k.Start.Value); // 6.1's "Kernel code" starts at _stext = _text + 0x10000
        Assert.Equal(end, k.End.Value);
        Assert.Equal(Head(release).ImageSize.Value, k.Size);
        Assert.Equal("Kernel code", k.Sections[0].Name);
    }

    [Fact]
    public void SectionsFromKallsymsMatchIomem()
    {
        var syms = SystemMap.Read(KernelData.File($"kallsyms-{KernelData.Deb612}.txt")).Symbols();
        var k = KernelPlacement.WithSections(KernelPlacement.FromText(Fact<ulong>.Known(0x40200000, "x"), syms.ImageSize!, V("6.12.117")), syms);
        var text = k.Sections.Single(s => s.Name == "text");
        Assert.Equal((0x40200000UL, 0x41150000UL), (text.Start, text.End));
        // __init_begin = end of "Kernel code" + 1; _sdata = start of "Kernel data" (real /proc/iomem).
        var code = KernelData.LogNumbers(KernelData.Deb612, "none", @"^  ([0-9a-f]+)-([0-9a-f]+) : Kernel code");
        var data = KernelData.LogNumbers(KernelData.Deb612, "none", @"^  ([0-9a-f]+)-([0-9a-f]+) : Kernel data");
        Assert.Equal(code[1] + 1, k.Sections.Single(s => s.Name == "init").Start);
        Assert.Equal(data[0], k.Sections.Single(s => s.Name == "data").Start);
        Assert.Equal(["text", "rodata", "init", "data", "bss"], k.Sections.Select(s => s.Name));
    }

    [Fact]
    public void MisalignmentAndBadInput()
    {
        var k = KernelPlacement.FromText(Fact<ulong>.Known(0x40280000, "x"), Fact<ulong>.Known(0x1000000, "y"), V("6.1.176"))
            with { TextOffset = Fact<ulong>.Known(0, "header") };
        Assert.True(k.IsMisaligned);
        Assert.Throws<KernelInputException>(() => KernelPlacement.FromText(Fact<ulong>.Known(ulong.MaxValue - 10, "x"), Fact<ulong>.Known(0x100, "y"), null));
        Assert.Throws<KernelInputException>(() => KernelPlacement.FromLoadAddress(Fact<ulong>.Known(0x40000, "x"), null, Fact<ulong>.Known(0x100, "y"), V("5.4.74")));
        Assert.Null(KernelPlacement.FromText(Fact<ulong>.Known(0x40200000, "x"), Fact<ulong>.Known(0x100, "y"), null).ReservationStart);
    }

    [Fact]
    public void ImageSizeSourcePriority()
    {
        var h = Head(KernelData.Deb612);
        var syms = SystemMap.Read(KernelData.File($"kallsyms-{KernelData.Deb612}.txt")).Symbols();
        Assert.Same(h.ImageSize, KernelPlacement.ImageSize(h, syms, null));
        Assert.Equal(0x2b30000UL, KernelPlacement.ImageSize(null, syms, null)!.Value);
        Assert.Equal(5UL, KernelPlacement.ImageSize(h, syms, Fact<ulong>.Known(5, "--kernel-size"))!.Value);
    }
}
