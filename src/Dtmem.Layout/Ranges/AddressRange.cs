using System.Globalization;

namespace Dtmem.Layout.Ranges;

/// <summary>
/// A half-open physical address range [Start, End) on ulong. The very last byte of the 64-bit space cannot be
/// covered: like memblock's <c>memblock_cap_size()</c>, a size that would run past 2^64 is saturated at
/// <see cref="ulong.MaxValue"/>. Every range computation in dtmem goes through this type.
/// </summary>
public readonly record struct AddressRange
{
    public AddressRange(ulong start, ulong end)
    {
        if (end < start) throw new ArgumentException($"range end 0x{end:x} is below its start 0x{start:x}", nameof(end));
        Start = start;
        End = end;
    }

    public ulong Start { get; }

    /// <summary>Exclusive end.</summary>
    public ulong End { get; }

    public ulong Size => End - Start;

    public bool IsEmpty => End == Start;

    /// <summary>Inclusive last byte as the kernel prints it (<c>base + size - 1</c>, wrapping for an empty range at 0).</summary>
    public ulong Last => unchecked(End - 1);

    public static AddressRange Empty => default;

    /// <summary>[start, start+size), or an error when it would pass the top of the 64-bit space.</summary>
    public static AddressRange FromStartSize(ulong start, ulong size) =>
        TryFromStartSize(start, size, out var r)
            ? r
            : throw new OverflowException($"range 0x{start:x} + 0x{size:x} runs past the top of the 64-bit address space");

    public static bool TryFromStartSize(ulong start, ulong size, out AddressRange range)
    {
        if (size > ulong.MaxValue - start) { range = default; return false; }
        range = new AddressRange(start, start + size);
        return true;
    }

    /// <summary>[start, start+size) with the size capped at the top of the address space, as memblock_cap_size does.</summary>
    public static AddressRange FromStartSizeSaturating(ulong start, ulong size) =>
        new(start, size > ulong.MaxValue - start ? ulong.MaxValue : start + size);

    /// <summary>From an inclusive [first, last] pair as the kernel prints it; last = 2^64-1 saturates.</summary>
    public static AddressRange FromInclusive(ulong first, ulong last)
    {
        if (last < first) throw new ArgumentException($"inclusive range 0x{first:x}-0x{last:x} is reversed", nameof(last));
        return new AddressRange(first, last == ulong.MaxValue ? ulong.MaxValue : last + 1);
    }

    public bool Contains(ulong address) => address >= Start && address < End;

    /// <summary>True when <paramref name="other"/> lies wholly inside this range (an empty range is inside any range that holds its start).</summary>
    public bool Contains(AddressRange other) => other.Start >= Start && other.End <= End;

    public bool Overlaps(AddressRange other) => !IsEmpty && !other.IsEmpty && Start < other.End && other.Start < End;

    /// <summary>True when the two ranges overlap or touch end to start (memblock merges such neighbours).</summary>
    public bool Touches(AddressRange other) => Start <= other.End && other.Start <= End;

    public AddressRange Intersect(AddressRange other)
    {
        var s = Math.Max(Start, other.Start);
        var e = Math.Min(End, other.End);
        return e > s ? new AddressRange(s, e) : Empty;
    }

    /// <summary>This range minus <paramref name="other"/>: zero, one or two pieces, in address order.</summary>
    public IReadOnlyList<AddressRange> Subtract(AddressRange other)
    {
        if (IsEmpty) return [];
        if (!Overlaps(other)) return [this];
        var pieces = new List<AddressRange>(2);
        if (other.Start > Start) pieces.Add(new AddressRange(Start, other.Start));
        if (other.End < End) pieces.Add(new AddressRange(other.End, End));
        return pieces;
    }

    /// <summary>The base rounded up and the end rounded down to <paramref name="align"/> (a power of two); empty when nothing is left.</summary>
    public AddressRange ShrinkToAlignment(ulong align)
    {
        var s = AlignUp(Start, align, out var overflow);
        var e = AlignDown(End, align);
        return overflow || e <= s ? Empty : new AddressRange(s, e);
    }

    public static ulong AlignDown(ulong value, ulong align) => value & ~(align - 1);

    public static ulong AlignUp(ulong value, ulong align, out bool overflow)
    {
        var mask = align - 1;
        overflow = value > ulong.MaxValue - mask;
        return overflow ? 0 : (value + mask) & ~mask;
    }

    /// <summary><c>0x%016llx</c>, the kernel's <c>%pa</c> for a 64-bit phys_addr_t.</summary>
    public static string Pa(ulong address) => "0x" + address.ToString("x16", CultureInfo.InvariantCulture);

    /// <summary>memblock debug style, inclusive end: <c>[0x0000000010000000-0x00000000107fffff]</c>.</summary>
    public string ToKernelString() => $"[{Pa(Start)}-{Pa(Last)}]";

    /// <summary>The reserved-memory summary style, inclusive end: <c>0x0000000010000000..0x00000000107fffff</c>.</summary>
    public string ToDotDotString() => $"{Pa(Start)}..{Pa(Last)}";

    /// <summary>The OVERLAP DETECTED style, exclusive end: <c>(0x0000000010000000--0x0000000010800000)</c>.</summary>
    public string ToOverlapString() => $"({Pa(Start)}--{Pa(End)})";

    /// <summary>Zone/node style, <c>%#018Lx</c> both ends, inclusive: <c>[mem 0x0000000000200000-0x000000007fffffff]</c>.</summary>
    public string ToMemString() => $"[mem {Pa(Start)}-{Pa(Last)}]";

    /// <summary>/proc/iomem style (<c>%08llx-%08llx</c>, inclusive).</summary>
    public string ToIomemString() =>
        Start.ToString("x8", CultureInfo.InvariantCulture) + "-" + Last.ToString("x8", CultureInfo.InvariantCulture);

    public override string ToString() => IsEmpty ? $"[empty at {Pa(Start)}]" : ToKernelString();
}
