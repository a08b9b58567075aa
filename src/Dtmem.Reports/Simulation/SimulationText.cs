using Dtmem.Layout.Model;
using Dtmem.Layout.Ranges;

namespace Dtmem.Reports.Simulation;

/// <summary>
/// The simulated boot as a log a kernel engineer can hold next to a real one: each line the kernel would print
/// (prefixed with its function), dtmem's notes for silent steps, then the final table of ranges.
/// </summary>
public static class SimulationText
{
    public static void Write(TextWriter w, BootResult boot, bool debugLines)
    {
        var r = boot.Rules;
        w.WriteLine($"# dtmem simulation: Linux {boot.Input.Kernel.Version.Value} (family {r.Family}), {boot.Input.Kernel.EffectiveConfig.PageSize.Value / 1024}K pages");
        foreach (var a in boot.Assumptions) w.WriteLine($"# assumed: {a}");
        w.WriteLine();
        foreach (var e in boot.Events)
        {
            if (e.LogLine is { } line)
            {
                if (e.DebugOnly && !debugLines) continue;
                foreach (var l in line.Split('\n'))
                    w.WriteLine($"[    0.000000] {l}");
                if (e.Note is { } note) w.WriteLine($"               ^ dtmem: {note}");
            }
            else if (e.Note is { } silent)
            {
                w.WriteLine($"               # {e.Function}: {silent}{(e.Range is { } rg ? " " + rg.ToKernelString() : "")} (silent)");
            }
        }
        if (boot.PredictedCrash is { } crash) w.WriteLine($"# predicted crash: {crash}");
        w.WriteLine();
        w.WriteLine("# Final owner of every physical range after boot:");
        w.WriteLine($"# {"range",-39} {"size",10}  {"state",-12} owners");
        foreach (var p in boot.Map.Pieces)
        {
            var owners = p.Owners.Count == 0 ? "-" : string.Join(", ", p.Owners.Select(o => o.Name));
            w.WriteLine($"  {p.Range.ToKernelString(),-39} {SizeText.Human(p.Range.Size),10}  {StateText(p.State),-12} {owners}");
        }
    }

    public static string StateText(PageState s) => s switch
    {
        PageState.NotRam => "not-ram",
        PageState.Free => "free",
        PageState.Reserved => "reserved",
        PageState.NoMap => "no-map",
        PageState.CmaInBuddy => "cma-in-buddy",
        _ => s.ToString(),
    };
}
