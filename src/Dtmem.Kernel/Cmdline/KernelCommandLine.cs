namespace Dtmem.Kernel.Cmdline;

/// <summary>One "name[=value]" parameter and the 1-based column where it starts.</summary>
public sealed record CmdlineParam(string Name, string? Value, int Column);

/// <summary><c>cma=size[@base[-limit]]</c>. Without @base the kernel places it (top-down below the DMA limit).</summary>
public sealed record CmaSpec(Fact<ulong> Size, Fact<ulong>? Base, Fact<ulong>? Limit)
{
    /// <summary>Fixed placement: base given and limit = base + size (what the kernel sets when no -limit is written).</summary>
    public bool IsFixed => Base is not null && Limit is not null && Limit.Value == Base.Value + Size.Value;
}

/// <summary>An initrd given on the command line: <c>initrd=start,size</c> (or initrdmem=), or an EFI-stub file path.</summary>
public sealed record CmdlineInitrd(Fact<ulong>? Start, Fact<ulong>? Size, string? EfiPath);

/// <summary>
/// The memory-relevant parts of a kernel command line: cma=, mem=, memmap=, nokaslr, initrd=/initrdmem=,
/// numa_cma=, cma_pernuma= (pernuma_cma= in older kernels). Split as the kernel's next_arg splits (whitespace,
/// double quotes group, "--" ends kernel parameters). When a parameter repeats, the last one counts, as with early_param.
/// </summary>
public sealed record KernelCommandLine
{
    public required string Text { get; init; }
    public required IReadOnlyList<CmdlineParam> Params { get; init; }
    public CmaSpec? Cma { get; init; }

    /// <summary>mem= as written (the kernel rounds it down to a page).</summary>
    public Fact<ulong>? Mem { get; init; }

    /// <summary>memmap= values; arm64 has no memmap= handler, so they change nothing (kept to tell the user).</summary>
    public IReadOnlyList<string> Memmap { get; init; } = [];

    public bool NoKaslr { get; init; }
    public CmdlineInitrd? Initrd { get; init; }

    /// <summary>numa_cma=node:size[,node:size] (6.6+).</summary>
    public IReadOnlyDictionary<int, Fact<ulong>> NumaCma { get; init; } = new Dictionary<int, Fact<ulong>>();

    /// <summary>cma_pernuma=size (pernuma_cma= before it was renamed).</summary>
    public Fact<ulong>? CmaPernuma { get; init; }

    /// <summary>Things the kernel accepts but that likely do not mean what the writer thought.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>mem= rounded down to <paramref name="pageSize"/>, as arm64's early_mem does.</summary>
    public ulong? MemLimit(int pageSize) => Mem is { } m ? m.Value & ~((ulong)pageSize - 1) : null;

    public static KernelCommandLine Parse(string text, string source = "command line")
    {
        var ps = Split(text);
        CmaSpec? cma = null;
        Fact<ulong>? mem = null, pernuma = null;
        CmdlineInitrd? initrd = null;
        var memmap = new List<string>();
        var numa = new Dictionary<int, Fact<ulong>>();
        var warnings = new List<string>();
        var nokaslr = false;
        foreach (var p in ps)
        {
            var origin = $"{source} column {p.Column} ({p.Name}{(p.Value is null ? "" : "=" + p.Value)})";
            var valueColumn = p.Column + p.Name.Length + 1;
            switch (p.Name)
            {
                case "cma":
                    cma = ParseCma(Need(p, source), source, valueColumn, origin, warnings);
                    break;
                case "mem":
                    mem = Fact<ulong>.Known(Whole(Need(p, source), source, valueColumn), origin);
                    break;
                case "memmap":
                    memmap.Add(p.Value ?? "");
                    warnings.Add($"{origin}: arm64 has no memmap= handler; it changes nothing (use /reserved-memory or mem=)");
                    break;
                case "nokaslr":
                    nokaslr = true;
                    break;
                case "initrd" or "initrdmem":
                    initrd = ParseInitrd(p, source, valueColumn, origin);
                    break;
                case "numa_cma":
                    foreach (var (node, size) in ParseNumaCma(Need(p, source), source, valueColumn))
                        numa[node] = Fact<ulong>.Known(size, origin);
                    break;
                case "cma_pernuma" or "pernuma_cma":
                    pernuma = Fact<ulong>.Known(Whole(Need(p, source), source, valueColumn), origin);
                    break;
            }
        }
        return new KernelCommandLine
        {
            Text = text, Params = ps, Cma = cma, Mem = mem, Memmap = memmap, NoKaslr = nokaslr, Initrd = initrd,
            NumaCma = numa, CmaPernuma = pernuma, Warnings = warnings,
        };
    }

    /// <summary>Splits like the kernel's next_arg: spaces separate, a double quote toggles quoting and is removed.</summary>
    public static IReadOnlyList<CmdlineParam> Split(string text)
    {
        var list = new List<CmdlineParam>();
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
            if (i >= text.Length) break;
            var start = i;
            var quoted = false;
            var sb = new System.Text.StringBuilder();
            var eq = -1;
            for (; i < text.Length && (quoted || !char.IsWhiteSpace(text[i])); i++)
            {
                var c = text[i];
                if (c == '"') { quoted = !quoted; continue; }
                if (c == '=' && eq < 0) eq = sb.Length;
                sb.Append(c);
            }
            var word = sb.ToString();
            if (word == "--") break; // the rest goes to init
            list.Add(eq < 0 ? new CmdlineParam(word, null, start + 1) : new CmdlineParam(word[..eq], word[(eq + 1)..], start + 1));
        }
        return list;
    }

    private static string Need(CmdlineParam p, string source) =>
        p.Value is { Length: > 0 } v ? v : throw new KernelInputException(source, $"column {p.Column}", $"{p.Name}= has no value", $"Write {p.Name}=<size>, for example {p.Name}=64M");

    /// <summary>A memparse value that must use the whole text.</summary>
    private static ulong Whole(string value, string source, int column)
    {
        var v = MemParse.Parse(value, out var n, source, column);
        if (n != value.Length)
            throw new KernelInputException(source, $"column {column + n}", $"unexpected '{value[n..]}' after the size '{value[..n]}'",
                "The kernel ignores it; write just a size such as 256M");
        return v;
    }

    private static CmaSpec ParseCma(string value, string source, int column, string origin, List<string> warnings)
    {
        // early_cma: size; '@' base; '-' limit. Anything else after a part is ignored by the kernel.
        var size = MemParse.Parse(value, out var n, source, column);
        if (n == value.Length) return new CmaSpec(Fact<ulong>.Known(size, origin), null, null);
        if (value[n] != '@')
        {
            warnings.Add($"{origin}: the kernel ignores '{value[n..]}' after the size");
            return new CmaSpec(Fact<ulong>.Known(size, origin), null, null);
        }
        var basePos = n + 1;
        var b = MemParse.Parse(value.AsSpan(basePos), out var bn, source, column + basePos);
        var after = basePos + bn;
        ulong limit;
        if (after < value.Length && value[after] == '-')
        {
            var lim = MemParse.Parse(value.AsSpan(after + 1), out var ln, source, column + after + 1);
            limit = lim;
            if (after + 1 + ln != value.Length)
                warnings.Add($"{origin}: the kernel ignores '{value[(after + 1 + ln)..]}' after the limit");
        }
        else
        {
            if (after < value.Length)
                warnings.Add($"{origin}: the kernel ignores '{value[after..]}' after the base ('-' separates the limit), so the area is fixed at the base");
            if (b > ulong.MaxValue - size)
                throw new KernelInputException(source, $"column {column}", $"cma base 0x{b:x} + size 0x{size:x} overflows", "Check the cma= value");
            limit = b + size;
        }
        return new CmaSpec(Fact<ulong>.Known(size, origin), Fact<ulong>.Known(b, origin), Fact<ulong>.Known(limit, origin));
    }

    private static CmdlineInitrd ParseInitrd(CmdlineParam p, string source, int column, string origin)
    {
        var v = Need(p, source);
        if (!char.IsAsciiDigit(v[0]))
            return new CmdlineInitrd(null, null, v); // the EFI stub loads initrd=\path\file
        var start = MemParse.Parse(v, out var n, source, column);
        if (n >= v.Length || v[n] != ',')
            throw new KernelInputException(source, $"column {column + n}", $"{p.Name}={v} has no ',size'",
                $"The kernel ignores {p.Name}= without a size; write {p.Name}=<start>,<size>, for example {p.Name}=0x48000000,8M");
        var size = Whole(v[(n + 1)..], source, column + n + 1);
        return new CmdlineInitrd(Fact<ulong>.Known(start, origin), Fact<ulong>.Known(size, origin), null);
    }

    private static IEnumerable<(int Node, ulong Size)> ParseNumaCma(string value, string source, int column)
    {
        var at = 0;
        foreach (var part in value.Split(','))
        {
            var colon = part.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || !int.TryParse(part.AsSpan(0, colon), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var node))
                throw new KernelInputException(source, $"column {column + at}", $"'{part}' is not node:size",
                    "Write numa_cma=<node>:<size>[,<node>:<size>...], for example numa_cma=0:64M");
            yield return (node, Whole(part[(colon + 1)..], source, column + at + colon + 1));
            at += part.Length + 1;
        }
    }
}
