using Dtmem.Layout.Checks;
using Dtmem.Layout.Ranges;

namespace Dtmem.Reports.Map;

/// <summary>One column of the map: the kind of owner a region has. The order is the drawing order, left to right.</summary>
public enum MapLane
{
    /// <summary>RAM banks (memblock.memory, iomem System RAM); the gaps between them are drawn as holes.</summary>
    Ram,
    /// <summary>The kernel image, as one block or as its sections (text, rodata, data, bss) when the source gives them.</summary>
    Kernel,
    InitrdDtb,
    MemReserve,
    /// <summary>no-map reserved regions: not in the linear map.</summary>
    NoMap,
    /// <summary>Reserved regions that stay mapped and reserved (DMA pools, ramoops, firmware carve-outs).</summary>
    Reserved,
    /// <summary>Reusable CMA pools from /reserved-memory, static or dynamically placed.</summary>
    Cma,
    /// <summary>The default CMA area from <c>cma=</c> or Kconfig.</summary>
    DefaultCma,
    /// <summary>Anything else: atomic pools, MMIO resources, regions whose reservation failed.</summary>
    Other,
}

/// <summary>One box of the map.</summary>
/// <param name="Label">Short name drawn in the box (node name, iomem name).</param>
public sealed record MapRegion(MapLane Lane, AddressRange Range, string Label)
{
    /// <summary>Device-tree node path, when the region comes from a node.</summary>
    public string? NodePath { get; init; }
    /// <summary>Where the region was read: <c>board.dts:38:4</c>, <c>iomem:12: 10080000-1187ffff : Kernel code</c>, an option.</summary>
    public string? Source { get; init; }
    /// <summary>Facts for people: init result, "dynamically placed", "assumed placement".</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];
    /// <summary>Its pages were handed to the page allocator (a CMA area after activation).</summary>
    public bool GivenToPageAllocator { get; init; }
    /// <summary>Its range rests on a default or a guess.</summary>
    public bool Assumed { get; init; }
    /// <summary>Carved out of another region (an atomic pool inside a CMA area): lying inside a bigger region is expected, not an overlap.</summary>
    public bool Nested { get; init; }
}

/// <summary>A point of interest drawn across every lane, such as the physical address of a fault.</summary>
public sealed record MapMarker(ulong Address, string Label)
{
    public string? Detail { get; init; }
}

/// <summary>A finding as the map shows it: <see cref="Key"/> is the anchor regions and overlaps link to.</summary>
public sealed record MapFinding(string Key, string Id, string Name, Severity Severity, string Message)
{
    public AddressRange? Range { get; init; }
    /// <summary>Node path or name the finding is about; it links the finding to the regions with that path or label.</summary>
    public string? Subject { get; init; }
    /// <summary><c>file:line:col</c> or a log line.</summary>
    public string? Location { get; init; }
    public string? Rationale { get; init; }
    public string? Fix { get; init; }
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>A check finding, with the check's rationale and fix from <see cref="CheckRegistry"/>.</summary>
    public static MapFinding FromFinding(string key, Finding f, string? baseDirectory = null)
    {
        var check = CheckRegistry.Find(f.Id);
        var dir = baseDirectory ?? Environment.CurrentDirectory;
        return new MapFinding(key, f.Id, f.Name, f.Severity, f.Message)
        {
            Range = f.Range,
            Subject = f.Subject,
            Location = f.Span is { } s ? Findings.SourcePaths.Location(s, dir) : null,
            Rationale = check?.Rationale,
            Fix = check?.Fix,
            Notes = [.. f.Related.Select(r => r.Span is { } rs ? $"{Findings.SourcePaths.Location(rs, dir)}: {r.Message}" : r.Message),
                     .. f.Facts.Select(x => $"{(x.IsAssumed ? "assumed" : "from")}: {x.Name} = {x.Value} ({x.Origin})")],
        };
    }
}

/// <summary>One line of the event list under the map (a simulated or logged boot step).</summary>
public sealed record MapEvent(string Function, string Text)
{
    public AddressRange? Range { get; init; }
    /// <summary>True for a line the kernel prints only with memblock=debug or pr_debug, or a silent step.</summary>
    public bool Quiet { get; init; }
}

/// <summary>Where two regions of different owners share addresses.</summary>
/// <param name="Regions">Indexes into <see cref="MapModel.Regions"/>.</param>
/// <param name="FindingKeys">The findings whose range lies in the overlap.</param>
public sealed record MapOverlap(int Key, AddressRange Range, IReadOnlyList<int> Regions, IReadOnlyList<string> FindingKeys)
{
    public string Anchor => $"overlap-{Key}";
}

/// <summary>
/// What the map draws, independent of where it came from (a simulated boot, a boot log, /proc/iomem): regions in
/// lanes, markers, findings and events. The overlaps and the finding links are computed here, once, for every renderer.
/// </summary>
public sealed partial class MapModel
{
    public MapModel(string title, IEnumerable<MapRegion> regions, IEnumerable<MapFinding>? findings = null,
        IEnumerable<MapMarker>? markers = null, IEnumerable<MapEvent>? events = null)
    {
        Title = title;
        var all = regions.Where(r => !r.Range.IsEmpty).OrderBy(r => r.Range.Start).ThenBy(r => r.Lane).ThenByDescending(r => r.Range.End).ToList();
        // RAM is always drawn; other regions past the cap (only hostile trees have them) are counted, not drawn.
        var ramCount = all.Count(r => r.Lane == MapLane.Ram);
        var room = Math.Max(0, MaxRegions - ramCount);
        var kept = 0;
        Regions = [.. all.Where(r => r.Lane == MapLane.Ram || kept++ < room)];
        OmittedRegions = all.Count - Regions.Count;
        Findings = [.. findings ?? []];
        Markers = [.. (markers ?? []).OrderBy(m => m.Address)];
        Events = [.. events ?? []];
        (Overlaps, OmittedOverlaps) = FindOverlaps(Regions, Findings);
        RegionFindings = LinkFindings(Regions, Findings, Overlaps);
    }

    public string Title { get; }
    /// <summary>Address order, then lane.</summary>
    public IReadOnlyList<MapRegion> Regions { get; }
    public IReadOnlyList<MapFinding> Findings { get; }
    public IReadOnlyList<MapMarker> Markers { get; }
    public IReadOnlyList<MapEvent> Events { get; }
    public IReadOnlyList<MapOverlap> Overlaps { get; }
    /// <summary>Per region (same index as <see cref="Regions"/>): the keys of the findings about it.</summary>
    public IReadOnlyList<IReadOnlyList<string>> RegionFindings { get; }
    /// <summary>Overlaps found beyond <see cref="MaxOverlaps"/> and not drawn.</summary>
    public int OmittedOverlaps { get; }

    /// <summary>Regions beyond <see cref="MaxRegions"/> (in address order) not drawn.</summary>
    public int OmittedRegions { get; }

    /// <summary>Most regions drawn: the busiest upstream board has a few hundred; a hostile one of 10,000 /memreserve/
    /// entries would give pictures of tens of megabytes that nobody can read.</summary>
    public const int MaxRegions = 1000;

    /// <summary>
    /// Most overlaps drawn. Real boards have a few dozen; a hostile tree of n mutually overlapping regions has n²/2,
    /// and every renderer's output would grow with them.
    /// </summary>
    public const int MaxOverlaps = 500;

    private readonly IReadOnlyList<string> _assumptions = [];

    /// <summary>Assumptions the source rests on, shown under the map (and how many overlaps were left out).</summary>
    public IReadOnlyList<string> Assumptions
    {
        get => OmittedOverlaps == 0 && OmittedRegions == 0 ? _assumptions
            : [.. _assumptions,
                .. OmittedRegions == 0 ? Array.Empty<string>() : [$"{OmittedRegions} more regions are not drawn: the map shows the first {MaxRegions} by address (the findings list is complete)"],
                .. OmittedOverlaps == 0 ? Array.Empty<string>() : [$"{OmittedOverlaps} more overlaps are not drawn: the map shows the first {MaxOverlaps} by address"]];
        init => _assumptions = value;
    }
    /// <summary>The input the map was drawn from, for the report's header.</summary>
    public string? Input { get; init; }

    /// <summary>The same map with one more marker (the faulting physical address of an oops, say).</summary>
    public MapModel WithMarker(MapMarker marker) =>
        new(Title, Regions, Findings, [.. Markers, marker], Events) { Assumptions = _assumptions, Input = Input };

    /// <summary>The lanes that hold at least one region, in drawing order; RAM always.</summary>
    public IReadOnlyList<MapLane> UsedLanes() =>
        [.. Enum.GetValues<MapLane>().Where(l => l == MapLane.Ram || Regions.Any(r => r.Lane == l))];

    private Dictionary<string, MapFinding>? _byKey;

    public MapFinding? FindingByKey(string key)
    {
        _byKey ??= Findings.GroupBy(f => f.Key).ToDictionary(g => g.Key, g => g.First());
        return _byKey.GetValueOrDefault(key);
    }

    /// <summary>
    /// Pairs of regions in different non-RAM lanes (or in the same lane, for two different regions) that share
    /// addresses. A nested region inside its container is expected and skipped. Overlapping pairs that share the same
    /// intersection are merged into one overlap.
    /// </summary>
    private static (List<MapOverlap>, int Omitted) FindOverlaps(IReadOnlyList<MapRegion> regions, IReadOnlyList<MapFinding> findings)
    {
        var omitted = 0;
        var byRange = new Dictionary<AddressRange, SortedSet<int>>();
        var order = new List<AddressRange>();
        var active = new List<int>();
        for (var i = 0; i < regions.Count; i++)
        {
            var a = regions[i];
            if (a.Lane == MapLane.Ram) continue;
            active.RemoveAll(j => regions[j].Range.End <= a.Range.Start);
            foreach (var j in active)
            {
                var b = regions[j];
                if (a.Nested && b.Range.Contains(a.Range) || b.Nested && a.Range.Contains(b.Range)) continue;
                var x = a.Range.Intersect(b.Range);
                if (x.IsEmpty) continue;
                if (!byRange.TryGetValue(x, out var set))
                {
                    if (order.Count == MaxOverlaps) { omitted++; continue; }
                    set = [];
                    byRange[x] = set;
                    order.Add(x);
                }
                set.Add(j);
                set.Add(i);
            }
            active.Add(i);
        }
        var result = new List<MapOverlap>();
        foreach (var x in order.OrderBy(r => r.Start).ThenBy(r => r.End))
        {
            var keys = findings.Where(f => f.Range is { } fr && fr.Overlaps(x)).Select(f => f.Key).ToList();
            result.Add(new MapOverlap(result.Count + 1, x, [.. byRange[x]], keys));
        }
        return (result, omitted);
    }

    private static List<IReadOnlyList<string>> LinkFindings(IReadOnlyList<MapRegion> regions, IReadOnlyList<MapFinding> findings, IReadOnlyList<MapOverlap> overlaps)
    {
        // Sets, not lists: a region in many overlaps meets the same findings again and again.
        var order = new Dictionary<string, int>(findings.Count);
        for (var i = 0; i < findings.Count; i++) order.TryAdd(findings[i].Key, i);
        var links = regions.Select(_ => new HashSet<string>()).ToList();
        foreach (var f in findings)
        {
            if (f.Subject is not { } s) continue;
            for (var i = 0; i < regions.Count; i++)
                if (regions[i].NodePath == s || regions[i].Label == s)
                    links[i].Add(f.Key);
        }
        foreach (var o in overlaps)
            foreach (var i in o.Regions)
                links[i].UnionWith(o.FindingKeys);
        return [.. links.Select(l => (IReadOnlyList<string>)[.. l.OrderBy(k => order.GetValueOrDefault(k, int.MaxValue))])];
    }
}
