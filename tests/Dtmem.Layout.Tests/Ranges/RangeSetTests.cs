using CsCheck;
using Dtmem.Layout.Ranges;

namespace Dtmem.Layout.Tests.Ranges;

public class RangeSetTests
{
    private const int Domain = 96;

    private static readonly Gen<(bool Add, int Start, int End)> Op =
        Gen.Select(Gen.Bool, Gen.Int[0, Domain], Gen.Int[0, Domain], (add, a, b) => (add, Math.Min(a, b), Math.Max(a, b)));

    /// <summary>The set after adds and removes, and the same operations on one bit per address.</summary>
    private static (RangeSet Set, bool[] Model) Build((bool Add, int Start, int End)[] ops)
    {
        var set = new RangeSet();
        var model = new bool[Domain];
        foreach (var (add, s, e) in ops)
        {
            var r = new AddressRange((ulong)s, (ulong)e);
            if (add) set.Add(r); else set.Remove(r);
            for (var i = s; i < e; i++) model[i] = add;
        }
        return (set, model);
    }

    /// <summary>Random add/remove sequences agree with a bit-per-address model, and the set stays sorted, disjoint and merged.</summary>
    [Fact]
    public void MatchesABitmapModel() =>
        Op.Array[0, 12].Sample(ops =>
        {
            var (set, model) = Build(ops);
            for (var i = 0; i < Domain; i++) Assert.Equal(model[i], set.Contains((ulong)i));
            for (var i = 0; i + 1 < set.Ranges.Count; i++) Assert.True(set.Ranges[i].End < set.Ranges[i + 1].Start);
            Assert.Equal((ulong)model.Count(b => b), set.TotalSize);
            // Every probe, empty ones included: the queries binary-search for their first range.
            for (var a = 0; a <= Domain; a += 3)
                for (var b = a; b <= Domain; b += 5)
                {
                    var probe = new AddressRange((ulong)a, (ulong)b);
                    var span = Enumerable.Range(a, b - a);
                    Assert.Equal(span.Any(i => model[i]), set.Overlaps(probe));
                    Assert.Equal(span.All(i => model[i]), set.ContainsAll(probe));
                    var held = set.Intersect(probe);
                    Assert.Equal(span.Count(i => model[i]), held.Sum(x => (long)x.Size));
                    Assert.All(held, x => Assert.True(set.ContainsAll(x)));
                    Assert.Equal(b - a, held.Sum(x => (long)x.Size) + set.Complement(probe).Sum(x => (long)x.Size));
                }
        });

    /// <summary>The lazy walks (used by memblock's searches and by Intersect/Complement) give the maximal runs of
    /// held and of free addresses of a bit-per-address model, in either direction.</summary>
    [Fact]
    public void GapsAndWithinAreTheRunsOfTheBitmapModel() =>
        Op.Array[0, 12].Sample(ops =>
        {
            var (set, model) = Build(ops);
            for (var a = 0; a <= Domain; a += 4)
                for (var b = a; b <= Domain; b += 7)
                {
                    var w = new AddressRange((ulong)a, (ulong)b);
                    Assert.Equal(Runs(model, a, b, held: false), set.Gaps(w));
                    Assert.Equal(Runs(model, a, b, held: false).AsEnumerable().Reverse(), set.Gaps(w, descending: true));
                    Assert.Equal(Runs(model, a, b, held: true), set.Within(w));
                    Assert.Equal(Runs(model, a, b, held: true).AsEnumerable().Reverse(), set.Within(w, descending: true));
                }
        });

    private static List<AddressRange> Runs(bool[] model, int from, int to, bool held)
    {
        var runs = new List<AddressRange>();
        for (var i = from; i < to;)
        {
            if (model[i] != held) { i++; continue; }
            var j = i;
            while (j < to && model[j] == held) j++;
            runs.Add(new AddressRange((ulong)i, (ulong)j));
            i = j;
        }
        return runs;
    }

    /// <summary>Memblock.Find walks the free ranges lazily from the searched end; it must agree with the kernel's
    /// algorithm as written (every free range listed, clamped into the window), for any request.</summary>
    [Fact]
    public void MemblockFindMatchesTheKernelsClampedSearch() =>
        Gen.Select(Op.Array[0, 8], Op.Array[0, 4], Gen.Select(Gen.Int[0, 24], Gen.Int[0, 3], Gen.Int[0, Domain], Gen.Int[0, Domain + 8], Gen.Bool))
            .Sample((memOps, resOps, q) =>
            {
                var mb = new Dtmem.Layout.Model.Memblock();
                foreach (var (_, s, e) in memOps) mb.Add(new AddressRange((ulong)s, (ulong)e));
                foreach (var (noMap, s, e) in resOps)
                    if (noMap) mb.MarkNoMap(new AddressRange((ulong)s, (ulong)e)); else mb.Reserve(new AddressRange((ulong)s, (ulong)e));
                var (size, alignLog, start, end, bottomUp) = q;
                var align = 1UL << alignLog;
                Assert.Equal(Reference(mb, (ulong)size, align, (ulong)start, (ulong)end, bottomUp, 4), mb.Find((ulong)size, align, (ulong)start, (ulong)end, bottomUp, 4));
            });

    private static ulong? Reference(Dtmem.Layout.Model.Memblock mb, ulong size, ulong align, ulong start, ulong end, bool bottomUp, ulong page)
    {
        start = Math.Max(start, page);
        end = Math.Max(start, end);
        var free = mb.FreeRanges();
        if (bottomUp)
        {
            foreach (var f in free)
            {
                var s = Math.Clamp(f.Start, start, end);
                var e = Math.Clamp(f.End, start, end);
                var cand = AddressRange.AlignUp(s, align, out var overflow);
                if (!overflow && cand < e && e - cand >= size) return cand;
            }
            return null;
        }
        for (var i = free.Count - 1; i >= 0; i--)
        {
            var s = Math.Clamp(free[i].Start, start, end);
            var e = Math.Clamp(free[i].End, start, end);
            if (e < size) continue;
            var cand = AddressRange.AlignDown(e - size, align);
            if (cand >= s) return cand;
        }
        return null;
    }

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
