using Dtmem.DeviceTree.Model;
using Dtmem.Kernel.Config;
using Dtmem.Kernel.Versions;
using Dtmem.Layout.Inputs;

namespace Dtmem.Layout.Tests.Support;

/// <summary>
/// Builds small device trees in code, every node and property with its own line in a virtual "board.dts", so
/// findings can be asserted down to the line. Cells follow the root's #address-cells/#size-cells.
/// </summary>
internal sealed class TreeBuilder
{
    public const string File = "board.dts";
    private int _line = 1;
    private readonly DtTree _tree;

    public TreeBuilder(int addressCells = 2, int sizeCells = 2)
    {
        AddressCells = addressCells;
        SizeCells = sizeCells;
        _tree = new DtTree(new DtNode("", Span())) { SourceFile = File };
        if (addressCells >= 0) _tree.Root.Properties.Add(new DtProperty("#address-cells", DtValue.FromCells((uint)addressCells), Span()));
        if (sizeCells >= 0) _tree.Root.Properties.Add(new DtProperty("#size-cells", DtValue.FromCells((uint)sizeCells), Span()));
    }

    public int AddressCells { get; }
    public int SizeCells { get; }
    public DtNode? ReservedMemory { get; private set; }

    public SourceSpan Span() => new(File, _line++, 1);

    public DtTree Tree => _tree;

    public TreeBuilder Memory(ulong base_, ulong size, string? status = null)
    {
        var n = new NodeBuilder(this, new DtNode($"memory@{base_:x}", Span()));
        n.Str("device_type", "memory").Reg(base_, size);
        if (status is not null) n.Str("status", status);
        _tree.Root.AddChild(n.Node);
        return this;
    }

    public TreeBuilder MemReserve(ulong address, ulong size)
    {
        _tree.MemReserves.Add(new MemReserve(address, size, Span()));
        return this;
    }

    public TreeBuilder Chosen(Action<NodeBuilder> body)
    {
        var n = new NodeBuilder(this, new DtNode("chosen", Span()));
        body(n);
        _tree.Root.AddChild(n.Node);
        return this;
    }

    /// <summary>/reserved-memory with the given cells (default: the root's) and ranges.</summary>
    public TreeBuilder Rmem(Action<RmemBuilder> body, int? addressCells = null, int? sizeCells = null, bool ranges = true)
    {
        var node = new DtNode("reserved-memory", Span());
        if (addressCells != -1) node.Properties.Add(new DtProperty("#address-cells", DtValue.FromCells((uint)(addressCells ?? AddressCells)), Span()));
        if (sizeCells != -1) node.Properties.Add(new DtProperty("#size-cells", DtValue.FromCells((uint)(sizeCells ?? SizeCells)), Span()));
        if (ranges) node.Properties.Add(new DtProperty("ranges", [], Span()));
        _tree.Root.AddChild(node);
        ReservedMemory = node;
        body(new RmemBuilder(this, node));
        return this;
    }

    public byte[] Cells(params ulong[] numbers)
    {
        var cells = new List<uint>();
        for (var i = 0; i < numbers.Length; i++)
        {
            var n = i % 2 == 0 ? AddressCells : SizeCells;
            if (n == 2) cells.Add((uint)(numbers[i] >> 32));
            cells.Add((uint)numbers[i]);
        }
        return DtValue.FromCells([.. cells]);
    }

    /// <summary>The line the next span will get (to assert spans of what is added next).</summary>
    public int NextLine => _line;

    public LayoutInput Input(KernelFacts kernel, LayoutOverrides? overrides = null) => LayoutInputReader.FromTree(_tree, kernel, overrides);
}

internal sealed class RmemBuilder(TreeBuilder t, DtNode rmem)
{
    public NodeBuilder Node(string name)
    {
        var n = new NodeBuilder(t, new DtNode(name, t.Span()));
        rmem.AddChild(n.Node);
        return n;
    }

    /// <summary>A static reusable shared-dma-pool CMA region.</summary>
    public NodeBuilder Cma(string name, ulong base_, ulong size, bool isDefault = true)
    {
        var n = Node(name).Str("compatible", "shared-dma-pool").Flag("reusable").Reg(base_, size);
        if (isDefault) n.Flag("linux,cma-default");
        return n;
    }
}

internal sealed class NodeBuilder(TreeBuilder t, DtNode node)
{
    public DtNode Node { get; } = node;

    public NodeBuilder Prop(string name, byte[] value)
    {
        Node.Properties.Add(new DtProperty(name, value, t.Span()));
        return this;
    }

    public NodeBuilder Str(string name, string value) => Prop(name, DtValue.FromString(value));

    public NodeBuilder Flag(string name) => Prop(name, []);

    public NodeBuilder U32(string name, params uint[] cells) => Prop(name, DtValue.FromCells(cells));

    /// <summary>reg as (address, size) pairs in the root's cells.</summary>
    public NodeBuilder Reg(params ulong[] pairs) => Prop("reg", t.Cells(pairs));

    public NodeBuilder Size(ulong size) => Prop("size", SizeCellsValue(size));

    public NodeBuilder Alignment(ulong align) => Prop("alignment", t.AddressCells == 2 ? DtValue.FromCells((uint)(align >> 32), (uint)align) : DtValue.FromCells((uint)align));

    public NodeBuilder AllocRanges(params ulong[] pairs) => Prop("alloc-ranges", t.Cells(pairs));

    private byte[] SizeCellsValue(ulong v) => t.SizeCells == 2 ? DtValue.FromCells((uint)(v >> 32), (uint)v) : DtValue.FromCells((uint)v);
}

/// <summary>Kernel facts for tests.</summary>
internal static class TestKernel
{
    /// <summary>The memory Kconfig of CONFIG_* values, as if read from a .config named <paramref name="source"/>.</summary>
    public static MemoryKconfig Config(IReadOnlyDictionary<string, string> values, string source, Version version) =>
        MemoryKconfig.Resolve(Fact<KernelVersion>.Known(KernelFacts.ToRelease(version), "test"),
            KconfigFile.Parse(string.Join('\n', values.Select(kv => $"{kv.Key}={kv.Value}")), source));

    public static KernelFacts Facts(string version, ulong? text = null, ulong? size = null, string? cmdline = null,
        IReadOnlyDictionary<string, string>? config = null, bool guessed = false)
    {
        var v = Version.Parse(version);
        return new KernelFacts
        {
            Version = Fact<Version>.Known(v, "--kernel-version"),
            TextAddress = text is { } tx ? new Fact<ulong>(tx, guessed ? "guess: bank0 + text_offset" : "--load-addr", guessed) : null,
            ImageSize = size is { } s ? Fact<ulong>.Known(s, "--kernel-size") : null,
            Cmdline = cmdline is null ? null : Fact<string>.Known(cmdline, "--cmdline"),
            Config = config is null ? null : Config(config, "test.config", v),
        };
    }
}
