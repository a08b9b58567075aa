using System.Globalization;
using System.Text.RegularExpressions;
using Dtmem.Layout.Ranges;

namespace Dtmem.Layout.Tests.Support;

/// <summary>
/// Facts read from a real serial boot log saved by scripts/fidelity (memblock=debug, plus the /proc/iomem
/// dump its init prints). Only what the comparison needs.
/// </summary>
internal sealed partial class RealLog
{
    public RealLog(string path)
    {
        Path = path;
        Lines = File.ReadAllLines(path).Select(l => Timestamp().Replace(l, "")).ToList();
    }

    public string Path { get; }
    public IReadOnlyList<string> Lines { get; }

    /// <summary>The upstream version: Debian's banner carries it as "Debian 6.1.176-1".</summary>
    public Version? Version => Lines.Select(l => DebianVersion().Match(l)).FirstOrDefault(m => m.Success) is { } m ? System.Version.Parse(m.Groups[1].Value) : null;

    public string? Cmdline => Lines.FirstOrDefault(l => l.StartsWith("Kernel command line: ", StringComparison.Ordinal))?["Kernel command line: ".Length..];

    /// <summary>[_text, _end) from /proc/iomem's Kernel code and Kernel data lines.</summary>
    public AddressRange? KernelImage
    {
        get
        {
            var code = Iomem("Kernel code");
            var data = Iomem("Kernel data");
            return code is { } c && data is { } d ? new AddressRange(c.Start, d.End) : null;
        }
    }

    /// <summary>memblock debug lines of one function: (range, caller symbol without offset).</summary>
    public IEnumerable<(AddressRange Range, string Caller)> Memblock(string function)
    {
        foreach (var l in Lines)
        {
            var m = MemblockLine().Match(l);
            if (!m.Success || m.Groups[1].Value.Trim() != function) continue;
            var (first, last) = (Hex(m.Groups[2].Value), Hex(m.Groups[3].Value));
            if (last + 1 == first) continue; // a zero-size call, printed as [base-(base - 1)] (6.1's pcpu_embed_first_chunk frees 0 bytes)
            yield return (AddressRange.FromInclusive(first, last), m.Groups[4].Value);
        }
    }

    /// <summary>The ranges of a /sys/kernel/debug/memblock/{memory,reserved} dump ("   0: 0x...40210000..0x...4220afff"); empty when the boot died first.</summary>
    public IEnumerable<AddressRange> MemblockDump(string name)
    {
        var header = $"=== dtmem-fidelity: /sys/kernel/debug/memblock/{name} ===";
        foreach (var l in Lines.SkipWhile(l => l != header).Skip(1).TakeWhile(l => !l.StartsWith("===", StringComparison.Ordinal)))
            if (DumpLine().Match(l) is { Success: true } m) yield return AddressRange.FromInclusive(Hex(m.Groups[1].Value), Hex(m.Groups[2].Value));
    }

    /// <summary>The reserved-memory, CMA and atomic-pool lines, in order (the lines dtmem predicts at the default loglevel).</summary>
    public List<string> ReservedMemoryLines() => SelectReservedMemoryLines(Lines);

    /// <summary>The reserved-memory lines of any line list, with the second line of each OVERLAP DETECTED! report.</summary>
    public static List<string> SelectReservedMemoryLines(IReadOnlyList<string> lines)
    {
        var list = new List<string>();
        for (var i = 0; i < lines.Count; i++)
        {
            var l = lines[i];
            if (IsReservedMemoryLine(l)) list.Add(l);
            if (l.EndsWith("OVERLAP DETECTED!", StringComparison.Ordinal) && i + 1 < lines.Count) list.Add(lines[i + 1]);
        }
        return list;
    }

    public static bool IsReservedMemoryLine(string l) =>
        l.StartsWith("OF: reserved mem: ", StringComparison.Ordinal) || l.StartsWith("OF: fdt: Reserved memory", StringComparison.Ordinal) ||
        l.StartsWith("Reserved memory: ", StringComparison.Ordinal) || l.StartsWith("cma: ", StringComparison.Ordinal) ||
        l.StartsWith("DMA: preallocated", StringComparison.Ordinal);

    private AddressRange? Iomem(string name)
    {
        foreach (var l in Lines)
        {
            var m = IomemLine().Match(l);
            if (m.Success && m.Groups[3].Value == name) return AddressRange.FromInclusive(Hex(m.Groups[1].Value), Hex(m.Groups[2].Value));
        }
        return null;
    }

    private static ulong Hex(string s) => ulong.Parse(s.StartsWith("0x", StringComparison.Ordinal) ? s[2..] : s, NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^\[\s*\d+\.\d+\] ")]
    private static partial Regex Timestamp();

    [GeneratedRegex(@"#\d+ SMP.*?Debian (\d+\.\d+\.\d+)")]
    private static partial Regex DebianVersion();

    [GeneratedRegex(@"^\s*(memblock_\w+): \[(0x[0-9a-f]+)-(0x[0-9a-f]+)\] ([\w.]+)")]
    private static partial Regex MemblockLine();

    [GeneratedRegex(@"^\s*\d+: (0x[0-9a-f]+)\.\.(0x[0-9a-f]+)$")]
    private static partial Regex DumpLine();

    [GeneratedRegex(@"^\s+([0-9a-f]+)-([0-9a-f]+) : (.+)$")]
    private static partial Regex IomemLine();
}
