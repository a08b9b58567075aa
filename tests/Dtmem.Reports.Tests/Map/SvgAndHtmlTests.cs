using System.Text.RegularExpressions;
using System.Xml.Linq;
using Dtmem.Reports.Map;
using static Dtmem.Reports.Tests.Map.MapFixtures;

namespace Dtmem.Reports.Tests.Map;

/// <summary>Golden structure of the drawings (which boxes, labels, overlaps, breaks), not pixels.</summary>
public partial class SvgAndHtmlTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private static bool HasClass(XElement e, string c) => (e.Attribute("class")?.Value ?? "").Split(' ').Contains(c);

    /// <summary>One line per box, overlap and break, in document order: the structure the golden pins.</summary>
    private static string Structure(XDocument doc)
    {
        var lines = new List<string>();
        foreach (var g in doc.Descendants(Svg + "g"))
        {
            var cls = g.Attribute("class")?.Value ?? "";
            if (HasClass(g, "region"))
                lines.Add($"box {cls} {g.Attribute("data-start")!.Value}-{g.Attribute("data-end")!.Value} findings=[{g.Attribute("data-findings")?.Value}]");
            else if (HasClass(g, "overlap"))
                lines.Add($"overlap #{g.Attribute("id")!.Value} {g.Attribute("data-start")!.Value}-{g.Attribute("data-end")!.Value} findings=[{g.Attribute("data-findings")!.Value}] rects={g.Elements(Svg + "rect").Count()}");
            else if (HasClass(g, "break"))
                lines.Add("break " + g.Element(Svg + "title")!.Value);
            else if (HasClass(g, "label"))
                lines.Add("label " + string.Join(" | ", g.Elements(Svg + "text").Select(t => t.Value)));
        }
        return string.Join('\n', lines);
    }

    [Fact]
    public void SeedSvgGolden()
    {
        var doc = XDocument.Parse(SvgMap.ToString(SeedMap()));
        Assert.Equal("""
            box region lane-ram 0x0-0x80000000 findings=[]
            box region lane-reserved 0x110000-0x200000 findings=[]
            box region lane-nomap 0x8000000-0x8100000 findings=[]
            box region lane-cma given 0x10000000-0x10800000 findings=[f1]
            box region lane-other 0x10000000-0x10040000 findings=[]
            box region lane-kernel 0x10080000-0x11880000 findings=[f1]
            break collapsed: [0x0000000000200000-0x0000000007ffffff] 126 MiB of free RAM, not to scale
            break collapsed: [0x0000000008100000-0x000000000fffffff] 127 MiB of free RAM, not to scale
            break collapsed: [0x0000000011880000-0x000000007fffffff] 1.73 GiB of free RAM, not to scale
            overlap #overlap-1 0x10080000-0x10800000 findings=[f1] rects=2
            label RAM | 2 GiB
            label ramoops@110000 | 960 KiB
            label fw@8000000 | 1 MiB
            label linux,cma | 8 MiB → page allocator
            label atomic pool | 256 KiB
            label kernel image | 24 MiB
            """.ReplaceLineEndings("\n"), Structure(doc));
    }

    [Fact]
    public void EveryBoxHasATitleWithPathSourceRangeAndSize()
    {
        var doc = XDocument.Parse(SvgMap.ToString(SeedMap()));
        var cma = doc.Descendants(Svg + "g").Single(g => HasClass(g, "region") && HasClass(g, "lane-cma"));
        Assert.Equal("""
            linux,cma (CMA pools)
            node: /reserved-memory/linux,cma
            source: seed.dts:7:63
            range: [0x0000000010000000-0x00000000107fffff]
            size: 8 MiB (0x800000 bytes)
            """.ReplaceLineEndings("\n"), string.Join('\n', cma.Element(Svg + "title")!.Value.Split('\n').Take(5)));
        Assert.Contains("given to the page allocator", cma.Element(Svg + "title")!.Value, StringComparison.Ordinal);
        Assert.All(doc.Descendants(Svg + "g").Where(g => HasClass(g, "region")), g =>
            Assert.Matches(@"range: \[0x[0-9a-f]{16}-0x[0-9a-f]{16}\]\nsize: ", g.Element(Svg + "title")!.Value));
        var overlap = doc.Descendants(Svg + "g").Single(g => HasClass(g, "overlap"));
        Assert.StartsWith("OVERLAP [0x0000000010080000-0x00000000107fffff] (7680 KiB (0x780000 bytes))\n", overlap.Element(Svg + "title")!.Value, StringComparison.Ordinal);
        Assert.Contains("DTM003 cma-overlaps-kernel: reusable CMA region", overlap.Element(Svg + "title")!.Value, StringComparison.Ordinal);
        // The overlap is hatched red over both boxes.
        Assert.Contains("fill:url(#hatch)", doc.Descendants(Svg + "style").Single().Value, StringComparison.Ordinal);
        Assert.NotNull(doc.Descendants(Svg + "pattern").SingleOrDefault(p => p.Attribute("id")?.Value == "hatch"));
    }

    [Fact]
    public void MarkerIsDrawnAtItsAddress()
    {
        var doc = XDocument.Parse(SvgMap.ToString(SeedMap().WithMarker(new MapMarker(0x10081000, "fault PA") { Detail = "write to read-only memory" })));
        var g = doc.Descendants(Svg + "g").Single(x => HasClass(x, "marker"));
        Assert.Equal("0x10081000", g.Attribute("data-address")!.Value);
        Assert.Equal("fault PA at 0x0000000010081000\nwrite to read-only memory", g.Element(Svg + "title")!.Value);
        // The marker line lies inside the overlap's vertical span.
        var y = double.Parse(g.Element(Svg + "line")!.Attribute("y1")!.Value, System.Globalization.CultureInfo.InvariantCulture);
        var rect = doc.Descendants(Svg + "g").Single(x => HasClass(x, "overlap")).Element(Svg + "rect")!;
        var top = double.Parse(rect.Attribute("y")!.Value, System.Globalization.CultureInfo.InvariantCulture);
        var height = double.Parse(rect.Attribute("height")!.Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(y, top, top + height);
    }

    [Fact]
    public void HtmlReportIsSelfContainedAndLinksOverlapsToFindings()
    {
        var html = HtmlReport.ToString(SeedMap());
        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        // No network: the only URL is the SVG namespace; no external script, stylesheet, font or image.
        Assert.Equal(["http://www.w3.org/2000/svg"], UrlRegex().Matches(html).Select(x => x.Value).Distinct());
        Assert.DoesNotMatch(@"<script[^>]+src=|<link\b|@import|url\((?!#)", html);
        // The overlap links to the DTM003 finding, which carries the check's rationale and fix.
        Assert.Contains("<a href=\"#finding-f1\"><g class=\"overlap\" id=\"overlap-1\"", html, StringComparison.Ordinal);
        var check = Regex.Match(html, "<article class=\"check sev-error\" id=\"check-DTM003\">(.*?)</article>", RegexOptions.Singleline);
        Assert.True(check.Success);
        Assert.Contains("DTM003 <code>cma-overlaps-kernel</code>", check.Value, StringComparison.Ordinal);
        Assert.Contains("<div class=\"finding sev-error\" id=\"finding-f1\">", check.Value, StringComparison.Ordinal);
        Assert.Contains("<h4>Why</h4>", check.Value, StringComparison.Ordinal);
        Assert.Contains("<h4>Fix</h4>", check.Value, StringComparison.Ordinal);
        Assert.Contains("href=\"#overlap-1\"", check.Value, StringComparison.Ordinal);
        // The simulated events are listed, the CMA pool line among them.
        Assert.Contains("Reserved memory: created CMA memory pool at 0x0000000010000000, size 8 MiB", html, StringComparison.Ordinal);
        Assert.Contains("id=\"zoom\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public void EmptyModelStillDrawsValidDocuments()
    {
        var m = new MapModel("nothing", []);
        var doc = XDocument.Parse(SvgMap.ToString(m));
        Assert.DoesNotContain(doc.Descendants(Svg + "g"), g => HasClass(g, "region"));
        Assert.Contains("<p>No findings.</p>", HtmlReport.ToString(m), StringComparison.Ordinal);
        using var w = new StringWriter();
        TerminalMap.Write(w, m);
        Assert.Contains("(no RAM and no region known: nothing to draw)", w.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void TextIsEscaped()
    {
        var m = new MapModel("a <b> & \"c\"", [new(MapLane.Reserved, R(0x1000, 0x1000), "x<y>&") { NodePath = "/reserved-memory/\"q\"" }]);
        var doc = XDocument.Parse(SvgMap.ToString(m));
        Assert.Equal("a <b> & \"c\"", doc.Root!.Element(Svg + "title")!.Value);
        Assert.Contains("node: /reserved-memory/\"q\"", doc.Descendants(Svg + "g").Single(g => HasClass(g, "region")).Value, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>", HtmlReport.ToString(m), StringComparison.Ordinal);
    }

    [Fact]
    public void RationaleAndFixAppearOncePerCheck()
    {
        var findings = Enumerable.Range(1, 3).Select(i => new MapFinding($"f{i}", "DTM018", "regions-overlap", Layout.Checks.Severity.Warning, $"overlap {i}")
        {
            Rationale = "the why",
            Fix = "the fix",
        });
        var html = HtmlReport.ToString(new MapModel("t", [new(MapLane.Reserved, R(0x1000, 0x1000), "a")], findings));
        Assert.Equal(1, Regex.Count(html, "<h4>Why</h4><p>the why</p>"));
        Assert.Equal(3, Regex.Count(html, "<div class=\"finding sev-warning\" id=\"finding-f[123]\">"));
    }

    [Fact]
    public void FiveHundredRegionsStayUnderTwoMegabytes()
    {
        var m = Large(500);
        Assert.Equal(503, m.Regions.Count);
        var svg = SvgMap.ToString(m);
        var doc = XDocument.Parse(svg);
        Assert.Equal(503, doc.Descendants(Svg + "g").Count(g => HasClass(g, "region")));
        Assert.Equal(m.Overlaps.Count, doc.Descendants(Svg + "g").Count(g => HasClass(g, "overlap")));
        Assert.NotEmpty(m.Overlaps);
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(HtmlReport.ToString(m)) < 2_000_000);
    }

    [GeneratedRegex(@"https?://[^\s""'<>)]+")]
    private static partial Regex UrlRegex();
}
