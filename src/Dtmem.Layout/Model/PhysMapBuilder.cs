using Dtmem.Layout.Ranges;

namespace Dtmem.Layout.Model;

/// <summary>Turns the final memblock state, the CMA hand-over and the owners into the sorted piece map.</summary>
internal static class PhysMapBuilder
{
    public static PhysMap Build(Memblock mb, RangeSet removedByNoMap, RangeSet cmaBuddy, RangeSet cmaOrdinary,
        IReadOnlyList<RegionOwner> owners, bool memoryKnown)
    {
        var cuts = new SortedSet<ulong>();
        void Cut(IEnumerable<AddressRange> rs)
        {
            foreach (var r in rs) { cuts.Add(r.Start); cuts.Add(r.End); }
        }
        Cut(mb.Memory.Ranges);
        Cut(mb.NoMap.Ranges);
        Cut(mb.Reserved.Ranges);
        Cut(removedByNoMap.Ranges);
        Cut(cmaBuddy.Ranges);
        Cut(cmaOrdinary.Ranges);
        Cut(owners.Select(o => o.Range));

        var pieces = new List<PhysPiece>();
        var points = cuts.ToArray();
        for (var i = 0; i + 1 < points.Length; i++)
        {
            var r = new AddressRange(points[i], points[i + 1]);
            var a = r.Start;
            var inMem = mb.Memory.Contains(a);
            var who = owners.Where(o => o.Range.Overlaps(r)).ToList();
            if (!inMem && who.Count == 0 && !removedByNoMap.Contains(a)) continue;
            PageState state;
            if (memoryKnown && !inMem) state = removedByNoMap.Contains(a) ? PageState.NoMap : PageState.NotRam;
            else if (cmaBuddy.Contains(a)) state = PageState.CmaInBuddy;
            else if (mb.NoMap.Contains(a)) state = PageState.NoMap;
            else if (mb.Reserved.Contains(a) && !cmaOrdinary.Contains(a)) state = PageState.Reserved;
            else state = PageState.Free;

            if (pieces.Count > 0 && pieces[^1] is var last && last.Range.End == r.Start && last.State == state && last.Owners.SequenceEqual(who))
                pieces[^1] = last with { Range = new AddressRange(last.Range.Start, r.End) };
            else
                pieces.Add(new PhysPiece(r, state, who));
        }
        return new PhysMap(pieces);
    }
}
