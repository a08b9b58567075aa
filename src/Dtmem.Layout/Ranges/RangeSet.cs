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

    public void Add(AddressRange range)
    {
        if (range.IsEmpty) return;
        var start = range.Start;
        var end = range.End;
        var i = 0;
        while (i < _ranges.Count && _ranges[i].End < start) i++;
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
        for (var i = 0; i < _ranges.Count; i++)
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
        foreach (var r in _ranges)
            if (r.Overlaps(range)) return true;
        return false;
    }

    /// <summary>True when every byte of <paramref name="range"/> is held.</summary>
    public bool ContainsAll(AddressRange range)
    {
        if (range.IsEmpty) return true;
        foreach (var r in _ranges)
            if (r.Contains(range)) return true;
        return false;
    }

    public bool Contains(ulong address)
    {
        foreach (var r in _ranges)
            if (r.Contains(address)) return true;
        return false;
    }

    /// <summary>The parts of <paramref name="range"/> held by this set, in address order.</summary>
    public List<AddressRange> Intersect(AddressRange range)
    {
        var list = new List<AddressRange>();
        foreach (var r in _ranges)
        {
            var x = r.Intersect(range);
            if (!x.IsEmpty) list.Add(x);
        }
        return list;
    }

    /// <summary>The parts of <paramref name="range"/> not held by this set, in address order.</summary>
    public List<AddressRange> Complement(AddressRange range)
    {
        var list = new List<AddressRange>();
        var cursor = range.Start;
        foreach (var r in _ranges)
        {
            if (r.End <= cursor) continue;
            if (r.Start >= range.End) break;
            if (r.Start > cursor) list.Add(new AddressRange(cursor, r.Start));
            cursor = Math.Max(cursor, r.End);
            if (cursor >= range.End) break;
        }
        if (cursor < range.End) list.Add(new AddressRange(cursor, range.End));
        return list;
    }

    public override string ToString() => string.Join(", ", _ranges);
}
