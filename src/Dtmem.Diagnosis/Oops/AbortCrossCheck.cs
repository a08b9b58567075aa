using Dtmem.Diagnosis.Esr;
using Dtmem.Diagnosis.Logs;

namespace Dtmem.Diagnosis.Oops;

/// <summary>Compares the kernel's own `Mem abort info`/`Data abort info` lines and die code with our ESR decoding.
/// A mismatch means a corrupted log, a vendor kernel that prints differently, or a decoder bug; all are worth a note.</summary>
internal static class AbortCrossCheck
{
    public static void Run(Oops o, Sourced<ulong>? dieEsr)
    {
        var d = o.EsrDecoded!;
        if (dieEsr is not null && o.Esr is not null && dieEsr.Value != o.Esr.Value && !ReferenceEquals(dieEsr, o.Esr))
            o.noteItems.Add(new("esr-die-mismatch", $"ESR 0x{o.Esr.Value:x} differs from the die code 0x{dieEsr.Value:x}", dieEsr.Source));

        foreach (var item in o.AbortInfo)
        {
            var (key, text) = (item.Value.Key, item.Value.Value);
            ulong? expected = Expected(d, key);
            if (expected is null)
            {
                if (key is "Exception class" && !text.StartsWith(d.ClassName, StringComparison.Ordinal))
                    o.noteItems.Add(new("esr-field-mismatch", $"kernel printed exception class '{text}', ESR decodes to '{d.ClassName}'", item.Source));
                continue;
            }
            ulong? printed = key switch
            {
                "IL" => text.StartsWith("32", StringComparison.Ordinal) ? 1 : text.StartsWith("16", StringComparison.Ordinal) ? 0 : null,
                _ => ReadNumber(text),
            };
            if (printed is null) continue;
            if (printed != expected)
                o.noteItems.Add(new("esr-field-mismatch", $"kernel printed {key} = {text}, ESR 0x{d.Value:x} decodes to {key} = 0x{expected:x}", item.Source));
            else if (key is "EC" or "FSC")
            {
                int colon = text.IndexOf(": ", StringComparison.Ordinal);
                string name = colon < 0 ? "" : text[(colon + 2)..];
                string ours = key == "EC" ? d.ClassName : d.FaultStatusName ?? "";
                // Names changed across versions ("ttbr address size fault"); only flag a different kind of fault.
                if (name.Length > 0 && !SameFaultWords(name, ours))
                    o.noteItems.Add(new("esr-name-differs", $"kernel names {key} 0x{printed:x} '{name}', decoder says '{ours}'", item.Source));
            }
        }
    }

    private static bool SameFaultWords(string a, string b) =>
        a == b || (a.Contains("address size", StringComparison.Ordinal) && b.Contains("address size", StringComparison.Ordinal))
        || a.StartsWith("UNRECOGNIZED", StringComparison.Ordinal) || a.StartsWith("unknown", StringComparison.Ordinal)
        || (a.Contains("translation table walk", StringComparison.Ordinal) && b.Contains("translation table walk", StringComparison.Ordinal));

    private static ulong? ReadNumber(string text)
    {
        var s = text.AsSpan().Trim();
        if (s.StartsWith("0x")) return Scan.ReadHex(s, out ulong h) > 0 ? h : null;
        int n = Scan.ReadDecimal(s, out long v);
        return n > 0 && v >= 0 ? (ulong)v : null;
    }

    private static ulong? Expected(EsrDecoding d, string key)
    {
        ulong esr = d.Value;
        ulong Bits(int hi, int lo) => (esr >> lo) & ((1UL << (hi - lo + 1)) - 1);
        bool abort = d.Kind is EsrKind.DataAbort or EsrKind.InstructionAbort;
        bool dabt = d.Kind == EsrKind.DataAbort;
        bool isv = dabt && Bits(24, 24) != 0;
        return key switch
        {
            "ESR" => esr,
            "EC" => d.ExceptionClass,
            "IL" => Bits(25, 25),
            "SET" when abort => Bits(12, 11),
            "FnV" when abort => Bits(10, 10),
            "EA" => Bits(9, 9),
            "S1PTW" when abort => Bits(7, 7),
            "FSC" => Bits(5, 0),
            "ISV" when dabt => Bits(24, 24),
            "ISS" => Bits(24, 0),
            "ISS2" => Bits(55, 32),
            "SAS" when isv => Bits(23, 22),
            "SSE" when isv => Bits(21, 21),
            "SRT" when isv => Bits(20, 16),
            "SF" when isv => Bits(15, 15),
            "AR" when isv => Bits(14, 14),
            "CM" when dabt => Bits(8, 8),
            "WnR" when dabt => Bits(6, 6),
            "TnD" when dabt => Bits(42, 42),
            "TagAccess" when dabt => Bits(41, 41),
            "GCS" when dabt => Bits(40, 40),
            "Overlay" when dabt => Bits(38, 38),
            "DirtyBit" when dabt => Bits(37, 37),
            "Xs" when dabt => Bits(36, 32),
            _ => null,
        };
    }
}
