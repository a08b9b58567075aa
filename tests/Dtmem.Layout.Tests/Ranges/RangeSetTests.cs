using CsCheck;
using Dtmem.Layout.Ranges;

namespace Dtmem.Layout.Tests.Ranges;

public class RangeSetTests
{
    private const int Domain = 96;

    private static readonly Gen<(bool Add, int Start, int End)> Op =
        Gen.Select(Gen.Bool, Gen.Int[0, Domain], Gen.Int[0, Domain], (add, a, b) => (add, Math.Min(a, b), Math.Max(a, b)));

    /// <summary>Random add/remove sequences agree with a bit-per-address model, and the set stays sorted, disjoint and merged.</summary>
    [Fact]
    public void MatchesABitmapModel() =>
        Op.Array[0, 12].Sample(ops =>
        {
            var set = new RangeSet();
            var model = new bool[Domain];
            foreach (var (add, s, e) in ops)
            {
                var r = new AddressRange((ulong)s, (ulong)e);
                if (add) set.Add(r); else set.Remove(r);
                for (var i = s; i < e; i++) model[i] = add;
            }
            for (var i = 0; i < Domain; i++) Assert.Equal(model[i], set.Contains((ulong)i));
            for (var i = 0; i + 1 < set.Ranges.Count; i++) Assert.True(set.Ranges[i].End < set.Ranges[i + 1].Start);
            Assert.Equal((ulong)model.Count(b => b), set.TotalSize);
            var probe = new AddressRange(10, 50);
            Assert.Equal(Enumerable.Range(10, 40).Any(i => model[i]), set.Overlaps(probe));
            Assert.Equal(Enumerable.Range(10, 40).All(i => model[i]), set.ContainsAll(probe));
            var held = set.Intersect(probe).Sum(x => (long)x.Size);
            var free = set.Complement(probe).Sum(x => (long)x.Size);
            Assert.Equal(40, held + free);
        });

    [Fact]
    public void TouchingRangesMerge()
    {
        var s = new RangeSet();
        s.Add(new AddressRange(0x10080000, 0x11880000));
        s.Add(new AddressRange(0x10000000, 0x10800000));
        Assert.Equal([new AddressRange(0x10000000, 0x11880000)], s.Ranges);
        s.Remove(new AddressRange(0x10000000, 0x10800000));
        Assert.Equal([new AddressRange(0x10800000, 0x11880000)], s.Ranges);
    }
}
