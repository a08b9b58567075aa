using Dtmem.Layout.Ranges;

namespace Dtmem.Layout.Model;

/// <summary>
/// memblock as early arm64 boot uses it: memory (with the NOMAP flag) and reserved, merged like memblock merges
/// neighbours, and the top-down / bottom-up free-range search of memblock_find_in_range_node.
/// </summary>
internal sealed class Memblock
{
    public RangeSet Memory { get; } = new();
    public RangeSet NoMap { get; } = new();
    public RangeSet Reserved { get; } = new();

    public void Add(AddressRange r) => Memory.Add(r);

    public void Remove(AddressRange r)
    {
        Memory.Remove(r);
        NoMap.Remove(r);
    }

    public void Reserve(AddressRange r) => Reserved.Add(r);

    public void Free(AddressRange r) => Reserved.Remove(r);

    /// <summary>memblock_mark_nomap flags only the parts that are memory.</summary>
    public void MarkNoMap(AddressRange r)
    {
        foreach (var x in Memory.Intersect(r)) NoMap.Add(x);
    }

    public void ClearNoMap(AddressRange r) => NoMap.Remove(r);

    /// <summary>Free ranges = memory - reserved - NOMAP, in address order (for_each_free_mem_range).</summary>
    public List<AddressRange> FreeRanges()
    {
        var list = new List<AddressRange>();
        foreach (var m in Memory.Ranges)
            foreach (var notReserved in Reserved.Complement(m))
                list.AddRange(NoMap.Complement(notReserved));
        return list;
    }

    /// <summary>
    /// memblock_find_in_range_node: the highest (top-down) or lowest (bottom-up) <paramref name="align"/>-aligned
    /// base of a free block of <paramref name="size"/> inside [start, end). Start is clamped to at least one page.
    /// </summary>
    public ulong? Find(ulong size, ulong align, ulong start, ulong end, bool bottomUp, ulong pageSize)
    {
        start = Math.Max(start, pageSize);
        end = Math.Max(start, end);
        var free = FreeRanges();
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
}
