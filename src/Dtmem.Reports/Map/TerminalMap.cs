using System.Text;
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
        var scale = MapScale.Build(m);
        var lanes = m.UsedLanes();
        var (here, hot) = Coverage(m, scale);
        var starts = m.Regions.Select((r, i) => (r, i)).ToLookup(x => x.r.Range.Start, x => x.i);

        // Laid out by hand rather than with Spectre's Table: a table measures every cell and needs about half a
        // second for the thousand rows of a 500-region board.
        var rows = scale.Segments.Select((seg, k) => (
            Address: MapStyle.Address(seg.Range.Start),
            Size: (seg.Collapsed ? Break + " " : "") + MapStyle.Size(seg.Range.Size),
            Lanes: string.Join(' ', lanes.Select(l =>
                (hot[k] & 1 << (int)l) != 0 ? Paint(o.Color ? Cross : "X", "red")
                : (here[k] & 1 << (int)l) != 0 ? Paint(seg.Collapsed ? Break : Bar, MapStyle.TerminalColor(l))
                : " ")),
            What: What(m, seg, starts[seg.Range.Start], o.Color))).ToList();
        if (scale.Segments.Count > 0)
            rows.Add((MapStyle.Address(scale.Segments[^1].Range.End), "", string.Join(' ', lanes.Select(_ => " ")), [("end", "grey", false)]));
        var addrW = Math.Max("address".Length, rows.Count == 0 ? 0 : rows.Max(r => r.Address.Length));
        var sizeW = Math.Max("size".Length, rows.Count == 0 ? 0 : rows.Max(r => r.Size.Length));
        var indent = 2 + addrW + 2 + sizeW + 2 + (lanes.Count * 2 - 1) + 2;
        var whatW = Math.Max(20, o.Width - indent);

        var s = new StringBuilder();
        s.Append("[bold]").Append(Markup.Escape(m.Title)).Append("[/]\n");
        s.Append(Markup.Escape($"  {"address".PadRight(addrW)}  {"size".PadLeft(sizeW)}  {string.Join(' ', lanes.Select(MapStyle.LaneLetter))}  what starts here")).Append('\n');
        s.Append("[grey]").Append('─', Math.Min(o.Width, indent + whatW)).Append("[/]\n");
        if (rows.Count == 0) s.Append("  [grey](no RAM and no region known: nothing to draw)[/]\n");
        foreach (var row in rows)
        {
            var lines = Wrap(row.What, whatW);
            s.Append($"  {Markup.Escape(row.Address.PadRight(addrW))}  {Markup.Escape(row.Size.PadLeft(sizeW))}  {row.Lanes}  {lines[0]}".TrimEnd(' ')).Append('\n');
            foreach (var more in lines.Skip(1))
                s.Append(' ', indent).Append(more).Append('\n');
        }
        s.Append('\n');

        var legend = lanes.Select(l => $"{Paint(Bar, MapStyle.TerminalColor(l))} {MapStyle.LaneLetter(l)} {Markup.Escape(MapStyle.LaneName(l))}").ToList();
        legend.Add($"{Paint(o.Color ? Cross : "X", "red")} overlap");
        legend.Add($"{Break} collapsed (not to scale)");
        var used = 0;
        foreach (var item in legend)
        {
            var len = Markup.Remove(item).Length;
            if (used == 0) { s.Append("legend: "); used = 8; }
            else if (used + 3 + len > o.Width) { s.Append("\n        "); used = 8; }
            else { s.Append("   "); used += 3; }
            s.Append(item);
            used += len;
        }
        s.Append('\n');
        void Para(string text, string? style, int indent)
        {
            foreach (var line in Wrap([(text, style, false)], o.Width - indent))
                s.Append(' ', indent).Append(line).Append('\n');
        }
        Para("scale: one row per stretch between region edges, whatever its size; sizes are true sizes", "grey", 0);
        foreach (var ov in m.Overlaps)
        {
            var who = string.Join(" ∩ ", ov.Regions.Select(i => m.Regions[i].NodePath ?? m.Regions[i].Label));
            var ids = ov.FindingKeys.Take(MapStyle.MaxListed).Select(k => m.FindingByKey(k)).OfType<MapFinding>().Select(f => $"{f.Id} {f.Name}").ToList();
            if (ov.FindingKeys.Count > MapStyle.MaxListed) ids.Add($"{ov.FindingKeys.Count - MapStyle.MaxListed} more");
            Para($"overlap {ov.Key}: {ov.Range.ToKernelString()} ({MapStyle.Size(ov.Range.Size)})", "red", 0);
            Para(who + (ids.Count > 0 ? " → " + string.Join(", ", ids) : " (no check reports it)"), null, 2);
        }
        foreach (var a in m.Assumptions) Para("assumed: " + a, "grey", 0);

        if (!o.Color)
        {
            // Without colour the markup only needs stripping; Spectre's renderer would add nothing but time.
            w.Write(Markup.Remove(s.ToString()));
            return;
        }
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.Yes,
            ColorSystem = ColorSystemSupport.EightBit,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(w),
            Enrichment = new ProfileEnrichment { UseDefaultEnrichers = false },
        });
        console.Profile.Width = o.Width;
        console.Markup(s.ToString());
    }

    /// <summary>Per segment, a bit per lane that holds a region there, and a bit per lane whose region is in an overlap there.</summary>
    private static (int[] Here, int[] Hot) Coverage(MapModel m, MapScale scale)
    {
        var here = new int[scale.Segments.Count];
        var hot = new int[scale.Segments.Count];
        void Mark(int[] bits, AddressRange r, MapLane lane)
        {
            for (var k = scale.IndexOf(r.Start); k >= 0 && k < bits.Length && scale.Segments[k].Range.Start < r.End; k++)
                bits[k] |= 1 << (int)lane;
        }
        foreach (var r in m.Regions) Mark(here, r.Range, r.Lane);
        foreach (var ov in m.Overlaps)
            foreach (var i in ov.Regions) Mark(hot, ov.Range, m.Regions[i].Lane);
        return (here, hot);
    }

    /// <summary>What starts in a segment, as (text, style, style only the leading glyph) items; a null style is plain.</summary>
    private static List<(string Text, string? Style, bool Lead)> What(MapModel m, MapSegment seg, IEnumerable<int> startingHere, bool color)
    {
        var parts = new List<(string, string?, bool)>();
        foreach (var i in startingHere)
        {
            var r = m.Regions[i];
            var text = $"■ {r.Label} {MapStyle.Size(r.Range.Size)}";
            if (r.GivenToPageAllocator) text += " → page allocator";
            if (r.Assumed) text += " (assumed)";
            var ids = m.RegionFindings[i].Select(k => m.FindingByKey(k)?.Id).OfType<string>().Distinct().ToList();
            if (ids.Count > 0) text += $" [{string.Join(",", ids)}]";
            parts.Add((text, MapStyle.TerminalColor(r.Lane), true));
        }
        foreach (var ov in m.Overlaps.Where(x => x.Range.Start == seg.Range.Start))
            parts.Add(($"{(color ? "✖" : "X")} overlap {ov.Key}: {MapStyle.Size(ov.Range.Size)}", "red bold", false));
        foreach (var mk in m.Markers.Where(x => seg.Range.Contains(x.Address)))
            parts.Add(($"◆ {mk.Label} at {MapStyle.Address(mk.Address)}", "fuchsia bold", false));
        if (seg.Collapsed)
            parts.Add(($"{Break} {MapStyle.Size(seg.Range.Size)} {(seg.Kind == SegmentKind.Hole ? "hole (not RAM)" : "of free RAM")}, collapsed", "grey", false));
        else if (seg.Kind == SegmentKind.Hole)
            parts.Add(("hole (not RAM)", "grey", false));
        return parts;
    }

    /// <summary>Joins the items with "; " into lines of at most <paramref name="width"/> characters, as markup.</summary>
    private static List<string> Wrap(List<(string Text, string? Style, bool Lead)> items, int width)
    {
        var lines = new List<string>();
        var line = new StringBuilder();
        var used = 0;
        foreach (var (text, style, lead) in items)
        {
            var rest = text;
            var glyph = lead;
            var sep = used == 0 ? "" : "; ";
            if (used > 0 && used + sep.Length + rest.Length > width)
            {
                lines.Add(line.ToString());
                line.Clear();
                used = 0;
                sep = "";
            }
            line.Append(sep);
            used += sep.Length;
            while (used + rest.Length > width)
            {
                // Break at the last space that fits; only a word longer than the line is cut.
                var take = width - used;
                var space = rest.LastIndexOf(' ', Math.Min(take, rest.Length - 1));
                var cut = space > 0 ? space : take;
                line.Append(Styled(rest[..cut], style, glyph));
                glyph = false;
                lines.Add(line.ToString());
                line.Clear();
                used = 0;
                rest = rest[(space > 0 ? cut + 1 : cut)..];
            }
            line.Append(Styled(rest, style, glyph));
            used += rest.Length;
        }
        lines.Add(line.ToString());
        return lines;
    }

    private static string Styled(string text, string? style, bool glyphOnly) =>
        style is null || text.Length == 0 ? Markup.Escape(text)
        : glyphOnly ? $"[{style}]{Markup.Escape(text[..1])}[/]{Markup.Escape(text[1..])}"
        : $"[{style}]{Markup.Escape(text)}[/]";

    private static string Paint(string text, string style) => $"[{style}]{Markup.Escape(text)}[/]";
}
