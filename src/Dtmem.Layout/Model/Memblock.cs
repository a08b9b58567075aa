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
    public List<AddressRange> FreeRanges() => [.. FreeRangesIn(new AddressRange(0, ulong.MaxValue))];

    /// <summary>The free ranges inside <paramref name="window"/>, clipped to it, lazily in either direction.</summary>
    public IEnumerable<AddressRange> FreeRangesIn(AddressRange window, bool descending = false)
    {
        foreach (var m in Memory.Within(window, descending))
            foreach (var notReserved in Reserved.Gaps(m, descending))
                foreach (var free in NoMap.Gaps(notReserved, descending))
                    yield return free;
    }

    /// <summary>
    /// memblock_find_in_range_node: the highest (top-down) or lowest (bottom-up) <paramref name="align"/>-aligned
    /// base of a free block of <paramref name="size"/> inside [start, end). Start is clamped to at least one page.
    /// The free ranges are walked lazily from the searched end, so thousands of reservations do not make every
    /// allocation list them all.
    /// </summary>
    public ulong? Find(ulong size, ulong align, ulong start, ulong end, bool bottomUp, ulong pageSize)
    {
        start = Math.Max(start, pageSize);
        end = Math.Max(start, end);
        if (size == 0) return FindEmpty(align, start, end, bottomUp);
        var window = new AddressRange(start, end);
        if (bottomUp)
        {
            foreach (var f in FreeRangesIn(window))
            {
                var cand = AddressRange.AlignUp(f.Start, align, out var overflow);
                if (!overflow && cand < f.End && f.End - cand >= size) return cand;
            }
            return null;
        }
        foreach (var f in FreeRangesIn(window, descending: true))
        {
            if (f.End < size) continue;
            var cand = AddressRange.AlignDown(f.End - size, align);
            if (cand >= f.Start) return cand;
        }
        return null;
    }

    /// <summary>
    /// A zero-size request, as the kernel runs it: every free range clamped into the window, so one above the window
    /// still yields its aligned end. Rare enough (a size = &lt;0&gt; node) to list the free ranges for.
    /// </summary>
    private ulong? FindEmpty(ulong align, ulong start, ulong end, bool bottomUp)
    {
        var free = FreeRanges();
        if (bottomUp)
        {
            foreach (var f in free)
            {
                var cand = AddressRange.AlignUp(Math.Clamp(f.Start, start, end), align, out var overflow);
                if (!overflow && cand < Math.Clamp(f.End, start, end)) return cand;
            }
            return null;
        }
        for (var i = free.Count - 1; i >= 0; i--)
        {
            var cand = AddressRange.AlignDown(Math.Clamp(free[i].End, start, end), align);
            if (cand >= Math.Clamp(free[i].Start, start, end)) return cand;
        }
        return null;
    }
}
