using Dtmem.Diagnosis;
using Dtmem.Diagnosis.Attribution;
using Dtmem.Diagnosis.RootCause;
using Dtmem.Layout.Ranges;

namespace Dtmem.Reports.Diagnosis;

/// <summary>The human report of `dtmem diagnose`: fault, ESR, translation, regions, root cause, each with its sources.</summary>
public static class DiagnosisText
{
    public static void Write(TextWriter w, DiagnosisReport r, string logName)
    {
        var o = r.Primary;
        if (o is null)
        {
            w.WriteLine($"{logName}: no oops, BUG, WARNING or panic report found");
        }
        else
        {
            w.WriteLine("== Fault");
            var headline = o.FaultDescription?.Source ?? o.DieLine?.Source ?? o.PanicMessage?.Source ?? o.Start;
            w.WriteLine($"{Rel(headline.File)}:{headline.Line}: {headline.Raw.Trim()}");
            if (o.FaultAddress is { } fa) w.WriteLine($"  address    0x{fa.Value:x16}");
            var who = new List<string>();
            if (o.KernelVersion is { } kv) who.Add("Linux " + kv.Value);
            if (o.Comm is { } comm) who.Add($"comm {comm.Value}");
            if (o.Pid is { } pid) who.Add($"pid {pid.Value}");
            if (o.Cpu is { } cpu) who.Add($"CPU {cpu.Value}");
            if (who.Count > 0) w.WriteLine($"  task       {string.Join(", ", who)}");
            if (o.Hardware is { } hw) w.WriteLine($"  hardware   {hw.Value}");
            if (o.Pc is { } pc) w.WriteLine($"  pc         {pc.Value}");
            if (o.Lr is { } lr) w.WriteLine($"  lr         {lr.Value}");
            if (o.CallTrace.Count > 0)
                w.WriteLine($"  call trace {string.Join(" <- ", o.CallTrace.Take(4).Select(f => f.Location.Symbol ?? f.Location.ToString()))}{(o.CallTrace.Count > 4 ? " ..." : "")}");
            if (r.Oopses.Count > 1)
                w.WriteLine($"  ({r.Oopses.Count - 1} more report(s) in the log: {string.Join(", ", r.Oopses.Where(x => x != o).Select(x => x.Start.ToString()))}; the first fault is diagnosed)");

            if (o.EsrDecoded is { } esr)
            {
                w.WriteLine();
                w.WriteLine("== ESR");
                EsrText.Write(w, esr);
                foreach (var n in o.Notes.Where(n => n.Code.StartsWith("esr", StringComparison.OrdinalIgnoreCase)))
                    w.WriteLine($"  note: {n.Message}");
            }
        }

        if (r.Translation is null && o?.FaultAddress is not null && o.Arch is not Dtmem.Diagnosis.Oops.OopsArch.Arm64)
        {
            w.WriteLine();
            w.WriteLine($"== Translation\n  not attempted: VA->PA translation is modelled for arm64; this is a {o.Arch} report");
        }

        if (r.Translation is { } t)
        {
            w.WriteLine();
            w.WriteLine("== Translation");
            w.WriteLine($"VA 0x{t.VirtualAddress:x16}: {Region(t.Region)}");
            foreach (var s in t.Steps) w.WriteLine("  " + s);
            foreach (var n in t.Notes) w.WriteLine("  note: " + n);
            w.WriteLine(t.PhysicalAddress is { } pa ? $"=> PA 0x{pa:x} ({t.Method})" : "=> PA unknown");
        }

        if (r.FaultPhysical is { } fpa)
        {
            w.WriteLine();
            w.WriteLine($"== Regions holding PA 0x{fpa:x}");
            if (r.Hits.Count == 0)
                w.WriteLine(r.Regions.Regions.Count == 0
                    ? "  (no layout known: pass --dt, --iomem or --bootlog)"
                    : "  none of the known regions");
            foreach (var h in r.Hits) WriteRegion(w, h);
        }

        var fault = r.Findings.Where(f => f.ExplainsFault).ToList();
        var layout = r.Findings.Where(f => !f.ExplainsFault).ToList();
        w.WriteLine();
        w.WriteLine("== Root cause");
        if (fault.Count == 0) w.WriteLine(o is null ? "  (no fault to explain)" : "  no rule explains this fault from the evidence given");
        foreach (var f in fault) WriteFinding(w, f);
        if (layout.Count > 0)
        {
            w.WriteLine();
            w.WriteLine("== Layout problems seen in the evidence");
            foreach (var f in layout) WriteFinding(w, f);
        }
        if (r.Boot is { Notes.Count: > 0 })
        {
            w.WriteLine();
            w.WriteLine("== Input notes");
            WriteInputNotes(w, r);
        }
    }

    /// <summary>What the readers could not take in whole (cut lines, zeroed iomem, unparsed ranges): the evidence may be partial.</summary>
    public static void WriteInputNotes(TextWriter w, DiagnosisReport r)
    {
        if (r.Boot is not { } boot) return;
        const int shown = 10;
        foreach (var n in boot.Notes.Take(shown))
            w.WriteLine($"  {(n.Source is { } s ? $"{Rel(s.File)}:{s.Line}: " : "")}note: {n.Message}");
        if (boot.Notes.Count > shown) w.WriteLine($"  ... {boot.Notes.Count - shown} more notes (--format json lists them all)");
    }

    public static void WriteRegion(TextWriter w, KnownRegion h)
    {
        w.WriteLine($"  {h.Range.ToKernelString()} {SizeText.Human(h.Range.Size),9}  {RoleText(h.Role),-14} {h.Name}{(h.Inferred ? " (inferred)" : "")}");
        if (h.Detail is { } d) w.WriteLine($"      {d}");
        w.WriteLine($"      from {h.Source.Kind}: {h.Source.Format(Rel)}");
    }

    public static void WriteFinding(TextWriter w, RootCauseFinding f)
    {
        // The culprit's DTS line leads, in the compiler style editors and CI annotate.
        var at = f.Culprit?.Source.Span is { } s ? $"{Rel(s.File)}:{s.Line}:{s.Column}: " : f.Culprit?.Source.Line is { } l ? $"{Rel(l.File)}:{l.Line}: " : "";
        w.WriteLine($"{at}{(f.ExplainsFault || f.Confidence == Dtmem.Diagnosis.RootCause.Confidence.High ? "error" : "warning")}: {f.Id}: {f.Title} ({Confidence(f.Confidence)} confidence)");
        w.WriteLine("  " + f.Statement);
        w.WriteLine("  evidence:");
        foreach (var e in f.Evidence)
            w.WriteLine($"    - {e.Text}{(e.Source is { } src ? $"\n        {src.Kind}: {src.Format(Rel)}" : "")}");
        w.WriteLine("  fix: " + f.Fix);
    }

    /// <summary>File names relative to the working folder, as compilers print them.</summary>
    public static string Rel(string file) => Findings.SourcePaths.Relative(file, Environment.CurrentDirectory);

    public static string Confidence(Confidence c) => c switch
    {
        Dtmem.Diagnosis.RootCause.Confidence.High => "high",
        Dtmem.Diagnosis.RootCause.Confidence.Medium => "medium",
        _ => "low",
    };

    public static string Region(Dtmem.Diagnosis.Translation.VaRegion r) => r switch
    {
        Dtmem.Diagnosis.Translation.VaRegion.Null => "NULL page",
        Dtmem.Diagnosis.Translation.VaRegion.User => "user address",
        Dtmem.Diagnosis.Translation.VaRegion.Linear => "linear map",
        Dtmem.Diagnosis.Translation.VaRegion.KernelImage => "kernel image mapping",
        Dtmem.Diagnosis.Translation.VaRegion.OtherKernel => "kernel vmalloc/module/fixmap space",
        _ => "non-canonical",
    };

    public static string RoleText(RegionRole role) => role switch
    {
        RegionRole.Ram => "RAM",
        RegionRole.KernelImage => "kernel image",
        RegionRole.KernelCode => "kernel code",
        RegionRole.KernelData => "kernel data",
        RegionRole.Initrd => "initrd",
        RegionRole.Dtb => "DTB",
        RegionRole.MemReserve => "/memreserve/",
        RegionRole.Reserved => "reserved",
        RegionRole.NoMap => "no-map",
        RegionRole.CmaPool => "CMA pool",
        RegionRole.DefaultCma => "default CMA",
        RegionRole.DmaPool => "DMA pool",
        RegionRole.ReserveFailed => "reserve failed",
        _ => "other",
    };
}
