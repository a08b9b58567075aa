using Dtmem.Diagnosis.Esr;

namespace Dtmem.Reports.Diagnosis;

/// <summary>An ESR as a bit-field table, in the manner of esr.arm64.dev: one row a field, high bits first.</summary>
public static class EsrText
{
    public static void Write(TextWriter w, EsrDecoding d)
    {
        w.WriteLine($"ESR 0x{d.Value:x16}: EC 0x{d.ExceptionClass:x2} {d.ClassName}: {d.ClassDescription}");
        if (d.Summary.Length > 0) w.WriteLine(d.Summary);
        w.WriteLine();
        var bitsWidth = Math.Max(7, d.Fields.Max(f => f.Bits.Length));
        var nameWidth = Math.Max(5, d.Fields.Max(f => f.Name.Length));
        w.WriteLine($"{"bits".PadRight(bitsWidth)}  {"field".PadRight(nameWidth)}  {"value",-10}  meaning");
        foreach (var f in d.Fields.OrderByDescending(f => f.Hi))
            w.WriteLine($"{f.Bits.PadRight(bitsWidth)}  {f.Name.PadRight(nameWidth)}  {"0x" + f.Value.ToString("x"),-10}  {f.Meaning}");
    }
}
