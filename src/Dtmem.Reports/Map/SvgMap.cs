using System.Globalization;
using System.Text;
using Dtmem.Layout.Ranges;

namespace Dtmem.Reports.Map;

public sealed record SvgMapOptions
{
    /// <summary>A standalone file (XML declaration); false when the SVG goes inline into HTML.</summary>
    public bool Standalone { get; init; } = true;
    /// <summary>Overlaps link to <c>#finding-KEY</c> anchors (the HTML report has them).</summary>
    public bool LinkFindings { get; init; }
    public MapScaleOptions Scale { get; init; } = new();
}

/// <summary>
/// The map as SVG: the address axis on the left (low addresses at the top, like /proc/iomem), one column per lane,
/// boxes with their name and size, overlaps hatched red over each box they hit, collapsed stretches cut by a
/// break mark, markers as lines across the lanes. Every box has a &lt;title&gt; with node, source, range and size.
/// </summary>
public static class SvgMap
{
    private const double AxisW = 120, LaneW = 160, Gap = 10, RightW = 210, Top = 104, Bottom = 36, CharW = 6.4;

    public static string ToString(MapModel m, SvgMapOptions? options = null)
    {
        var sb = new StringBuilder(4096 + m.Regions.Count * 700);
        Write(sb, m, options ?? new SvgMapOptions());
        return sb.ToString();
    }

    public static void Write(TextWriter w, MapModel m, SvgMapOptions? options = null) => w.Write(ToString(m, options));

    private static void Write(StringBuilder s, MapModel m, SvgMapOptions o)
    {
        var scale = MapScale.Build(m, o.Scale);
        var lanes = m.UsedLanes();
        var laneX = lanes.Select((l, i) => (l, x: AxisW + i * (LaneW + Gap))).ToDictionary(p => p.l, p => p.x);
        var width = AxisW + lanes.Count * (LaneW + Gap) + RightW;
        var height = Top + scale.Length + Bottom;
        var sub = SubColumns(m);

        if (o.Standalone) s.Append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        s.Append(Inv($"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"dtmem-map\" width=\"{width:0}\" height=\"{height:0}\" viewBox=\"0 0 {width:0} {height:0}\" data-top=\"{Top:0}\" role=\"img\">\n"));
        s.Append("<title>").Append(Esc(m.Title)).Append("</title>\n");
        s.Append("<style>text{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;font-size:11px}")
         .Append(".mono{font-family:ui-monospace,'DejaVu Sans Mono',Menlo,Consolas,monospace;font-size:10.5px}")
         .Append(".region rect.box{stroke:#00000055}.region:hover rect.box{stroke:#000;stroke-width:2}")
         .Append(".overlap rect{fill:url(#hatch);stroke:").Append(MapStyle.OverlapRed).Append(";stroke-width:2}.overlap:hover rect{stroke-width:3}")
         .Append(".given rect.box{stroke:#7a3d00;stroke-dasharray:5 3;stroke-width:1.5}.assumed rect.box{stroke-dasharray:2 2}")
         .Append(".label{paint-order:stroke;stroke-width:3px;stroke-linejoin:round}.label .n{font-weight:600}");
        // A halo in the box colour keeps a label readable over overlap hatching.
        foreach (var l in lanes)
            s.Append(Inv($".label.lane-{LaneClass(l)}{{fill:{MapStyle.Ink(l)};stroke:{MapStyle.Fill(l)}}}"));
        s
         .Append("</style>\n");
        s.Append("<defs><pattern id=\"hatch\" patternUnits=\"userSpaceOnUse\" width=\"7\" height=\"7\" patternTransform=\"rotate(45)\">")
         .Append("<rect width=\"7\" height=\"7\" fill=\"").Append(MapStyle.OverlapRed).Append("\" fill-opacity=\"0.22\"/>")
         .Append("<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"7\" stroke=\"").Append(MapStyle.OverlapRed).Append("\" stroke-width=\"3.5\"/></pattern></defs>\n");
        s.Append("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
        s.Append(Inv($"<text x=\"12\" y=\"22\" style=\"font-size:15px;font-weight:600\">{Esc(m.Title)}</text>\n"));
        Legend(s, lanes);

        // Lane headers and background stripes.
        foreach (var l in lanes)
        {
            s.Append(Inv($"<rect class=\"lane-bg\" x=\"{laneX[l]:0.#}\" y=\"{Top:0}\" width=\"{LaneW:0}\" height=\"{scale.Length:0.#}\" fill=\"#f4f5f7\"/>"));
            s.Append(Inv($"<text class=\"lane-head\" x=\"{laneX[l] + LaneW / 2:0.#}\" y=\"{Top - 10:0}\" text-anchor=\"middle\" style=\"font-weight:600\">{Esc(MapStyle.LaneName(l))}</text>\n"));
        }

        Axis(s, scale, width);
        Holes(s, scale, lanes.Contains(MapLane.Ram) ? laneX[MapLane.Ram] : AxisW);

        // Labels go on top of the overlap hatching, in a layer that lets the pointer through to the boxes.
        var labels = new StringBuilder();
        for (var i = 0; i < m.Regions.Count; i++)
            Region(s, labels, m, i, scale, laneX[m.Regions[i].Lane], sub[i]);

        Breaks(s, scale, width);

        var labelX = AxisW + lanes.Count * (LaneW + Gap) + 4;
        foreach (var ov in m.Overlaps)
        {
            var (y0, y1) = Y(scale, ov.Range);
            var keys = string.Join(' ', ov.FindingKeys.Take(4 * MapStyle.MaxListed));
            if (o.LinkFindings && ov.FindingKeys.Count > 0) s.Append("<a href=\"#finding-").Append(Esc(ov.FindingKeys[0])).Append("\">");
            s.Append(Inv($"<g class=\"overlap\" id=\"{ov.Anchor}\" data-start=\"{Hex(ov.Range.Start)}\" data-end=\"{Hex(ov.Range.End)}\" data-findings=\"{Esc(keys)}\">"));
            s.Append("<title>").Append(Esc(MapStyle.OverlapTooltip(m, ov))).Append("</title>");
            foreach (var i in ov.Regions)
            {
                var (x, w) = BoxX(laneX[m.Regions[i].Lane], sub[i]);
                s.Append(Inv($"<rect x=\"{x:0.#}\" y=\"{y0:0.#}\" width=\"{w:0.#}\" height=\"{y1 - y0:0.#}\"/>"));
            }
            // The label sits in the right margin, joined to the rightmost box it marks, so it never covers another lane.
            var last = ov.Regions.Max(i => RightEdge(laneX[m.Regions[i].Lane], sub[i]));
            var mid = (y0 + y1) / 2;
            var ids = string.Join(", ", ov.FindingKeys.Take(4 * MapStyle.MaxListed).Select(k => m.FindingByKey(k)?.Id).OfType<string>().Distinct());
            s.Append(Inv($"<line x1=\"{last:0.#}\" y1=\"{mid:0.#}\" x2=\"{labelX - 2:0.#}\" y2=\"{mid:0.#}\" stroke=\"{MapStyle.OverlapRed}\" stroke-width=\"1.5\"/>"));
            s.Append(Inv($"<text x=\"{labelX:0.#}\" y=\"{mid + 4:0.#}\" fill=\"{MapStyle.OverlapRed}\" style=\"font-weight:700\">✖ {Esc(MapStyle.Size(ov.Range.Size))}{(ids.Length > 0 ? " " + Esc(ids) : "")}</text>"));
            s.Append("</g>");
            if (o.LinkFindings && ov.FindingKeys.Count > 0) s.Append("</a>");
            s.Append('\n');
        }

        s.Append("<g class=\"labels\" pointer-events=\"none\">\n").Append(labels).Append("</g>\n");

        var right = AxisW + lanes.Count * (LaneW + Gap);
        foreach (var mk in m.Markers)
        {
            var y = scale.Position(mk.Address) + Top;
            s.Append(Inv($"<g class=\"marker\" data-address=\"{Hex(mk.Address)}\"><title>{Esc(MapStyle.MarkerTooltip(mk))}</title>"));
            s.Append(Inv($"<line x1=\"{AxisW - 6:0}\" y1=\"{y:0.#}\" x2=\"{right + 4:0}\" y2=\"{y:0.#}\" stroke=\"#c2185b\" stroke-width=\"2\" stroke-dasharray=\"6 3\"/>"));
            s.Append(Inv($"<path d=\"M{right + 4:0},{y:0.#} l8,-6 l0,12 z\" fill=\"#c2185b\"/>"));
            s.Append(Inv($"<text x=\"{right + 16:0}\" y=\"{y + 4:0.#}\" fill=\"#c2185b\" style=\"font-weight:700\">{Esc(Fit(mk.Label + " " + MapStyle.Address(mk.Address), RightW - 20))}</text></g>\n"));
        }
        s.Append("</svg>\n");
    }

    private static void Legend(StringBuilder s, IReadOnlyList<MapLane> lanes)
    {
        double x = 12, y = 42;
        void Item(string swatch, string label)
        {
            var w = 22 + label.Length * CharW + 16;
            if (x + w > AxisW + lanes.Count * (LaneW + Gap) + RightW - 12) { x = 12; y += 18; }
            s.Append(Inv($"<g class=\"legend-item\" transform=\"translate({x:0.#},{y:0.#})\">{swatch}<text x=\"20\" y=\"10\">{Esc(label)}</text></g>"));
            x += w;
        }
        foreach (var l in lanes)
            Item($"<rect width=\"14\" height=\"12\" rx=\"2\" fill=\"{MapStyle.Fill(l)}\" stroke=\"#00000055\"/>", MapStyle.LaneName(l));
        Item("<rect width=\"14\" height=\"12\" fill=\"url(#hatch)\" stroke=\"" + MapStyle.OverlapRed + "\" stroke-width=\"2\"/>", "overlap");
        Item("<rect width=\"14\" height=\"12\" fill=\"#f28e2b\" stroke=\"#7a3d00\" stroke-dasharray=\"3 2\" stroke-width=\"1.5\"/>", "given to the page allocator");
        Item("<path d=\"M0,6 l3.5,-4 l3.5,8 l3.5,-8 l3.5,4\" fill=\"none\" stroke=\"#555\" stroke-width=\"1.5\"/>", "collapsed stretch (not to scale)");
        s.Append('\n');
    }

    private static void Axis(StringBuilder s, MapScale scale, double width)
    {
        var grid = new StringBuilder();
        s.Append("<g class=\"axis\">");
        foreach (var seg in scale.Segments)
        {
            var y = seg.Start + Top;
            grid.Append(Inv($"M{AxisW - 8:0},{y:0.#}H{width - RightW + 4:0}"));
            s.Append(Inv($"<rect class=\"seg\" x=\"0\" y=\"{y:0.#}\" width=\"{AxisW - 8:0}\" height=\"{seg.Length:0.#}\" fill=\"transparent\" data-start=\"{Hex(seg.Range.Start)}\" data-end=\"{Hex(seg.Range.End)}\">"));
            s.Append("<title>").Append(Esc($"{seg.Range.ToKernelString()} {MapStyle.Size(seg.Range.Size)}{(seg.Collapsed ? " (collapsed)" : "")}")).Append("</title></rect>");
            s.Append(Inv($"<text class=\"mono addr\" x=\"{AxisW - 12:0}\" y=\"{y + 4:0.#}\" text-anchor=\"end\">{MapStyle.Address(seg.Range.Start)}</text>"));
            if (seg.Collapsed)
                s.Append(Inv($"<text class=\"mono\" x=\"{AxisW - 12:0}\" y=\"{y + seg.Length / 2 + 4:0.#}\" text-anchor=\"end\" fill=\"#777\">≈ {Esc(MapStyle.Size(seg.Range.Size))}</text>"));
        }
        if (scale.Segments.Count > 0)
            s.Append(Inv($"<text class=\"mono addr\" x=\"{AxisW - 12:0}\" y=\"{scale.Length + Top + 4:0.#}\" text-anchor=\"end\">{MapStyle.Address(scale.Segments[^1].Range.End)}</text>"));
        s.Append("<path class=\"grid\" d=\"").Append(grid).Append("\" stroke=\"#e1e3e8\"/></g>\n");
    }

    /// <summary>Holes in the RAM lane, so a gap between banks reads as "no RAM here" rather than as nothing drawn.</summary>
    private static void Holes(StringBuilder s, MapScale scale, double x)
    {
        foreach (var seg in scale.Segments.Where(g => g.Kind == SegmentKind.Hole))
        {
            s.Append(Inv($"<g class=\"hole\"><title>{Esc($"hole (not RAM) {seg.Range.ToKernelString()} {MapStyle.Size(seg.Range.Size)}")}</title>"));
            s.Append(Inv($"<rect x=\"{x + 1:0.#}\" y=\"{seg.Start + Top + 1:0.#}\" width=\"{LaneW - 2:0}\" height=\"{Math.Max(1, seg.Length - 2):0.#}\" fill=\"none\" stroke=\"#9aa0a6\" stroke-dasharray=\"4 3\"/>"));
            s.Append(Inv($"<text x=\"{x + 6:0.#}\" y=\"{seg.Start + Top + 14:0.#}\" fill=\"#666\">hole {Esc(MapStyle.Size(seg.Range.Size))}</text></g>\n"));
        }
    }

    private static void Region(StringBuilder s, StringBuilder labels, MapModel m, int i, MapScale scale, double laneX, (int Col, int Of) sub)
    {
        var r = m.Regions[i];
        var (y0, y1) = Y(scale, r.Range);
        var (x, w) = BoxX(laneX, sub);
        var h = y1 - y0;
        var cls = "region lane-" + LaneClass(r.Lane) + (r.GivenToPageAllocator ? " given" : "") + (r.Assumed ? " assumed" : "");
        var findings = string.Join(' ', m.RegionFindings[i]);
        s.Append(Inv($"<g class=\"{cls}\" data-start=\"{Hex(r.Range.Start)}\" data-end=\"{Hex(r.Range.End)}\""));
        if (findings.Length > 0) s.Append(" data-findings=\"").Append(Esc(findings)).Append('"');
        s.Append("><title>").Append(Esc(MapStyle.Tooltip(m, i))).Append("</title>");
        s.Append(Inv($"<rect class=\"box\" x=\"{x + 1:0.#}\" y=\"{y0 + 0.5:0.#}\" width=\"{w - 2:0.#}\" height=\"{Math.Max(1, h - 1):0.#}\" rx=\"3\" fill=\"{MapStyle.Fill(r.Lane)}\"/>"));
        var size = MapStyle.Size(r.Range.Size) + (r.GivenToPageAllocator ? " → page allocator" : "");
        s.Append("</g>\n");
        labels.Append(Inv($"<g class=\"label lane-{LaneClass(r.Lane)}\">"));
        if (h >= 30)
        {
            labels.Append(Inv($"<text class=\"n\" x=\"{x + 6:0.#}\" y=\"{y0 + 14:0.#}\">{Esc(Fit(r.Label, w - 10))}</text>"));
            labels.Append(Inv($"<text x=\"{x + 6:0.#}\" y=\"{y0 + 26:0.#}\">{Esc(Fit(size, w - 10))}</text>"));
        }
        else
        {
            labels.Append(Inv($"<text x=\"{x + 6:0.#}\" y=\"{y0 + h / 2 + 4:0.#}\">{Esc(Fit(r.Label + " · " + size, w - 10))}</text>"));
        }
        labels.Append("</g>\n");
    }

    /// <summary>A zigzag cut across every lane in the middle of each collapsed stretch.</summary>
    private static void Breaks(StringBuilder s, MapScale scale, double width)
    {
        foreach (var seg in scale.Segments.Where(g => g.Collapsed))
        {
            var y = seg.Start + Top + seg.Length / 2;
            var zig = new StringBuilder();
            for (var x = AxisW - 6; x < width - RightW; x += 8)
                zig.Append(Inv($" L{x + 4:0.#},{y - 4:0.#} L{x + 8:0.#},{y + 4:0.#}"));
            s.Append(Inv($"<g class=\"break\"><title>{Esc($"collapsed: {seg.Range.ToKernelString()} {MapStyle.Size(seg.Range.Size)} of {(seg.Kind == SegmentKind.Hole ? "hole" : "free RAM")}, not to scale")}</title>"));
            s.Append(Inv($"<path d=\"M{AxisW - 6:0},{y + 3:0.#}{zig}\" fill=\"none\" stroke=\"#ffffff\" stroke-width=\"7\"/>"));
            s.Append(Inv($"<path d=\"M{AxisW - 6:0},{y:0.#}{zig}\" fill=\"none\" stroke=\"#666\" stroke-width=\"1.2\"/></g>\n"));
        }
    }

    /// <summary>Regions of one lane that overlap each other share the lane side by side: column index and count per region.</summary>
    private static (int Col, int Of)[] SubColumns(MapModel m)
    {
        var result = new (int Col, int Of)[m.Regions.Count];
        foreach (var lane in m.Regions.Select(r => r.Lane).Distinct())
        {
            var idx = Enumerable.Range(0, m.Regions.Count).Where(i => m.Regions[i].Lane == lane).ToList();
            var colEnd = new List<ulong>();
            var cluster = new List<int>();
            ulong clusterEnd = 0;
            void Close()
            {
                foreach (var c in cluster) result[c] = (result[c].Col, colEnd.Count);
                cluster.Clear();
                colEnd.Clear();
            }
            foreach (var i in idx)
            {
                var r = m.Regions[i].Range;
                if (cluster.Count > 0 && r.Start >= clusterEnd) Close();
                var col = colEnd.FindIndex(e => e <= r.Start);
                if (col < 0) { col = colEnd.Count; colEnd.Add(r.End); } else colEnd[col] = r.End;
                result[i] = (col, 0);
                cluster.Add(i);
                clusterEnd = cluster.Count == 1 ? r.End : Math.Max(clusterEnd, r.End);
            }
            Close();
        }
        return result;
    }

    private static (double X, double W) BoxX(double laneX, (int Col, int Of) sub)
    {
        var w = LaneW / Math.Max(1, sub.Of);
        return (laneX + sub.Col * w, w);
    }

    private static double RightEdge(double laneX, (int Col, int Of) sub)
    {
        var (x, w) = BoxX(laneX, sub);
        return x + w;
    }

    private static (double, double) Y(MapScale scale, AddressRange r)
    {
        var (a, b) = scale.Span(r);
        return (a + Top, b + Top);
    }

    /// <summary>Shortens text to the box width with an ellipsis; the tooltip keeps the whole.</summary>
    private static string Fit(string text, double width)
    {
        var max = Math.Max(3, (int)(width / CharW));
        return text.Length <= max ? text : text[..(max - 1)] + "…";
    }

    private static string LaneClass(MapLane lane) => lane.ToString().ToLowerInvariant();

    private static string Hex(ulong v) => "0x" + v.ToString("x", CultureInfo.InvariantCulture);

    private static string Inv(FormattableString f) => f.ToString(CultureInfo.InvariantCulture);

    internal static string Esc(string text)
    {
        var sb = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            switch (c)
            {
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '&': sb.Append("&amp;"); break;
                case '"': sb.Append("&quot;"); break;
                case '\'': sb.Append("&#39;"); break;
                default:
                    if (c < ' ' && c != '\n' && c != '\t') sb.Append('\uFFFD');
                    else sb.Append(c);
                    break;
            }
        }
        return sb.ToString();
    }
}
