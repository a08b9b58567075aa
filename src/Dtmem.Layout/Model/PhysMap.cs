using Dtmem.DeviceTree.Model;
using Dtmem.Layout.Inputs;
using Dtmem.Layout.Ranges;

namespace Dtmem.Layout.Model;

public enum OwnerKind { Kernel, Initrd, Dtb, MemReserve, ReservedRegion, DefaultCma, AtomicPool }

/// <summary>Something that claims a physical range: the kernel image, the initrd, a /reserved-memory node, ...</summary>
/// <param name="Origin">Where the range came from, for people ("--load-addr option", "reg of /reserved-memory/linux,cma").</param>
/// <param name="IsAssumed">True when the range rests on a default or a guess (a guessed kernel load address).</param>
public sealed record RegionOwner(
    OwnerKind Kind, string Name, AddressRange Range, string Origin, bool IsAssumed, SourceSpan? Span,
    ReservedRegionNode? Region = null)
{
    public override string ToString() => $"{Name} {Range}";
}

/// <summary>
/// The final state of a page range after boot, when the buddy allocator has everything it will get. When no
/// memory is known (<see cref="BootResult.MemoryKnown"/> false), owned ranges are treated as RAM.
/// </summary>
public enum PageState
{
    /// <summary>Not RAM: outside every memory bank.</summary>
    NotRam,
    /// <summary>RAM handed to the buddy allocator as ordinary free pages.</summary>
    Free,
    /// <summary>Kept by memblock.reserved for ever.</summary>
    Reserved,
    /// <summary>RAM with MEMBLOCK_NOMAP (not in the linear map), or removed from memory by a 5.4–5.11 no-map.</summary>
    NoMap,
    /// <summary>Given to the buddy allocator as MIGRATE_CMA pageblocks at cma_init_reserved_areas.</summary>
    CmaInBuddy,
}

/// <summary>A maximal range with one state and one set of owners.</summary>
public sealed record PhysPiece(AddressRange Range, PageState State, IReadOnlyList<RegionOwner> Owners)
{
    public override string ToString() => $"{Range} {State}: {string.Join(", ", Owners.Select(o => o.Name))}";
}

/// <summary>The sorted, non-overlapping physical map after boot, covering every range any owner or memory touches.</summary>
public sealed class PhysMap
{
    public PhysMap(IReadOnlyList<PhysPiece> pieces) => Pieces = pieces;

    public IReadOnlyList<PhysPiece> Pieces { get; }

    /// <summary>Pieces that overlap <paramref name="range"/>, clipped to it.</summary>
    public IEnumerable<PhysPiece> In(AddressRange range)
    {
        // The pieces are sorted and disjoint: a binary search finds the first, so a query per owner stays
        // O(log n + k) and a board with thousands of regions does not cost thousands of full scans.
        int lo = 0, hi = Pieces.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (Pieces[mid].Range.End <= range.Start) lo = mid + 1;
            else hi = mid;
        }
        for (var i = lo; i < Pieces.Count && Pieces[i].Range.Start < range.End; i++)
        {
            var x = Pieces[i].Range.Intersect(range);
            if (!x.IsEmpty) yield return Pieces[i] with { Range = x };
        }
    }
}
