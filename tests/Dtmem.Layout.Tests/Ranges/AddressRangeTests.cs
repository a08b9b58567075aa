using CsCheck;
using Dtmem.Layout.Ranges;

namespace Dtmem.Layout.Tests.Ranges;

public class AddressRangeTests
{
    // Small coordinates make overlaps common; a few values sit at the top of the address space.
    private static readonly Gen<ulong> Coord = Gen.OneOf(Gen.ULong[0, 64], Gen.ULong[ulong.MaxValue - 64, ulong.MaxValue]);
    private static readonly Gen<AddressRange> Range =
        Gen.Select(Coord, Coord, (a, b) => new AddressRange(Math.Min(a, b), Math.Max(a, b)));

    [Fact]
    public void PrintsLikeTheKernel()
    {
        var r = AddressRange.FromStartSize(0x10000000, 0x800000);
        Assert.Equal("[0x0000000010000000-0x00000000107fffff]", r.ToKernelString());
        Assert.Equal("0x0000000010000000..0x00000000107fffff", r.ToDotDotString());
        Assert.Equal("(0x0000000010000000--0x0000000010800000)", r.ToOverlapString());
        Assert.Equal("[mem 0x0000000010000000-0x00000000107fffff]", r.ToMemString());
        Assert.Equal("10000000-107fffff", r.ToIomemString());
    }

    [Fact]
    public void FromStartSizeRejectsOverflowAndSaturatingCaps()
    {
        Assert.Throws<OverflowException>(() => AddressRange.FromStartSize(ulong.MaxValue - 1, 2));
        Assert.False(AddressRange.TryFromStartSize(0xffff_ffff_ffff_f000, 0x2000, out _));
        var capped = AddressRange.FromStartSizeSaturating(0xffff_ffff_ffff_f000, 0x2000);
        Assert.Equal(ulong.MaxValue, capped.End);
        Assert.Equal(0xfffUL, capped.Size);
        Assert.Equal(new AddressRange(0x1000, 0x2000), AddressRange.FromInclusive(0x1000, 0x1fff));
        Assert.Equal(ulong.MaxValue, AddressRange.FromInclusive(0, ulong.MaxValue).End);
        Assert.Throws<ArgumentException>(() => new AddressRange(5, 4));
    }

    [Theory]
    [InlineData(8UL << 20, "8 MiB")]
    [InlineData(1920UL << 10, "1920 KiB")]
    [InlineData(2UL << 30, "2 GiB")]
    [InlineData(100UL, "100 bytes")]
    [InlineData(0x180000UL, "1536 KiB")]
    [InlineData(0x1234567UL, "18.2 MiB")]
    public void HumanSizes(ulong bytes, string expected) => Assert.Equal(expected, SizeText.Human(bytes));

    [Fact]
    public void KernelMiBRoundsDown() => Assert.Equal(0UL, SizeText.KernelMiB(512 * 1024));

    [Fact]
    public void IntersectIsCommutativeAndInsideBoth() =>
        Gen.Select(Range, Range).Sample(t =>
        {
            var (a, b) = t;
            var x = a.Intersect(b);
            Assert.Equal(x, b.Intersect(a));
            if (!x.IsEmpty) Assert.True(a.Contains(x) && b.Contains(x));
            Assert.Equal(a.Overlaps(b), !x.IsEmpty);
        });

    [Fact]
    public void SubtractLeavesTheRestExactly() =>
        Gen.Select(Range, Range).Sample(t =>
        {
            var (a, b) = t;
            var pieces = a.Subtract(b);
            ulong total = 0;
            foreach (var p in pieces)
            {
                Assert.False(p.IsEmpty);
                Assert.True(a.Contains(p));
                Assert.False(p.Overlaps(b));
                total += p.Size;
            }
            Assert.Equal(a.Size - a.Intersect(b).Size, total);
            if (pieces.Count == 2) Assert.True(pieces[0].End <= pieces[1].Start);
        });

    [Fact]
    public void StartSizeRoundTripsThroughInclusive() =>
        Gen.Select(Coord, Gen.ULong[1, 1 << 20]).Sample(t =>
        {
            var (start, size) = t;
            if (AddressRange.TryFromStartSize(start, size, out var r))
            {
                Assert.Equal(size, r.Size);
                Assert.Equal(r, AddressRange.FromInclusive(r.Start, r.Last));
            }
            else
            {
                Assert.True(size > ulong.MaxValue - start);
                Assert.Equal(ulong.MaxValue, AddressRange.FromStartSizeSaturating(start, size).End);
            }
        });

    [Fact]
    public void AlignmentHelpers()
    {
        Assert.Equal(0x10000000UL, AddressRange.AlignDown(0x101fffff, 0x200000) & 0xfff00000);
        Assert.Equal(0x10200000UL, AddressRange.AlignUp(0x10000001, 0x200000, out var o));
        Assert.False(o);
        AddressRange.AlignUp(ulong.MaxValue, 0x1000, out o);
        Assert.True(o);
        Assert.Equal(new AddressRange(0x2000, 0x3000), new AddressRange(0x1800, 0x3800).ShrinkToAlignment(0x1000));
        Assert.True(new AddressRange(0x1800, 0x1900).ShrinkToAlignment(0x1000).IsEmpty);
    }
}
