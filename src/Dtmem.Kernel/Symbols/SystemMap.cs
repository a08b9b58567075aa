using System.Globalization;

namespace Dtmem.Kernel.Symbols;

/// <summary>One System.map / kallsyms line: address, nm type letter, name, and the line it came from.</summary>
public sealed record MapSymbol(ulong Address, char Type, string Name, int Line);

/// <summary>
/// A System.map or /proc/kallsyms dump ("ffff800008000000 T _text", kallsyms may add "\t[module]").
/// Lines that do not parse are errors that name the line.
/// </summary>
public sealed class SystemMap
{
    public const int MaxBytes = 64 << 20;

    private readonly Dictionary<string, MapSymbol> _byName;

    private SystemMap(string source, Dictionary<string, MapSymbol> byName, int count)
    {
        Source = source;
        _byName = byName;
        Count = count;
    }

    public string Source { get; }

    /// <summary>Number of symbol lines read.</summary>
    public int Count { get; }

    public static SystemMap Read(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
            throw new KernelInputException(path, "", "file not found", "Check the path given for System.map");
        var text = Dtmem.Io.BoundedFile.ReadText(path, MaxBytes)
            ?? throw new KernelInputException(path, "", $"file is larger than {MaxBytes >> 20} MiB; no System.map is that large", "Pass the System.map of the kernel build");
        return Parse(text, path);
    }

    public static SystemMap Parse(string text, string source)
    {
        var byName = new Dictionary<string, MapSymbol>(StringComparer.Ordinal);
        var lineNo = 0;
        var count = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNo++;
            var line = raw.TrimEnd('\r');
            if (line.Trim().Length == 0) continue;
            if (line.Contains("The real System.map is in", StringComparison.Ordinal))
                throw KernelInputException.AtLine(source, lineNo, "this is Debian's placeholder System.map, which holds no symbols",
                    "Use the System.map from the matching linux-image-<release>-dbg package, or /proc/kallsyms read as root on the running kernel, or pass the Image instead");
            var sym = ParseLine(line, lineNo, source);
            count++;
            // The first definition wins: later duplicates of local symbols must not move _text or _end.
            byName.TryAdd(sym.Name, sym);
        }
        if (count == 0)
            throw new KernelInputException(source, "", "no symbol lines", "Pass the System.map of the kernel build (or /proc/kallsyms read as root)");
        return new SystemMap(source, byName, count);
    }

    public MapSymbol? Get(string name) => _byName.GetValueOrDefault(name);

    /// <summary>The symbol's address as a fact ("System.map line 12: _text").</summary>
    public Fact<ulong>? Address(string name) =>
        Get(name) is { } s ? Fact<ulong>.Known(s.Address, $"{Source} line {s.Line} ({s.Name})") : null;

    /// <summary>The image-bounding symbols. Throws when _text or _end is missing, since nothing can be sized without them.</summary>
    public KernelSymbols Symbols()
    {
        var syms = KernelSymbols.From(Address);
        if (syms.Text is null || syms.End is null)
            throw new KernelInputException(Source, "", $"no {(syms.Text is null ? "_text" : "_end")} symbol",
                "Pass the full System.map of the build (kallsyms lists _end only with CONFIG_KALLSYMS_ALL), or give the size with the Image header or --kernel-size");
        if (syms.End.Value < syms.Text.Value)
            throw KernelInputException.AtLine(Source, Get("_end")!.Line, "_end lies below _text", "The file mixes two builds; take it from one kernel build");
        if (syms.Text.Value == 0)
            throw KernelInputException.AtLine(Source, Get("_text")!.Line, "_text is 0: addresses are hidden (kptr_restrict)",
                "Read /proc/kallsyms as root with kernel.kptr_restrict=0, or use the build's System.map");
        return syms;
    }

    private static MapSymbol ParseLine(string line, int lineNo, string source)
    {
        // "<hex address> <type letter> <name>[\t[module]]"
        var s = line.AsSpan();
        var sp1 = s.IndexOf(' ');
        if (sp1 <= 0 || sp1 > 16 || !ulong.TryParse(s[..sp1], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var addr))
            throw Bad(line, lineNo, source, "does not start with a hexadecimal address of up to 16 digits");
        var rest = s[(sp1 + 1)..];
        if (rest.Length < 3 || rest[1] != ' ' || !char.IsAsciiLetter(rest[0]) && rest[0] != '?')
            throw Bad(line, lineNo, source, "has no single-letter symbol type after the address");
        var name = rest[2..];
        var tab = name.IndexOf('\t');
        if (tab >= 0) name = name[..tab];
        if (name.Length == 0 || name.ContainsAny(' ', '\t'))
            throw Bad(line, lineNo, source, "has no symbol name, or a name with spaces");
        return new MapSymbol(addr, rest[0], name.ToString(), lineNo);
    }

    private static KernelInputException Bad(string line, int lineNo, string source, string what) =>
        KernelInputException.AtLine(source, lineNo, $"'{(line.Length > 60 ? line[..60] + "..." : line)}' {what}",
            "Each line must read like \"ffff800008000000 T _text\"; pass System.map or /proc/kallsyms unchanged");
}
