using Dtmem.Diagnosis;
using Dtmem.Diagnosis.Attribution;
using Dtmem.Diagnosis.RootCause;
using Dtmem.Layout.Checks;
using Dtmem.Layout.Ranges;
using Dtmem.Reports.Diagnosis;

namespace Dtmem.Reports.Map;

public sealed partial class MapModel
{
    /// <summary>
    /// The map of a diagnosis or a boot log: the regions every source showed (one box per thing, however many lines
    /// describe it), the root-cause findings, and the faulting physical address as a marker.
    /// </summary>
    public static MapModel FromDiagnosis(DiagnosisReport report, string input, string? title = null)
    {
        var regions = MapRegions(report.Regions.Regions);
        var findings = report.Findings.Select((f, i) => Finding($"f{i + 1}", f)).ToList();
        var markers = new List<MapMarker>();
        if (report.FaultPhysical is { } pa && report.Translation is { } t)
            markers.Add(new MapMarker(pa, $"fault PA 0x{pa:x}")
            {
                Detail = $"VA 0x{t.VirtualAddress:x16} -> PA 0x{pa:x} ({t.Method})" + (report.Primary?.Comm is { } c ? $", task {c.Value}" : ""),
            });
        var assumptions = report.Translation?.Parameters is { } p
            ? new[] { p.VaBits, }.Where(f => f.IsAssumed).Select(f => $"VA bits {f.Value}: {f.Origin}").ToList()
            : [];
        return new MapModel(title ?? $"{input}: physical memory as the evidence shows it", regions, findings, markers)
        {
            Input = input,
            Assumptions = assumptions,
        };
    }

    /// <summary>One box per distinct thing: merged memblock views and device MMIO are left out, RAM is one box per bank,
    /// a memblock reservation that is the same range as a named pool is that pool, and pieces of a reservation lying
    /// inside a bigger non-RAM region are drawn as nested, not as overlaps.</summary>
    private static List<MapRegion> MapRegions(IReadOnlyList<KnownRegion> all)
    {
        var ram = new RangeSet(all.Where(r => r.Role == RegionRole.Ram).Select(r => r.Range)).Ranges;
        bool hasIomemKernel = all.Any(r => r.Role is RegionRole.KernelCode or RegionRole.KernelData);
        var named = all.Where(r => r.Role is RegionRole.CmaPool or RegionRole.DefaultCma or RegionRole.NoMap or RegionRole.DmaPool or RegionRole.ReserveFailed).ToList();
        var kept = new List<KnownRegion>();
        foreach (var r in all.OrderBy(r => r.Inferred).ThenBy(r => r.Source.Span is null))
        {
            if (r.Role == RegionRole.Ram) continue;
            if (r.Name is "memblock.reserved" or "memblock.memory") continue; // merged views: they overlap everything
            if (r.Role == RegionRole.Other && !ram.Any(x => x.Overlaps(r.Range))) continue;
            if (r.Role == RegionRole.KernelImage && r.Inferred && hasIomemKernel) continue;
            if (r.Role == RegionRole.Reserved && named.Any(n => n.Range == r.Range)) continue;
            if (kept.Any(k => k.Range == r.Range && Lane(k) == Lane(r))) continue;
            kept.Add(r);
        }

        var regions = new List<MapRegion>();
        foreach (var bank in ram)
        {
            var src = all.FirstOrDefault(r => r.Role == RegionRole.Ram && r.Range.Overlaps(bank));
            regions.Add(new MapRegion(MapLane.Ram, bank, "RAM") { Source = src is null ? null : Source(src) });
        }
        foreach (var r in kept)
        {
            var lane = Lane(r);
            bool nested = r.Role is RegionRole.Reserved or RegionRole.Other
                          && kept.Any(o => o != r && o.Role is not (RegionRole.Reserved or RegionRole.Other) && o.Range.Contains(r.Range));
            regions.Add(new MapRegion(lane, r.Range, Label(r))
            {
                NodePath = r.Name.StartsWith('/') ? r.Name : null,
                Source = Source(r),
                Notes = [.. new[] { DiagnosisText.RoleText(r.Role), r.Detail, r.Inferred ? "inferred from the memblock caller" : null }.OfType<string>()],
                GivenToPageAllocator = r.IsCma,
                Assumed = r.Inferred,
                Nested = nested || (r.Role == RegionRole.Reserved && kept.Any(k => k.IsKernel && k.Range.Contains(r.Range))),
            });
        }
        return regions;
    }

    private static MapLane Lane(KnownRegion r) => r.Role switch
    {
        RegionRole.KernelImage or RegionRole.KernelCode or RegionRole.KernelData => MapLane.Kernel,
        RegionRole.Initrd or RegionRole.Dtb => MapLane.InitrdDtb,
        RegionRole.MemReserve => MapLane.MemReserve,
        RegionRole.NoMap => MapLane.NoMap,
        RegionRole.Reserved or RegionRole.DmaPool => MapLane.Reserved,
        RegionRole.CmaPool => MapLane.Cma,
        RegionRole.DefaultCma => MapLane.DefaultCma,
        _ => MapLane.Other,
    };

    private static string Label(KnownRegion r)
    {
        // A node path shows its last component; other names ("reserved-memory / memreserve (DT)") stay whole.
        var name = r.Name;
        int slash = name.LastIndexOf('/');
        return name.StartsWith('/') && slash < name.Length - 1 ? name[(slash + 1)..] : name;
    }

    private static string Source(KnownRegion r) => $"{r.Source.Kind} {r.Source.Format(DiagnosisText.Rel)}";

    private static MapFinding Finding(string key, RootCauseFinding f) =>
        new(key, f.Id, f.Title, f.ExplainsFault || f.Confidence == Confidence.High ? Severity.Error : Severity.Warning, f.Statement)
        {
            Range = f.Culprit?.Range,
            Subject = f.Culprit?.Name,
            Location = f.Culprit?.Source.Span is { } s ? $"{DiagnosisText.Rel(s.File)}:{s.Line}:{s.Column}"
                : f.Culprit?.Source.Line is { } l ? $"{DiagnosisText.Rel(l.File)}:{l.Line}" : null,
            Rationale = $"{DiagnosisText.Confidence(f.Confidence)} confidence",
            Fix = f.Fix,
            Notes = [.. f.Evidence.Select(e => e.Source is { } src ? $"{e.Text} ({src.Kind} {src.Format(DiagnosisText.Rel)})" : e.Text)],
        };
}
