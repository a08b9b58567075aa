using Dtmem.Diagnosis.Boot;

namespace Dtmem.Diagnosis.Tests.Boot;

public class IomemParserTests
{
    [Fact]
    public void NestingByTwoSpacesPerLevel()
    {
        // Shape per kernel-memory-spec §6 (seed 5.4 signature: reserved right below Kernel code).
        const string text = """
            00200000-083fffff : System RAM
            09400000-7effffff : System RAM
              10000000-1007ffff : reserved
              10080000-112affff : Kernel code
              112b0000-1171ffff : reserved
              11720000-119bdfff : Kernel data
            fe000000-fe00ffff : fe000000.serial
              fe000000-fe00001f : serial
            """;
        var ev = IomemParser.Parse(text, "iomem");
        var r = ev.Ranges;
        Assert.Equal(8, r.Count);
        Assert.Equal([0, 0, 1, 1, 1, 1, 0, 1], r.Select(x => x.Depth));
        Assert.Equal([-1, -1, 1, 1, 1, 1, -1, 6], r.Select(x => x.Parent));
        Assert.Equal(("Kernel code", 0x10080000ul, 0x112affffUL), (r[3].Name, r[3].Range.Start, r[3].Range.EndInclusive));
        Assert.Equal(4, r[3].Source.Line);
        Assert.Empty(ev.Notes);
    }

    [Fact]
    public void BadLinesAndInconsistenciesAreLocated()
    {
        const string text = "00000000-0000ffff : a\n      00001000-00001fff : too deep\nnot iomem\n00000000-0000ffff : b\n  00020000-00020fff : outside";
        var ev = IomemParser.Parse(text, "iomem");
        Assert.Contains(ev.Notes, n => n.Code == "iomem-indent" && n.Source!.Line == 2);
        Assert.Contains(ev.Notes, n => n.Code == "iomem-unparsed" && n.Source!.Line == 3);
        Assert.Contains(ev.Notes, n => n.Code == "iomem-outside-parent" && n.Source!.Line == 5);
    }

    [Fact]
    public void NonRootDumpIsFlagged()
    {
        var ev = IomemParser.Parse("00000000-00000000 : System RAM\n  00000000-00000000 : Kernel code\n", "iomem");
        Assert.Contains(ev.Notes, n => n.Code == "iomem-zeroed");
    }

    [Theory]
    [InlineData("   0: 0x0000000000200000..0x00000000083fffff", 0x200000ul, 0x83ffffful, null)]
    [InlineData("   3: 0x0000000040000000..0x00000000bfffffff    0 NONE", 0x40000000ul, 0xbffffffful, "0 NONE")]
    [InlineData("  12: 0x0000000010000000..0x00000000107fffff    x NOMAP", 0x10000000ul, 0x107ffffful, "x NOMAP")]
    public void DebugfsMemblockLinesOfBothGenerations(string line, ulong start, ulong end, string? detail)
    {
        var ev = MemblockDebugfsParser.Parse(line, "reserved", reserved: true);
        var r = Assert.Single(ev.Ranges);
        Assert.Equal((BootRangeKind.DebugfsReserved, start, end, detail), (r.Kind, r.Range.Start, r.Range.EndInclusive, r.Detail));
    }

    [Fact]
    public void DebugfsBadLineIsLocated()
    {
        var ev = MemblockDebugfsParser.Parse("   0: 0x0..0x1\ngarbage\n", "memory", reserved: false);
        Assert.Single(ev.Ranges);
        Assert.Equal(2, Assert.Single(ev.Notes).Source!.Line);
    }
}

public class PrintedRangeTests
{
    [Fact]
    public void InclusivePrintConvertsToHalfOpenLayoutRange()
    {
        var r = new PrintedRange(0x10000000, 0x107fffff).ToAddressRange();
        Assert.Equal((0x10000000ul, 0x10800000ul), (r.Start, r.End));
        Assert.True(new PrintedRange(0x800000000000, 0x7ffffffffffe).ToAddressRange().IsEmpty);
        Assert.Equal(ulong.MaxValue, new PrintedRange(0xffff000000000000, ulong.MaxValue).ToAddressRange().End);
        Assert.Equal(0ul, PrintedRange.FromBaseSize(0x1000, 0).Size);
        Assert.True(PrintedRange.FromBaseSize(0, 0).Empty);
    }
}
