using Dtmem.Diagnosis;
using Dtmem.Diagnosis.Attribution;

namespace Dtmem.Reports.Diagnosis;

/// <summary>`dtmem bootlog`: the layout rebuilt from boot evidence, address-ordered, then what overlaps.</summary>
public static class BootLayoutText
{
    public static void Write(TextWriter w, DiagnosisReport r, string input)
    {
        var regions = r.Regions.Regions.OrderBy(x => x.Range.Start).ThenByDescending(x => x.Range.Size).ToList();
        w.WriteLine($"== Layout from {input}{(r.Version is { } v ? $" (Linux {v.Value})" : "")}: {regions.Count} ranges");
        if (regions.Count == 0)
            w.WriteLine("  no memory ranges found: the log needs memblock=debug, reserved-memory/CMA lines, Zone/Early memory node ranges, or /proc/iomem lines");
        // Nesting by containment shows iomem's tree and the kernel inside RAM: a stack of the enclosing ranges.
        var open = new List<KnownRegion>();
        foreach (var g in regions)
        {
            while (open.Count > 0 && !open[^1].Range.Contains(g.Range)) open.RemoveAt(open.Count - 1);
            int depth = open.Count;
            open.Add(g);
            var indent = new string(' ', 2 + 2 * Math.Min(depth, 4));
            w.WriteLine($"{indent}{g.Range.ToKernelString()} {Layout.Ranges.SizeText.Human(g.Range.Size),9}  {DiagnosisText.RoleText(g.Role),-14} {g.Name}{(g.Inferred ? " (inferred)" : "")}   [{g.Source.Kind} {Where(g.Source)}]");
        }
        if (r.Boot?.Memory is { } m) w.WriteLine($"  Memory: {m.AvailableKiB}K/{m.TotalKiB}K available ({m.Source})");
        DiagnosisText.WriteInputNotes(w, r);
        w.WriteLine();
        w.WriteLine("== Findings");
        if (r.Findings.Count == 0) w.WriteLine("  none: no CMA pool over the kernel image and no forensic sign of one");
        foreach (var f in r.Findings) DiagnosisText.WriteFinding(w, f);
    }

    private static string Where(RegionSource s) =>
        s.Line is { } l ? $"{DiagnosisText.Rel(l.File)}:{l.Line}" : s.Span is { } sp ? $"{DiagnosisText.Rel(sp.File)}:{sp.Line}" : s.Text;
}
