using Dtmem.Layout.Ranges;

namespace Dtmem.Reports.Map;

public enum SegmentKind
{
    /// <summary>Something besides RAM lies here.</summary>
    Busy,
    /// <summary>Only RAM: nothing reserves it.</summary>
    FreeRam,
    /// <summary>Nothing at all: a hole between RAM banks or between regions outside RAM.</summary>
    Hole,
}

/// <summary>A stretch between two consecutive region edges, and where the scale draws it.</summary>
/// <param name="Collapsed">Drawn at a fixed length with a break mark: its length says nothing about its size.</param>
public sealed record MapSegment(AddressRange Range, SegmentKind Kind, bool Collapsed, double Start, double Length)
{
    public double End => Start + Length;
}

/// <summary>The knobs of <see cref="MapScale"/>, in drawing units (pixels for SVG).</summary>
public sealed record MapScaleOptions
{
    /// <summary>Length of the smallest stretch (4 KiB or less): small regions stay visible and labelled.</summary>
    public double MinLength { get; init; } = 24;
    /// <summary>Extra length each time the size doubles above 4 KiB.</summary>
    public double LengthPerDoubling { get; init; } = 5;
    /// <summary>Length of a collapsed stretch.</summary>
    public double BreakLength { get; init; } = 30;
    /// <summary>Free RAM or holes at least this big are collapsed.</summary>
    public ulong CollapseFrom { get; init; } = 64UL << 20;
}

/// <summary>
/// A compressed, honest address scale. Every stretch between two region edges gets a length that grows with the
/// logarithm of its size, so 4 KiB and 4 GiB both stay readable and a bigger stretch is never drawn shorter than a
/// smaller one. Long stretches with nothing but free RAM, and holes, are collapsed to a fixed length and marked as
/// breaks. Labels always carry the true sizes.
/// </summary>
public sealed class MapScale
{
    private readonly ulong[] _starts;

    private MapScale(IReadOnlyList<MapSegment> segments)
    {
        Segments = segments;
        _starts = [.. segments.Select(s => s.Range.Start)];
        Length = segments.Count == 0 ? 0 : segments[^1].End;
    }

    public IReadOnlyList<MapSegment> Segments { get; }

    public double Length { get; }

    public static MapScale Build(MapModel model, MapScaleOptions? options = null)
    {
        var o = options ?? new MapScaleOptions();
        var cuts = new SortedSet<ulong>();
        foreach (var r in model.Regions) { cuts.Add(r.Range.Start); cuts.Add(r.Range.End); }
        foreach (var m in model.Markers) cuts.Add(m.Address);
        var points = cuts.ToArray();

        // Sweep the edges once: a region is live from its start cut to its end cut.
        var byStart = model.Regions.OrderBy(r => r.Range.Start).ToArray();
        var live = new List<MapRegion>();
        var next = 0;
        var segments = new List<MapSegment>();
        double at = 0;
        for (var i = 0; i + 1 < points.Length; i++)
        {
            var range = new AddressRange(points[i], points[i + 1]);
            live.RemoveAll(r => r.Range.End <= range.Start);
            while (next < byStart.Length && byStart[next].Range.Start <= range.Start) live.Add(byStart[next++]);
            var kind = live.Count == 0 ? SegmentKind.Hole
                : live.All(r => r.Lane == MapLane.Ram) ? SegmentKind.FreeRam
                : SegmentKind.Busy;
            var collapsed = kind != SegmentKind.Busy && range.Size >= o.CollapseFrom;
            var len = collapsed ? o.BreakLength : o.MinLength + o.LengthPerDoubling * Math.Max(0, Math.Log2(range.Size / 4096.0));
            segments.Add(new MapSegment(range, kind, collapsed, at, len));
            at += len;
        }
        return new MapScale(segments);
    }

    /// <summary>The index of the segment that holds <paramref name="address"/>; -1 below the map, the last index above it.</summary>
    public int IndexOf(ulong address)
    {
        var i = Array.BinarySearch(_starts, address);
        return i >= 0 ? i : ~i - 1;
    }

    /// <summary>Where an address is drawn: linear inside its segment, clamped to the ends of the map.</summary>
    public double Position(ulong address)
    {
        var i = IndexOf(address);
        if (i < 0) return 0;
        var s = Segments[i];
        if (address >= s.Range.End) return s.End;
        return s.Start + s.Length * ((double)(address - s.Range.Start) / s.Range.Size);
    }

    /// <summary>Top and bottom of a range.</summary>
    public (double Start, double End) Span(AddressRange r) => (Position(r.Start), Position(r.End));

    /// <summary>The segments a range covers.</summary>
    public IEnumerable<MapSegment> In(AddressRange r) => Segments.Where(s => s.Range.Overlaps(r));
}
