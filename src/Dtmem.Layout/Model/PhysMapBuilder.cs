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
        // Every owner edge is a cut, so an owner covers a piece whole or not at all. A sweep over the owners sorted by
        // start and by end keeps the active ones (in their original order, which the pieces keep) without testing
        // every owner against every piece.
        var byStart = Enumerable.Range(0, owners.Count).Where(k => !owners[k].Range.IsEmpty).OrderBy(k => owners[k].Range.Start).ToArray();
        var byEnd = byStart.OrderBy(k => owners[k].Range.End).ToArray();
        var active = new SortedSet<int>();
        int nextStart = 0, nextEnd = 0;
        for (var i = 0; i + 1 < points.Length; i++)
        {
            var r = new AddressRange(points[i], points[i + 1]);
            var a = r.Start;
            while (nextEnd < byEnd.Length && owners[byEnd[nextEnd]].Range.End <= a) active.Remove(byEnd[nextEnd++]);
            while (nextStart < byStart.Length && owners[byStart[nextStart]].Range.Start <= a)
            {
                var k = byStart[nextStart++];
                if (owners[k].Range.End > a) active.Add(k);
            }
            var inMem = mb.Memory.Contains(a);
            var who = active.Select(k => owners[k]).ToList();
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
