using Dtmem.Kernel;
using Dtmem.Kernel.Cmdline;

namespace Dtmem.Layout.Tests.Kernel;

public class CommandLineTests
{
    [Theory]
    [InlineData("64M", 64UL << 20, 3)]
    [InlineData("64m", 64UL << 20, 3)]
    [InlineData("0x10000000", 0x10000000UL, 10)]
    [InlineData("1G", 1UL << 30, 2)]
    [InlineData("4k", 4096UL, 2)]
    [InlineData("2T", 2UL << 40, 2)]
    [InlineData("1P", 1UL << 50, 2)]
    [InlineData("2E", 2UL << 60, 2)]
    [InlineData("010", 8UL, 3)]          // simple_strtoull base 0: leading 0 is octal
    [InlineData("0x", 0UL, 1)]           // "0x" without a hex digit: octal 0, stops at 'x'
    [InlineData("0x1fM@", 0x1fUL << 20, 5)]
    [InlineData("12345", 12345UL, 5)]
    public void MemParseAsTheKernel(string text, ulong value, int consumed)
    {
        Assert.Equal(value, MemParse.Parse(text, out var n, "t", 1));
        Assert.Equal(consumed, n);
    }

    [Theory]
    [InlineData("16E")]
    [InlineData("99999999999999999999")]
    [InlineData("abc")]
    public void MemParseRejectsWhatTheKernelWouldMisread(string text) =>
        Assert.Throws<KernelInputException>(() => MemParse.Parse(text, out _, "t", 1));

    [Fact]
    public void CmaFixedAsInTheRealBoot()
    {
        // cmdline-cma case: cma=32M@0x54000000 -> "cma: Reserved 32 MiB at 0x0000000054000000" on the real 6.1 boot.
        var c = KernelCommandLine.Parse("console=ttyAMA0 nokaslr cma=32M@0x54000000").Cma!;
        var n = KernelData.LogNumbers(KernelData.Deb61, "cmdline-cma", @"^cma: Reserved 32 MiB at 0x([0-9a-f]+)");
        Assert.Equal(32UL << 20, c.Size.Value);
        Assert.Equal(n[0], c.Base!.Value);
        Assert.Equal(0x56000000UL, c.Limit!.Value);
        Assert.True(c.IsFixed);
        Assert.Equal("command line column 25 (cma=32M@0x54000000)", c.Size.Origin);
    }

    [Fact]
    public void CmaForms()
    {
        var ranged = KernelCommandLine.Parse("cma=64M@0x40000000-0x80000000").Cma!;
        Assert.Equal((0x40000000UL, 0x80000000UL), (ranged.Base!.Value, ranged.Limit!.Value));
        Assert.False(ranged.IsFixed);
        var zero = KernelCommandLine.Parse("cma=0").Cma!;
        Assert.Equal(0UL, zero.Size.Value);
        Assert.Null(zero.Base);
        var colon = KernelCommandLine.Parse("cma=64M@0x40000000:0x80000000");
        Assert.True(colon.Cma!.IsFixed); // the kernel stops at ':' and makes limit = base + size
        Assert.Contains("the kernel ignores ':0x80000000' after the base", Assert.Single(colon.Warnings));
        Assert.Equal(16UL << 20, KernelCommandLine.Parse("cma=64M cma=16M").Cma!.Size.Value); // last one wins
    }

    [Fact]
    public void MemAndRounding()
    {
        var c = KernelCommandLine.Parse("mem=256M");
        Assert.Equal(0x10000000UL, c.Mem!.Value);
        Assert.Equal(0xF4000UL, KernelCommandLine.Parse("mem=1000000").MemLimit(4096)); // & PAGE_MASK
        Assert.Equal(0xF0000UL, KernelCommandLine.Parse("mem=1000000").MemLimit(65536));
        var e = Assert.Throws<KernelInputException>(() => KernelCommandLine.Parse("quiet mem=abc"));
        Assert.Equal("column 11", e.Location);
        Assert.Equal("column 15", Assert.Throws<KernelInputException>(() => KernelCommandLine.Parse("quiet mem=256Mx")).Location);
    }

    [Fact]
    public void OtherParameters()
    {
        var c = KernelCommandLine.Parse("root=/dev/mmcblk0p2 nokaslr memmap=64M$0x50000000 initrd=0x48000000,8M numa_cma=0:64M,1:32M cma_pernuma=16M");
        Assert.True(c.NoKaslr);
        Assert.Equal("64M$0x50000000", Assert.Single(c.Memmap));
        Assert.Contains("no memmap= handler", Assert.Single(c.Warnings));
        Assert.Equal((0x48000000UL, 8UL << 20), (c.Initrd!.Start!.Value, c.Initrd.Size!.Value));
        Assert.Equal(64UL << 20, c.NumaCma[0].Value);
        Assert.Equal(32UL << 20, c.NumaCma[1].Value);
        Assert.Equal(16UL << 20, c.CmaPernuma!.Value);
        Assert.Equal(@"\EFI\initrd.img", KernelCommandLine.Parse(@"initrd=\EFI\initrd.img").Initrd!.EfiPath);
        Assert.Equal(0x1000UL, KernelCommandLine.Parse("initrdmem=0x80000000,4K").Initrd!.Size!.Value);
        Assert.Throws<KernelInputException>(() => KernelCommandLine.Parse("initrd=0x48000000"));
        Assert.Throws<KernelInputException>(() => KernelCommandLine.Parse("numa_cma=64M"));
        Assert.Equal(16UL << 20, KernelCommandLine.Parse("pernuma_cma=16M").CmaPernuma!.Value);
    }

    [Fact]
    public void SplitsLikeNextArg()
    {
        var c = KernelCommandLine.Parse("dyndbg=\"file x.c +p\" cma=16M -- cma=1G init-arg");
        Assert.Equal(16UL << 20, c.Cma!.Size.Value);
        Assert.Equal(["dyndbg", "cma"], c.Params.Select(p => p.Name));
        Assert.Equal("file x.c +p", c.Params[0].Value);
        Assert.Null(KernelCommandLine.Parse("nokaslr").Params[0].Value);
        Assert.False(KernelCommandLine.Parse("quiet").NoKaslr);
    }
}
