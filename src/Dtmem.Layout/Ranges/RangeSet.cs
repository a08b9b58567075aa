namespace Dtmem.Layout.Ranges;

/// <summary>
/// A set of addresses kept as sorted, disjoint, non-touching ranges: what one memblock type (memory, reserved,
/// the NOMAP flag) holds after memblock has merged neighbours with equal flags.
/// </summary>
public sealed class RangeSet
{
    private readonly List<AddressRange> _ranges = [];

    public RangeSet() { }

    public RangeSet(IEnumerable<AddressRange> ranges)
    {
        foreach (var r in ranges) Add(r);
    }

    public IReadOnlyList<AddressRange> Ranges => _ranges;

    public bool IsEmpty => _ranges.Count == 0;

    public ulong TotalSize
    {
        get
        {
            ulong t = 0;
            foreach (var r in _ranges) t += r.Size;
            return t;
        }
    }

    /// <summary>Lowest address held (memblock_start_of_DRAM), or null when empty.</summary>
    public ulong? Min => _ranges.Count == 0 ? null : _ranges[0].Start;

    /// <summary>Exclusive end of the highest range (memblock_end_of_DRAM), or null when empty.</summary>
    public ulong? Max => _ranges.Count == 0 ? null : _ranges[^1].End;

    public RangeSet Clone() => new(_ranges);

    /// <summary>Index of the first range ending after <paramref name="address"/> (or touching it, with
    /// <paramref name="touching"/>); binary search, so a board of thousands of regions stays O(n log n).</summary>
    private int FirstEndingAfter(ulong address, bool touching = false)
    {
        int lo = 0, hi = _ranges.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (touching ? _ranges[mid].End < address : _ranges[mid].End <= address) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    public void Add(AddressRange range)
    {
        if (range.IsEmpty) return;
        var start = range.Start;
        var end = range.End;
        var i = FirstEndingAfter(start, touching: true);
        var j = i;
        while (j < _ranges.Count && _ranges[j].Start <= end)
        {
            start = Math.Min(start, _ranges[j].Start);
            end = Math.Max(end, _ranges[j].End);
            j++;
        }
        _ranges.RemoveRange(i, j - i);
        _ranges.Insert(i, new AddressRange(start, end));
    }

    public void Remove(AddressRange range)
    {
        if (range.IsEmpty) return;
        for (var i = FirstEndingAfter(range.Start); i < _ranges.Count && _ranges[i].Start < range.End; i++)
        {
            var r = _ranges[i];
            if (!r.Overlaps(range)) continue;
            var rest = r.Subtract(range);
            _ranges.RemoveAt(i);
            _ranges.InsertRange(i, rest);
            i += rest.Count - 1;
        }
    }

    /// <summary>True when any byte of <paramref name="range"/> is held (memblock_is_region_reserved / memblock_overlaps_region).</summary>
    public bool Overlaps(AddressRange range)
    {
        // Disjoint and sorted: only the first range ending after the start can overlap first.
        var i = FirstEndingAfter(range.Start);
        return i < _ranges.Count && _ranges[i].Overlaps(range);
    }

    /// <summary>True when every byte of <paramref name="range"/> is held.</summary>
    public bool ContainsAll(AddressRange range)
    {
        if (range.IsEmpty) return true;
        var i = FirstEndingAfter(range.Start);
        return i < _ranges.Count && _ranges[i].Contains(range);
    }

    public bool Contains(ulong address)
    {
        var i = FirstEndingAfter(address);
        return i < _ranges.Count && _ranges[i].Contains(address);
    }

    /// <summary>The parts of <paramref name="range"/> held by this set, in address order.</summary>
    public List<AddressRange> Intersect(AddressRange range) => [.. Within(range)];

    /// <summary>The parts of <paramref name="range"/> not held by this set, in address order.</summary>
    public List<AddressRange> Complement(AddressRange range) => [.. Gaps(range)];

    /// <summary>The held ranges clipped to <paramref name="window"/>, lazily, in ascending or descending address order.</summary>
    public IEnumerable<AddressRange> Within(AddressRange window, bool descending = false)
    {
        if (window.IsEmpty) yield break;
        if (!descending)
        {
            for (var i = FirstEndingAfter(window.Start); i < _ranges.Count && _ranges[i].Start < window.End; i++)
                yield return _ranges[i].Intersect(window);
            yield break;
        }
        for (var i = LastStartingBefore(window.End); i >= 0 && _ranges[i].End > window.Start; i--)
            yield return _ranges[i].Intersect(window);
    }

    /// <summary>The parts of <paramref name="range"/> not held, lazily, in ascending or descending address order: a
    /// top-down search that fits near the top stops there instead of listing every gap below.</summary>
    public IEnumerable<AddressRange> Gaps(AddressRange range, bool descending = false)
    {
        if (range.IsEmpty) yield break;
        if (!descending)
        {
            var cursor = range.Start;
            for (var i = FirstEndingAfter(range.Start); i < _ranges.Count && _ranges[i].Start < range.End; i++)
            {
                if (_ranges[i].Start > cursor) yield return new AddressRange(cursor, _ranges[i].Start);
                cursor = Math.Max(cursor, _ranges[i].End);
            }
            if (cursor < range.End) yield return new AddressRange(cursor, range.End);
            yield break;
        }
        var top = range.End;
        for (var i = LastStartingBefore(range.End); i >= 0 && _ranges[i].End > range.Start; i--)
        {
            if (_ranges[i].End < top) yield return new AddressRange(_ranges[i].End, top);
            top = Math.Min(top, _ranges[i].Start);
        }
        if (top > range.Start) yield return new AddressRange(range.Start, top);
    }

    /// <summary>Index of the last range starting before <paramref name="address"/>, or -1.</summary>
    private int LastStartingBefore(ulong address)
    {
        int lo = 0, hi = _ranges.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_ranges[mid].Start < address) lo = mid + 1;
            else hi = mid;
        }
        return lo - 1;
    }

    public override string ToString() => string.Join(", ", _ranges);
}
