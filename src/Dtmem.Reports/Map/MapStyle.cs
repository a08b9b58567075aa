using System.Globalization;
using Dtmem.Layout.Ranges;

namespace Dtmem.Reports.Map;

/// <summary>Names, colours and text shared by the terminal, SVG and HTML maps, so the three read alike.</summary>
public static class MapStyle
{
    public static string LaneName(MapLane lane) => lane switch
    {
        MapLane.Ram => "RAM",
        MapLane.Kernel => "kernel image",
        MapLane.InitrdDtb => "initrd / DTB",
        MapLane.MemReserve => "/memreserve/",
        MapLane.NoMap => "no-map",
        MapLane.Reserved => "reserved (mapped)",
        MapLane.Cma => "CMA pools",
        MapLane.DefaultCma => "default CMA",
        _ => "other",
    };

    /// <summary>One letter per lane for the terminal's lane columns and legend.</summary>
    public static char LaneLetter(MapLane lane) => lane switch
    {
        MapLane.Ram => 'R',
        MapLane.Kernel => 'K',
        MapLane.InitrdDtb => 'I',
        MapLane.MemReserve => 'M',
        MapLane.NoMap => 'N',
        MapLane.Reserved => 'V',
        MapLane.Cma => 'C',
        MapLane.DefaultCma => 'D',
        _ => 'O',
    };

    /// <summary>Fill colour (SVG/HTML), chosen to stay apart for the common colour-vision deficiencies.</summary>
    public static string Fill(MapLane lane) => lane switch
    {
        MapLane.Ram => "#d9e8d2",
        MapLane.Kernel => "#4e79a7",
        MapLane.InitrdDtb => "#9c755f",
        MapLane.MemReserve => "#b07aa1",
        MapLane.NoMap => "#59595e",
        MapLane.Reserved => "#76b7b2",
        MapLane.Cma => "#f28e2b",
        MapLane.DefaultCma => "#edc948",
        _ => "#bab0ac",
    };

    /// <summary>Text colour that reads on <see cref="Fill"/>.</summary>
    public static string Ink(MapLane lane) => lane is MapLane.Kernel or MapLane.NoMap or MapLane.MemReserve or MapLane.InitrdDtb ? "#ffffff" : "#1b1b1b";

    /// <summary>The overlap colour.</summary>
    public const string OverlapRed = "#d62728";

    /// <summary>Spectre.Console colour names for the terminal.</summary>
    public static string TerminalColor(MapLane lane) => lane switch
    {
        MapLane.Ram => "green",
        MapLane.Kernel => "blue",
        MapLane.InitrdDtb => "yellow",
        MapLane.MemReserve => "magenta",
        MapLane.NoMap => "grey",
        MapLane.Reserved => "aqua",
        MapLane.Cma => "darkorange",
        MapLane.DefaultCma => "gold1",
        _ => "silver",
    };

    /// <summary>An address in at least 8 hex digits (more only above 4 GiB), the way memory maps are usually written.</summary>
    public static string Address(ulong a) => "0x" + a.ToString("x8", CultureInfo.InvariantCulture);

    /// <summary>
    /// A size for a label: exact when a unit divides it (<c>24 MiB</c>), otherwise in the largest unit it reaches with
    /// up to two decimals (<c>1.73 GiB</c>, <c>16.5 MiB</c>); tooltips carry the exact figure.
    /// </summary>
    public static string Size(ulong bytes)
    {
        const ulong K = 1024, M = K * K, G = M * K, T = G * K;
        foreach (var (unit, name) in new[] { (T, "TiB"), (G, "GiB"), (M, "MiB"), (K, "KiB") })
        {
            if (bytes < unit) continue;
            return bytes % unit == 0
                ? $"{bytes / unit} {name}"
                : ((double)bytes / unit).ToString("0.##", CultureInfo.InvariantCulture) + " " + name;
        }
        return bytes == 1 ? "1 byte" : $"{bytes} bytes";
    }

    /// <summary>The exact size and the byte count, for tooltips: <c>7680 KiB (0x780000 bytes)</c>.</summary>
    public static string ExactSize(ulong bytes) => $"{SizeText.Human(bytes)} ({SizeText.Hex(bytes)} bytes)";

    /// <summary>The whole tooltip of a region: label, node path, source, range, size, notes, findings.</summary>
    public static string Tooltip(MapModel m, int index)
    {
        var r = m.Regions[index];
        var lines = new List<string> { $"{r.Label} ({LaneName(r.Lane)})" };
        if (r.NodePath is { } p) lines.Add("node: " + p);
        if (r.Source is { } s) lines.Add("source: " + s);
        lines.Add($"range: {r.Range.ToKernelString()}");
        lines.Add("size: " + ExactSize(r.Range.Size));
        lines.AddRange(r.Notes);
        AddFindings(lines, m, m.RegionFindings[index], f => $"{f.Id} {f.Name}: {f.Severity.ToString().ToLowerInvariant()}");
        return string.Join('\n', lines);
    }

    /// <summary>Findings listed in one tooltip, or overlaps linked from one finding, at most: with many overlapping
    /// regions each list would repeat most of the others and the picture would grow with the square of the regions.</summary>
    public const int MaxListed = 6;

    private static void AddFindings(List<string> lines, MapModel m, IReadOnlyCollection<string> keys, Func<MapFinding, string> line)
    {
        foreach (var k in keys.Take(MaxListed))
            if (m.FindingByKey(k) is { } f) lines.Add(line(f));
        if (keys.Count > MaxListed) lines.Add($"... {keys.Count - MaxListed} more findings (see the findings list)");
    }

    public static string OverlapTooltip(MapModel m, MapOverlap o)
    {
        var lines = new List<string>
        {
            $"OVERLAP {o.Range.ToKernelString()} ({ExactSize(o.Range.Size)})",
            string.Join(" ∩ ", o.Regions.Select(i => m.Regions[i].NodePath ?? m.Regions[i].Label)),
        };
        AddFindings(lines, m, o.FindingKeys, f => $"{f.Id} {f.Name}: {f.Message}");
        if (o.FindingKeys.Count == 0) lines.Add("no check reports this overlap");
        return string.Join('\n', lines);
    }

    public static string MarkerTooltip(MapMarker mk) =>
        $"{mk.Label} at {AddressRange.Pa(mk.Address)}" + (mk.Detail is { } d ? "\n" + d : "");
}
