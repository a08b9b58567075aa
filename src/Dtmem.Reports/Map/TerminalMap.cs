using Dtmem.Layout.Ranges;
using Spectre.Console;

namespace Dtmem.Reports.Map;

/// <summary>How the terminal map is printed.</summary>
public sealed record TerminalMapOptions
{
    /// <summary>ANSI colours; off for files, pipes and NO_COLOR (the caller decides).</summary>
    public bool Color { get; init; }
    /// <summary>Columns to fit in; the map is designed for 100.</summary>
    public int Width { get; init; } = 100;
}

/// <summary>
/// The map as an address-ordered table: one row per stretch between region edges, one narrow column per lane with
/// a bar where the lane holds a region, and the names of what starts there. Overlaps are red crosshatch (X without
/// colour); collapsed stretches are marked ≈.
/// </summary>
public static class TerminalMap
{
    private const string Bar = "█", Break = "≈", Cross = "▚";

    public static void Write(TextWriter w, MapModel m, TerminalMapOptions? options = null)
    {
        var o = options ?? new TerminalMapOptions();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = o.Color ? AnsiSupport.Yes : AnsiSupport.No,
            ColorSystem = o.Color ? ColorSystemSupport.Standard : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(w),
            Enrichment = new ProfileEnrichment { UseDefaultEnrichers = false },
        });
        console.Profile.Width = o.Width;
        console.Profile.Height = 24;

        var scale = MapScale.Build(m);
        var lanes = m.UsedLanes();
        console.MarkupLine($"[bold]{Markup.Escape(m.Title)}[/]");

        var table = new Table { Border = TableBorder.Simple, ShowHeaders = true };
        table.AddColumn(new TableColumn("address").NoWrap());
        table.AddColumn(new TableColumn("size").RightAligned().NoWrap());
        table.AddColumn(new TableColumn(string.Join(' ', lanes.Select(MapStyle.LaneLetter))).NoWrap());
        table.AddColumn(new TableColumn("what starts here"));

        foreach (var seg in scale.Segments)
            table.AddRow(
                new Markup(MapStyle.Address(seg.Range.Start)),
                new Markup(seg.Collapsed ? $"[grey]{Break}[/] {MapStyle.Size(seg.Range.Size)}" : MapStyle.Size(seg.Range.Size)),
                new Markup(LaneCells(m, lanes, seg, o.Color)),
                new Markup(What(m, seg, o.Color)));
        if (scale.Segments.Count > 0)
            table.AddRow(new Markup(MapStyle.Address(scale.Segments[^1].Range.End)), new Markup(""), new Markup(""), new Markup("[grey]end[/]"));
        console.Write(table);

        var legend = lanes.Select(l => $"{Paint(Bar, MapStyle.TerminalColor(l), o.Color)} {MapStyle.LaneLetter(l)} {Markup.Escape(MapStyle.LaneName(l))}").ToList();
        legend.Add($"{Paint(o.Color ? Cross : "X", "red", o.Color)} overlap");
        legend.Add($"{Break} collapsed (not to scale)");
        console.MarkupLine("legend: " + string.Join("   ", legend));
        console.MarkupLine("[grey]scale: one row per stretch between region edges; sizes are exact[/]");

        foreach (var ov in m.Overlaps)
        {
            var who = string.Join(" ∩ ", ov.Regions.Select(i => m.Regions[i].NodePath ?? m.Regions[i].Label));
            var ids = ov.FindingKeys.Select(k => m.FindingByKey(k)).OfType<MapFinding>().Select(f => $"{f.Id} {f.Name}").ToList();
            console.MarkupLine(Paint($"overlap {ov.Key}: {ov.Range.ToKernelString()} ({MapStyle.Size(ov.Range.Size)})", "red", o.Color));
            console.MarkupLine("  " + Markup.Escape(who + (ids.Count > 0 ? " → " + string.Join(", ", ids) : " (no check reports it)")));
        }
        foreach (var a in m.Assumptions) console.MarkupLine("[grey]assumed: " + Markup.Escape(a) + "[/]");
    }

    private static string LaneCells(MapModel m, IReadOnlyList<MapLane> lanes, MapSegment seg, bool color)
    {
        var cells = new List<string>(lanes.Count);
        foreach (var lane in lanes)
        {
            var here = false;
            var overlap = false;
            for (var i = 0; i < m.Regions.Count && m.Regions[i].Range.Start < seg.Range.End; i++)
                if (m.Regions[i].Lane == lane && m.Regions[i].Range.Overlaps(seg.Range)) here = true;
            foreach (var ov in m.Overlaps)
                if (ov.Range.Overlaps(seg.Range) && ov.Regions.Any(i => m.Regions[i].Lane == lane)) overlap = true;
            cells.Add(overlap ? Paint(color ? Cross : "X", "red", color)
                : here ? Paint(seg.Collapsed ? Break : Bar, MapStyle.TerminalColor(lane), color)
                : " ");
        }
        return string.Join(' ', cells);
    }

    private static string What(MapModel m, MapSegment seg, bool color)
    {
        var parts = new List<string>();
        for (var i = 0; i < m.Regions.Count && m.Regions[i].Range.Start < seg.Range.End; i++)
        {
            var r = m.Regions[i];
            if (r.Range.Start != seg.Range.Start) continue;
            var text = $"{r.Label} {MapStyle.Size(r.Range.Size)}";
            if (r.GivenToPageAllocator) text += " → page allocator";
            if (r.Assumed) text += " (assumed)";
            var ids = m.RegionFindings[i].Select(k => m.FindingByKey(k)?.Id).OfType<string>().Distinct().ToList();
            parts.Add(Paint("■", MapStyle.TerminalColor(r.Lane), color) + " " + Markup.Escape(text) +
                (ids.Count > 0 ? " " + Paint($"[{string.Join(",", ids)}]", "red", color) : ""));
        }
        foreach (var ov in m.Overlaps.Where(x => x.Range.Start == seg.Range.Start))
            parts.Add(Paint($"{(color ? "✖" : "X")} overlap {ov.Key}: {MapStyle.Size(ov.Range.Size)}", "red bold", color));
        foreach (var mk in m.Markers.Where(x => seg.Range.Contains(x.Address)))
            parts.Add(Paint($"◆ {mk.Label} at {MapStyle.Address(mk.Address)}", "fuchsia bold", color));
        if (seg.Collapsed)
            parts.Add($"[grey]{Break} {Markup.Escape(MapStyle.Size(seg.Range.Size))} {(seg.Kind == SegmentKind.Hole ? "hole (not RAM)" : "of free RAM")}, collapsed[/]");
        else if (seg.Kind == SegmentKind.Hole)
            parts.Add("[grey]hole (not RAM)[/]");
        return string.Join("; ", parts);
    }

    private static string Paint(string text, string style, bool color) =>
        color ? $"[{style}]{Markup.Escape(text)}[/]" : Markup.Escape(text);
}
