using Dtmem.DeviceTree.Model;
using Dtmem.Layout.Ranges;

namespace Dtmem.Diagnosis.Attribution;

/// <summary>What a physical range is, in the terms the root-cause rules reason with.</summary>
public enum RegionRole
{
    Ram,
    /// <summary>The whole kernel image [_text, _end) when the source does not split it.</summary>
    KernelImage,
    /// <summary>iomem `Kernel code`: [_text, __init_begin), read-only in the linear map.</summary>
    KernelCode,
    /// <summary>iomem `Kernel data`: [_sdata, _end).</summary>
    KernelData,
    Initrd,
    Dtb,
    MemReserve,
    /// <summary>Kept reserved (memblock.reserved, iomem `reserved`, a mapped /reserved-memory region).</summary>
    Reserved,
    /// <summary>Not in the linear map: a `no-map` region (removed or MEMBLOCK_NOMAP).</summary>
    NoMap,
    /// <summary>A reusable shared-dma-pool: its pages go to the page allocator as MIGRATE_CMA.</summary>
    CmaPool,
    /// <summary>The default CMA area from `cma=` or Kconfig.</summary>
    DefaultCma,
    /// <summary>A non-reusable DMA pool (`created DMA memory pool`).</summary>
    DmaPool,
    /// <summary>A /reserved-memory node the kernel failed to reserve: its range stayed ordinary RAM.</summary>
    ReserveFailed,
    /// <summary>Anything else (an MMIO resource in iomem, an unnamed reservation).</summary>
    Other,
}

/// <summary>Where a region's knowledge came from: a DTS line, a log line, or a model input (an option, a default).</summary>
public sealed record RegionSource(string Kind, string Text)
{
    public SourceSpan? Span { get; init; }
    public LineRef? Line { get; init; }

    /// <summary>What the DTS line is ("reg of /reserved-memory/linux,cma").</summary>
    public string? Detail { get; init; }

    public static RegionSource FromSpan(SourceSpan span, string detail) => new("dts", $"{span.File}:{span.Line}: {detail}") { Span = span, Detail = detail };

    public static RegionSource FromLine(string kind, LineRef line) => new(kind, $"{line.File}:{line.Line}: {line.Raw.Trim()}") { Line = line };

    /// <summary>The text with file names rewritten (reports print them relative to the working folder).</summary>
    public string Format(Func<string, string> path) =>
        Span is { } s ? $"{path(s.File)}:{s.Line}: {Detail}"
        : Line is { } l ? $"{path(l.File)}:{l.Line}: {l.Raw.Trim()}"
        : Text;

    public override string ToString() => Text;
}

/// <summary>One range some source knows about, with its role and name (node path, iomem name, log caller).</summary>
public sealed record KnownRegion(RegionRole Role, string Name, AddressRange Range, RegionSource Source)
{
    /// <summary>Extra facts for people ("reusable", "no-map", "merged with the kernel reservation").</summary>
    public string? Detail { get; init; }

    /// <summary>True when the role rests on an inference (for example a memblock caller read as the kernel reservation).</summary>
    public bool Inferred { get; init; }

    public bool IsKernel => Role is RegionRole.KernelImage or RegionRole.KernelCode or RegionRole.KernelData;

    public bool IsCma => Role is RegionRole.CmaPool or RegionRole.DefaultCma;

    public override string ToString() => $"{Range.ToKernelString()} {Role} {Name}";
}
