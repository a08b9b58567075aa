using Dtmem.DeviceTree.Model;
using Dtmem.Layout.Ranges;

namespace Dtmem.Layout.Inputs;

/// <summary>A (base, size) pair as written in a property, before any rounding.</summary>
public readonly record struct CellPair(ulong Base, ulong Size)
{
    /// <summary>[Base, Base+Size), capped at the top of the address space like memblock_cap_size.</summary>
    public AddressRange Range => AddressRange.FromStartSizeSaturating(Base, Size);
}

/// <summary>A root node with <c>device_type = "memory"</c>: one bank per (base, size) tuple.</summary>
public sealed record MemoryBank(CellPair Cells, string NodePath, bool Available, bool FromUsableMemory, SourceSpan? Span)
{
    public AddressRange Range => Cells.Range;
}

/// <summary>One entry of the FDT memory-reservation block (<c>/memreserve/</c>).</summary>
public sealed record MemReserveEntry(int Index, CellPair Cells, SourceSpan? Span)
{
    public AddressRange Range => Cells.Range;
}

/// <summary>The <c>/reserved-memory</c> node's own properties, as the root format check reads them.</summary>
public sealed record ReservedMemoryRoot(
    string Path, SourceSpan? Span, int? AddressCells, int? SizeCells, bool HasRanges,
    SourceSpan? AddressCellsSpan, SourceSpan? SizeCellsSpan);

/// <summary>A property whose length did not fit the cell counts the kernel decodes it with.</summary>
public sealed record MalformedProperty(string Name, int Length, string Expected, SourceSpan? Span);

/// <summary>A child of <c>/reserved-memory</c>, decoded with the root's cell counts as the kernel does.</summary>
public sealed record ReservedRegionNode
{
    /// <summary>Position among the children (DT order = FDT node offset order).</summary>
    public required int Index { get; init; }
    /// <summary>Node name with unit address (the kernel's <c>uname</c>, also the CMA area name).</summary>
    public required string Name { get; init; }
    public required string Path { get; init; }
    public SourceSpan? Span { get; init; }
    public string? Status { get; init; }
    /// <summary>status absent, "okay" or "ok" (of_fdt_device_is_available).</summary>
    public bool Available { get; init; } = true;
    public IReadOnlyList<string> Compatible { get; init; } = [];
    public bool NoMap { get; init; }
    public bool Reusable { get; init; }
    public bool CmaDefault { get; init; }
    public bool DmaDefault { get; init; }
    public bool Inactive { get; init; }
    public SourceSpan? NoMapSpan { get; init; }
    public SourceSpan? ReusableSpan { get; init; }
    public SourceSpan? CmaDefaultSpan { get; init; }
    public SourceSpan? InactiveSpan { get; init; }

    public bool HasReg { get; init; }
    /// <summary>The reg tuples; empty when reg is absent or malformed.</summary>
    public IReadOnlyList<CellPair> Reg { get; init; } = [];
    public SourceSpan? RegSpan { get; init; }

    public bool HasSize { get; init; }
    public ulong? Size { get; init; }
    public SourceSpan? SizeSpan { get; init; }
    public ulong? Alignment { get; init; }
    public SourceSpan? AlignmentSpan { get; init; }
    public bool HasAllocRanges { get; init; }
    public IReadOnlyList<CellPair> AllocRanges { get; init; } = [];
    public SourceSpan? AllocRangesSpan { get; init; }

    /// <summary>Properties the kernel would reject for their length (reg, size, alignment, alloc-ranges).</summary>
    public IReadOnlyList<MalformedProperty> Malformed { get; init; } = [];

    public bool IsCompatible(string c) => Compatible.Contains(c);

    public bool IsSharedDmaPool => IsCompatible("shared-dma-pool");

    /// <summary>The location a finding about this region's placement should point at: reg, else size, else the node.</summary>
    public SourceSpan? PlacementSpan => RegSpan ?? SizeSpan ?? Span;

    public bool RegMalformed => Malformed.Any(m => m.Name == "reg");

    /// <summary>Static (reg) regions; a present but malformed reg still makes the node non-dynamic.</summary>
    public bool IsStatic => HasReg;

    public bool IsDynamic => !HasReg && HasSize;
}

/// <summary>Everything the boot model reads: the tree's memory facts plus the kernel facts, each with its origin.</summary>
public sealed record LayoutInput
{
    public required KernelFacts Kernel { get; init; }
    /// <summary>Root <c>#address-cells</c> (default 1 when absent, as the kernel assumes).</summary>
    public required Fact<int> RootAddressCells { get; init; }
    public required Fact<int> RootSizeCells { get; init; }
    public IReadOnlyList<MemoryBank> MemoryBanks { get; init; } = [];
    /// <summary>RAM given by the user, a log or iomem; replaces the DT memory nodes when set.</summary>
    public Fact<IReadOnlyList<AddressRange>>? MemoryOverride { get; init; }
    public IReadOnlyList<MemReserveEntry> MemReserves { get; init; } = [];
    /// <summary>Null when the tree has no /reserved-memory node.</summary>
    public ReservedMemoryRoot? ReservedMemory { get; init; }
    public IReadOnlyList<ReservedRegionNode> Regions { get; init; } = [];
    /// <summary>The initrd as /chosen (or the user) gives it: [start, end).</summary>
    public Fact<AddressRange>? Initrd { get; init; }
    /// <summary>Where the bootloader put the DTB and its totalsize, when known.</summary>
    public Fact<AddressRange>? Dtb { get; init; }
    /// <summary>/chosen/bootargs.</summary>
    public Fact<string>? Bootargs { get; init; }
    /// <summary>Where the root cell counts, /chosen/bootargs and /chosen/linux,initrd-start were written (null when not from the tree).</summary>
    public SourceSpan? RootCellsSpan { get; init; }
    public SourceSpan? BootargsSpan { get; init; }
    public SourceSpan? InitrdSpan { get; init; }
    /// <summary>Problems met while reading the tree (wrong-length /chosen properties and the like).</summary>
    public IReadOnlyList<MalformedProperty> InputProblems { get; init; } = [];
    public string? SourceFile { get; init; }

    /// <summary>The command line in effect: the kernel fact if given, else /chosen/bootargs.</summary>
    public Fact<string>? EffectiveCmdline => Kernel.Cmdline ?? Bootargs;
}
