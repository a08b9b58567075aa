using Dtmem.Layout.Ranges;

namespace Dtmem.Diagnosis;

/// <summary>Where a parsed fact came from: file, 1-based line number and the raw line as read (prefixes included).</summary>
public sealed record LineRef(string File, int Line, string Raw)
{
    public override string ToString() => $"{File}:{Line}";
}

/// <summary>A parsed value together with the log line it was read from.</summary>
public sealed record Sourced<T>(T Value, LineRef Source);

/// <summary>Something the parser noticed that the attribution layer or the user should see
/// (a disagreement between the kernel's own ESR decoding and ours, a truncated line, ...).</summary>
public sealed record DiagnosisNote(string Code, string Message, LineRef? Source);

/// <summary>A physical range exactly as a log printed it: both ends inclusive. Start &lt;= EndInclusive always holds;
/// a printed range whose end is below its start (the kernel prints such ranges for empty removals) is kept with
/// <see cref="Empty"/> set and EndInclusive = Start.</summary>
public readonly record struct PrintedRange
{
    public PrintedRange(ulong start, ulong endInclusive)
    {
        Start = start;
        Empty = endInclusive < start;
        EndInclusive = Empty ? start : endInclusive;
    }

    public ulong Start { get; }
    public ulong EndInclusive { get; }
    public bool Empty { get; }

    /// <summary>Number of bytes; saturates at ulong.MaxValue for the full 64-bit space.</summary>
    public ulong Size => Empty ? 0 : (EndInclusive - Start == ulong.MaxValue ? ulong.MaxValue : EndInclusive - Start + 1);

    private PrintedRange(ulong start)
    {
        Start = start;
        EndInclusive = start;
        Empty = true;
    }

    /// <summary>[start, start+size-1]; the end saturates at the top of the address space.</summary>
    public static PrintedRange FromBaseSize(ulong start, ulong size) =>
        size == 0 ? new PrintedRange(start) : new PrintedRange(start, start + Math.Min(size - 1, ulong.MaxValue - start));

    public bool Contains(ulong address) => !Empty && address >= Start && address <= EndInclusive;

    /// <summary>The same bytes as the layout model's half-open range (an empty print becomes an empty range at Start).</summary>
    public AddressRange ToAddressRange() => Empty ? new AddressRange(Start, Start) : AddressRange.FromInclusive(Start, EndInclusive);

    public bool Overlaps(PrintedRange other) =>
        !Empty && !other.Empty && Start <= other.EndInclusive && other.Start <= EndInclusive;

    public override string ToString() => $"[0x{Start:x16}-0x{EndInclusive:x16}]";
}
