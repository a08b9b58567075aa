namespace Dtmem.Kernel.Placement;

/// <summary>A physical range [Start, End) with where its numbers came from.</summary>
public sealed record KernelSection(string Name, ulong Start, ulong End, string Origin);

/// <summary>
/// Where the kernel image sits in physical memory: [_text, _end) and, when symbols or /proc/iomem say so,
/// its sections. The Layout model consumes this.
/// </summary>
public sealed record KernelImage
{
    /// <summary>Physical address of _text.</summary>
    public required Fact<ulong> Start { get; init; }

    /// <summary>Physical address of _end (exclusive; bss included).</summary>
    public required Fact<ulong> End { get; init; }

    /// <summary>
    /// Physical start of the kernel's own memblock reservation: _text, or _stext (= _text + 0x10000 on Debian builds)
    /// on the kernels that reserve from _stext (measured on 6.1.176). Null when the version is not known.
    /// </summary>
    public Fact<ulong>? ReservationStart { get; init; }

    /// <summary>The text_offset used to place it, when it was placed from a load address.</summary>
    public Fact<ulong>? TextOffset { get; init; }

    /// <summary>text, rodata, init, data, bss (whichever are known), or "Kernel code"/"Kernel data" from /proc/iomem.</summary>
    public IReadOnlyList<KernelSection> Sections { get; init; } = [];

    /// <summary>True when _text - text_offset is not 2 MiB-aligned: ≥5.8 prints "Kernel image misaligned at boot".</summary>
    public bool IsMisaligned => TextOffset is { } t && (Start.Value - t.Value) % KernelPlacement.MinKimgAlign != 0;

    public ulong Size => End.Value - Start.Value;

    public override string ToString() => $"kernel [0x{Start.Value:x}-0x{End.Value - 1:x}] ({Start.Origin})";
}
