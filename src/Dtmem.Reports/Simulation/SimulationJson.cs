using System.Text.Json;
using Dtmem.Layout.Model;
using Dtmem.Layout.Ranges;
using Dtmem.Reports.Findings;

namespace Dtmem.Reports.Simulation;

/// <summary>The simulated boot as stable JSON (schema "dtmem-simulation/1", see docs/json.md): events, regions, CMA areas and the final map.</summary>
public static class SimulationJson
{
    public const string Schema = "dtmem-simulation/1";

    public static string ToString(BootResult boot) => JsonText.Write(w => Write(w, boot));

    public static void Write(Utf8JsonWriter w, BootResult boot)
    {
        w.WriteStartObject();
        w.WriteString("schema", Schema);
        w.WriteStartObject("kernel");
        w.WriteString("version", boot.Input.Kernel.Version.Value.ToString());
        w.WriteString("family", boot.Rules.Family.ToString());
        w.WriteNumber("pageSize", boot.Input.Kernel.EffectiveConfig.PageSize.Value);
        if (boot.KernelImage is { } k) { w.WritePropertyName("image"); JsonFindings.WriteRange(w, k.Range); }
        w.WriteEndObject();
        w.WriteStartArray("assumptions");
        foreach (var a in boot.Assumptions) w.WriteStringValue(a);
        w.WriteEndArray();
        // Whether the boot is predicted to reach user space; the reason when it is not.
        w.WriteBoolean("survives", boot.PredictedCrash is null);
        if (boot.PredictedCrash is { } crash) w.WriteString("predictedCrash", crash);

        w.WriteStartArray("events");
        foreach (var e in boot.Events)
        {
            w.WriteStartObject();
            w.WriteNumber("seq", e.Sequence);
            w.WriteString("phase", e.Phase.ToString());
            w.WriteString("function", e.Function);
            w.WriteString("kind", e.Kind.ToString());
            if (e.Range is { } r) { w.WritePropertyName("range"); JsonFindings.WriteRange(w, r); }
            if (e.LogLine is { } l) w.WriteString("log", l);
            w.WriteString("level", e.Level.ToString().ToLowerInvariant());
            w.WriteBoolean("debugOnly", e.DebugOnly);
            if (e.Subject is { } s) w.WriteString("subject", s);
            if (e.Note is { } n) w.WriteString("note", n);
            w.WriteEndObject();
        }
        w.WriteEndArray();

        w.WriteStartArray("regions");
        foreach (var o in boot.Regions)
        {
            w.WriteStartObject();
            w.WriteString("path", o.Node.Path);
            w.WriteString("status", o.Status.ToString());
            w.WriteString("init", o.Init.ToString());
            if (o.Range is { } r) { w.WritePropertyName("range"); JsonFindings.WriteRange(w, r); }
            if (o.ReleasedRange is { } rel) { w.WritePropertyName("released"); JsonFindings.WriteRange(w, rel); }
            if (o.EffectiveAlignment is { } a) w.WriteString("alignment", SizeText.Hex(a));
            if (o.Why is { } why) w.WriteString("why", why);
            w.WriteEndObject();
        }
        w.WriteEndArray();

        w.WriteStartArray("cmaAreas");
        foreach (var c in boot.CmaAreas)
        {
            w.WriteStartObject();
            w.WriteString("name", c.Name);
            w.WritePropertyName("range"); JsonFindings.WriteRange(w, c.Range);
            w.WriteString("source", c.Source.ToString());
            w.WriteBoolean("default", c.IsDefault);
            if (c.Activated is { } act) w.WriteBoolean("activated", act);
            if (c.ActivationProblem is { } p) w.WriteString("activationProblem", p);
            w.WriteEndObject();
        }
        w.WriteEndArray();

        w.WriteStartArray("reserved");
        foreach (var r in boot.Reserved) JsonFindings.WriteRange(w, r);
        w.WriteEndArray();

        w.WriteStartArray("map");
        foreach (var p in boot.Map.Pieces)
        {
            w.WriteStartObject();
            w.WritePropertyName("range"); JsonFindings.WriteRange(w, p.Range);
            w.WriteString("state", SimulationText.StateText(p.State));
            w.WriteStartArray("owners");
            foreach (var o in p.Owners)
            {
                w.WriteStartObject();
                w.WriteString("kind", o.Kind.ToString());
                w.WriteString("name", o.Name);
                w.WriteString("origin", o.Origin);
                w.WriteBoolean("assumed", o.IsAssumed);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }
}
