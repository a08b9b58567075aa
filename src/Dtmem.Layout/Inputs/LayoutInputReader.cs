using Dtmem.DeviceTree.Model;
using Dtmem.Layout.Ranges;

namespace Dtmem.Layout.Inputs;

/// <summary>Optional facts that replace or complete what the tree says (from options, logs or /proc/iomem).</summary>
public sealed record LayoutOverrides
{
    public Fact<IReadOnlyList<AddressRange>>? Memory { get; init; }
    public Fact<AddressRange>? Dtb { get; init; }
    public Fact<AddressRange>? Initrd { get; init; }
}

/// <summary>Reads the memory-related facts out of a device tree, decoding cells the way the early FDT code does.</summary>
public static class LayoutInputReader
{
    public static LayoutInput FromTree(DtTree tree, KernelFacts kernel, LayoutOverrides? overrides = null)
    {
        var root = tree.Root;
        var ac = CellsFact(root, "#address-cells");
        var sc = CellsFact(root, "#size-cells");
        var problems = new List<MalformedProperty>();

        var banks = new List<MemoryBank>();
        foreach (var node in root.Children)
        {
            if (DtValue.String(node.Property("device_type")?.Value ?? []) != "memory") continue;
            var usable = node.Property("linux,usable-memory");
            var useUsable = usable is { Value.Length: > 0 };
            var reg = useUsable ? usable : node.Property("reg");
            if (reg is null) continue;
            foreach (var t in Tuples(reg.Value, ac.Value, sc.Value))
                banks.Add(new MemoryBank(t, node.Path, IsAvailable(node), useUsable, reg.Span ?? node.Span));
        }

        var memreserves = tree.MemReserves.Select((m, i) => new MemReserveEntry(i, new CellPair(m.Address, m.Size), m.Span)).ToList();

        ReservedMemoryRoot? rmemRoot = null;
        var regions = new List<ReservedRegionNode>();
        var rmem = tree.Find("/reserved-memory");
        if (rmem is not null && rmem.Parent == root)
        {
            var rac = rmem.Property("#address-cells");
            var rsc = rmem.Property("#size-cells");
            rmemRoot = new ReservedMemoryRoot(rmem.Path, rmem.Span, FirstCell(rac), FirstCell(rsc), rmem.Property("ranges") is not null,
                rac?.Span, rsc?.Span);
            var index = 0;
            foreach (var child in rmem.Children)
                regions.Add(ReadRegion(child, index++, ac.Value, sc.Value));
        }

        Fact<AddressRange>? initrd = overrides?.Initrd;
        Fact<string>? bootargs = null;
        SourceSpan? bootargsSpan = null, initrdSpan = null;
        var chosen = tree.Find("/chosen");
        if (chosen is not null && chosen.Parent == root)
        {
            var ba = chosen.Property("bootargs");
            if (ba is not null && DtValue.String(ba.Value) is { } args)
            {
                bootargs = Fact<string>.Known(args, "/chosen/bootargs");
                bootargsSpan = ba.Span;
            }
            var s = chosen.Property("linux,initrd-start");
            var e = chosen.Property("linux,initrd-end");
            if (initrd is null && s is not null && e is not null)
            {
                var start = ReadNumber(s, problems);
                var end = ReadNumber(e, problems);
                // early_init_dt_check_for_initrd ignores a reversed pair.
                if (start is { } st && end is { } en && st <= en)
                {
                    initrd = Fact<AddressRange>.Known(new AddressRange(st, en), "/chosen/linux,initrd-start/-end");
                    initrdSpan = s.Span;
                }
            }
        }

        return new LayoutInput
        {
            Kernel = kernel,
            RootAddressCells = ac,
            RootSizeCells = sc,
            MemoryBanks = banks,
            MemoryOverride = overrides?.Memory,
            MemReserves = memreserves,
            ReservedMemory = rmemRoot,
            Regions = regions,
            Initrd = initrd,
            Dtb = overrides?.Dtb,
            Bootargs = bootargs,
            RootCellsSpan = root.Property("#address-cells")?.Span ?? root.Property("#size-cells")?.Span,
            BootargsSpan = bootargsSpan,
            InitrdSpan = initrdSpan,
            InputProblems = problems,
            SourceFile = tree.SourceFile,
        };
    }

    private static ReservedRegionNode ReadRegion(DtNode child, int index, int ac, int sc)
    {
        var malformed = new List<MalformedProperty>();
        // Cell counts past 4 (or none at all) cannot be read into 64-bit numbers; a hostile #size-cells such as
        // 0xffec0002 must make the properties malformed, not the arithmetic overflow.
        var cellsOk = ac is >= 0 and <= 4 && sc is >= 0 and <= 4 && ac + sc > 0;
        var tLen = cellsOk ? (ac + sc) * 4 : 0;
        MalformedProperty BadCells(DtProperty p) =>
            new(p.Name, p.Value.Length, $"cells the root's #address-cells ({ac}) and #size-cells ({sc}) can describe: 0 to 4 each", p.Span);
        var reg = child.Property("reg");
        IReadOnlyList<CellPair> regTuples = [];
        if (reg is not null)
        {
            if (!cellsOk)
                malformed.Add(BadCells(reg));
            else if (reg.Value.Length % tLen != 0)
                malformed.Add(new MalformedProperty("reg", reg.Value.Length, $"a multiple of {tLen} bytes ((#address-cells {ac} + #size-cells {sc}) x 4)", reg.Span));
            else
                regTuples = Tuples(reg.Value, ac, sc);
        }

        var sizeProp = child.Property("size");
        ulong? size = null;
        if (sizeProp is not null)
        {
            if (!cellsOk)
                malformed.Add(BadCells(sizeProp));
            else if (sizeProp.Value.Length != sc * 4)
                malformed.Add(new MalformedProperty("size", sizeProp.Value.Length, $"{sc * 4} bytes (#size-cells {sc})", sizeProp.Span));
            else
                size = DtValue.Number(sizeProp.Value, 0, sc);
        }

        // The kernel reads alignment and alloc-ranges only for dynamic nodes; a static node's are not its business.
        var dynamic = reg is null && sizeProp is not null;
        var alignProp = child.Property("alignment");
        ulong? align = null;
        if (alignProp is not null)
        {
            if (!cellsOk || alignProp.Value.Length != ac * 4)
            {
                if (dynamic && !cellsOk) malformed.Add(BadCells(alignProp));
                else if (dynamic) malformed.Add(new MalformedProperty("alignment", alignProp.Value.Length, $"{ac * 4} bytes (#address-cells {ac})", alignProp.Span));
            }
            else
            {
                align = DtValue.Number(alignProp.Value, 0, ac);
            }
        }

        var ar = child.Property("alloc-ranges");
        IReadOnlyList<CellPair> allocRanges = [];
        if (ar is not null)
        {
            if (!cellsOk || ar.Value.Length % tLen != 0)
            {
                if (dynamic && !cellsOk) malformed.Add(BadCells(ar));
                else if (dynamic) malformed.Add(new MalformedProperty("alloc-ranges", ar.Value.Length, $"a multiple of {tLen} bytes", ar.Span));
            }
            else
            {
                allocRanges = Tuples(ar.Value, ac, sc);
            }
        }

        var status = child.Property("status") is { } st ? DtValue.String(st.Value) : null;
        return new ReservedRegionNode
        {
            Index = index,
            Name = child.Name,
            Path = child.Path,
            Span = child.Span,
            Status = status,
            Available = IsAvailable(child),
            Compatible = child.Property("compatible") is { } c ? DtValue.Strings(c.Value) : [],
            NoMap = child.Property("no-map") is not null,
            Reusable = child.Property("reusable") is not null,
            CmaDefault = child.Property("linux,cma-default") is not null,
            DmaDefault = child.Property("linux,dma-default") is not null,
            Inactive = child.Property("inactive") is not null,
            NoMapSpan = child.Property("no-map")?.Span,
            ReusableSpan = child.Property("reusable")?.Span,
            CmaDefaultSpan = child.Property("linux,cma-default")?.Span,
            InactiveSpan = child.Property("inactive")?.Span,
            HasReg = reg is not null,
            Reg = regTuples,
            RegSpan = reg?.Span,
            HasSize = sizeProp is not null,
            Size = size,
            SizeSpan = sizeProp?.Span,
            Alignment = align,
            AlignmentSpan = alignProp?.Span,
            HasAllocRanges = ar is not null,
            AllocRanges = allocRanges,
            AllocRangesSpan = ar?.Span,
            Malformed = malformed,
        };
    }

    /// <summary>of_fdt_device_is_available: no status, "okay" or "ok".</summary>
    private static bool IsAvailable(DtNode node)
    {
        var p = node.Property("status");
        if (p is null) return true;
        var s = DtValue.String(p.Value);
        return s is "okay" or "ok";
    }

    private static Fact<int> CellsFact(DtNode root, string name)
    {
        var p = root.Property(name);
        // The kernel's defaults when the root lacks the property (OF_ROOT_NODE_*_CELLS_DEFAULT).
        if (FirstCell(p) is not { } v) return Fact<int>.Known(1, $"kernel default for a missing root {name}");
        return Fact<int>.Known(v, $"root {name}");
    }

    private static int? FirstCell(DtProperty? p) =>
        p is { Value.Length: >= 4 } ? (int)Math.Min(DtValue.Number(p.Value, 0, 1), int.MaxValue) : null;

    /// <summary>(base, size) tuples; a trailing partial tuple is dropped as dt_mem_next_cell loops do.</summary>
    private static List<CellPair> Tuples(byte[] value, int ac, int sc)
    {
        var list = new List<CellPair>();
        var t = ac + sc;
        if (t == 0 || ac > 4 || sc > 4) return list;
        var cells = value.Length / 4;
        for (var i = 0; i + t <= cells; i += t)
            list.Add(new CellPair(ac == 0 ? 0 : DtValue.Number(value, i, ac), sc == 0 ? 0 : DtValue.Number(value, i + ac, sc)));
        return list;
    }

    /// <summary>A /chosen number of any cell width (of_read_number over len/4 cells).</summary>
    private static ulong? ReadNumber(DtProperty p, List<MalformedProperty> problems)
    {
        if (p.Value.Length is 0 || p.Value.Length % 4 != 0)
        {
            problems.Add(new MalformedProperty(p.Name, p.Value.Length, "a whole number of 4-byte cells", p.Span));
            return null;
        }
        return DtValue.Number(p.Value, 0, p.Value.Length / 4);
    }
}
