using Dtmem.Kernel;
using Dtmem.Kernel.Elf;
using Dtmem.Kernel.Symbols;

namespace Dtmem.Layout.Tests.Kernel;

public class SymbolsTests
{
    [Fact]
    public void KallsymsOfTheReal612Kernel()
    {
        var map = SystemMap.Read(KernelData.File($"kallsyms-{KernelData.Deb612}.txt"));
        var s = map.Symbols();
        Assert.Equal(0xffff800080000000UL, s.Text!.Value);
        Assert.Equal(0xffff800080010000UL, s.Stext!.Value);
        Assert.Equal(0xffff800081d00000UL, s.InitBegin!.Value);
        Assert.Equal(0xffff800082b30000UL, s.End!.Value);
        Assert.Equal(0x2b30000UL, s.ImageSize!.Value);
        Assert.EndsWith("line 1 (_text)", s.Text.Origin);
        Assert.Equal('B', map.Get("_end")!.Type);
    }

    [Fact]
    public void DebianPlaceholderSystemMapIsExplained()
    {
        var e = Assert.Throws<KernelInputException>(() => SystemMap.Read(KernelData.File("debian-placeholder.System.map")));
        Assert.Equal("line 1", e.Location);
        Assert.Contains("-dbg package", e.Message);
    }

    [Theory]
    [InlineData("ffff800008000000 T _text\nzzzz T _etext\n", "line 2")]
    [InlineData("ffff800008000000 T _text\n\nffff800008000000 Tx _etext\n", "line 3")]
    [InlineData("ffff800008000000 T\n", "line 1")]
    [InlineData("ffff8000080000001 T _text\n", "line 1")]
    public void BadLinesAreLocated(string text, string location) =>
        Assert.Equal(location, Assert.Throws<KernelInputException>(() => SystemMap.Parse(text, "System.map")).Location);

    [Fact]
    public void KallsymsModuleSuffixAndMissingEnd()
    {
        var map = SystemMap.Parse("ffff800008000000 T _text\nffff800001234000 t foo\t[mymod]\n", "kallsyms");
        Assert.Equal(0xffff800001234000UL, map.Get("foo")!.Address);
        Assert.Contains("no _end symbol", Assert.Throws<KernelInputException>(map.Symbols).Message);
        var hidden = SystemMap.Parse("0000000000000000 T _text\n0000000000000000 B _end\n", "kallsyms");
        Assert.Contains("kptr_restrict", Assert.Throws<KernelInputException>(hidden.Symbols).Message);
    }

    [Fact]
    public void VmlinuxSymbolsLoadAddressAndBanner()
    {
        var v = VmlinuxFile.Read(KernelData.File("vmlinux-mini"));
        Assert.Equal(0xffff800080000000UL, v.Symbols.Text!.Value);
        Assert.Equal(0xffff800080010000UL, v.Symbols.Stext!.Value);
        Assert.Equal(0xffff800080f50000UL, v.Symbols.Etext!.Value);
        Assert.Equal(0xffff800082a2c000UL, v.Symbols.BssStart!.Value);
        Assert.Equal(0x2b30000UL, v.Symbols.ImageSize!.Value);
        Assert.Equal(0xffff800080000000UL, v.LoadAddress.Value);
        Assert.Equal(0xffff800080000000UL, v.EntryPoint.Value);
        Assert.Equal(KernelData.LogLine(KernelData.Deb612, "none", "^Linux version "), v.Banner!.Value);
        // Same symbols as the running kernel's kallsyms.
        var k = SystemMap.Read(KernelData.File($"kallsyms-{KernelData.Deb612}.txt")).Symbols();
        Assert.Equal(k.InitEnd!.Value, v.Symbols.InitEnd!.Value);
        Assert.Equal(k.Edata!.Value, v.Symbols.Edata!.Value);
    }

    [Fact]
    public void VmlinuxOfAnotherMachineOrNotElf()
    {
        var e = Assert.Throws<KernelInputException>(() => VmlinuxFile.Read(KernelData.File("vmlinux-mini.x86_64")));
        Assert.Equal("byte 0x12", e.Location);
        Assert.Contains("machine is 62", e.Message);
        var notElf = Assert.Throws<KernelInputException>(() => VmlinuxFile.Read(KernelData.File("mini-6.1.Image")));
        Assert.Equal("byte 0x0", notElf.Location);
        Assert.Contains("arm64 Image", notElf.Message);
    }
}
