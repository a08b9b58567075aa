using Dtmem.Layout.Inputs;
using Dtmem.Layout.Model;
using Dtmem.Layout.Tests.Support;

namespace Dtmem.Layout.Tests.Model;

/// <summary>cma= and mem= as early_cma/early_mem and memparse read them (kernel-memory-spec §4.2, §1.2).</summary>
public class CmdlineTests
{
    [Theory]
    [InlineData("cma=64M", 64UL << 20, 0UL, 0UL)]
    [InlineData("console=ttyS2 cma=32M@0x54000000", 32UL << 20, 0x54000000UL, 0x56000000UL)]
    [InlineData("cma=256M@0x40000000-0x80000000", 256UL << 20, 0x40000000UL, 0x80000000UL)]
    [InlineData("cma=0", 0UL, 0UL, 0UL)]
    [InlineData("cma=16M cma=8M", 8UL << 20, 0UL, 0UL)]
    public void CmaForms(string cmdline, ulong size, ulong base_, ulong limit)
    {
        var o = CmdlineOptions.Parse(cmdline);
        Assert.Equal((size, base_, limit), (o.CmaSize!.Value, o.CmaBase, o.CmaLimit));
    }

    [Fact]
    public void MemLimitIsPageAlignedAndAnnounced()
    {
        Assert.Equal(0x40000000UL, CmdlineOptions.Parse("mem=0x40000fff").MemLimit);
        Assert.Null(CmdlineOptions.Parse("console=ttyS0").MemLimit);
        Assert.Equal(0x40000000UL, CmdlineOptions.Parse("mem=0x4000ffff", 65536).MemLimit); // PAGE_MASK of 64K pages
        var t = new TreeBuilder().Memory(0, 0x80000000);
        var r = BootSimulator.Run(t.Input(TestKernel.Facts("6.12.38", text: 0x10000000, size: 16 << 20, cmdline: "mem=1G")));
        Assert.Contains("Memory limited to 1024MB", Log.Visible(r));
        Assert.Equal([new Dtmem.Layout.Ranges.AddressRange(0, 0x40000000)], r.Memory);
    }

    [Fact]
    public void ChosenBootargsAreUsedWhenNoCmdlineIsGiven()
    {
        var t = new TreeBuilder().Memory(0, 0x80000000).Chosen(c => c.Str("bootargs", "console=ttyS2 cma=32M"));
        var r = BootSimulator.Run(t.Input(TestKernel.Facts("6.12.38", text: 0x10000000, size: 16 << 20)));
        // Below a page-table page and 16 sections x 2 MiB of memmap at the top of RAM (as real 6.12 boots place it).
        Assert.Contains(r.Events, e => e.LogLine == "cma: Reserved 32 MiB at 0x000000007be00000 on node -1");
    }

    [Fact]
    public void UnreadableCmdlineValueIsSetAsideNotFatal()
    {
        var t = new TreeBuilder().Memory(0, 0x80000000).Chosen(c => c.Str("bootargs", "console=ttyS2 mem=abc"));
        var r = BootSimulator.Run(t.Input(TestKernel.Facts("6.12.38", text: 0x10000000, size: 16 << 20)));
        Assert.Null(r.Cmdline.MemLimit);
        Assert.Equal([new Dtmem.Layout.Ranges.AddressRange(0, 0x80000000)], r.Memory);
        Assert.Contains(r.Assumptions, a => a.Contains("/chosen/bootargs column 19", StringComparison.Ordinal) && a.Contains("mem= are ignored", StringComparison.Ordinal));
    }
}
