namespace Dtmem.Diagnosis.Boot;

/// <summary>What a range in a boot log or dump says about memory.</summary>
public enum BootRangeKind
{
    MemblockAdd,
    MemblockRemove,
    MemblockReserve,
    /// <summary>memblock_free (≤5.15) / memblock_phys_free (≥5.16).</summary>
    MemblockFree,
    /// <summary>Entries of the `MEMBLOCK configuration:` dump, memory type.</summary>
    MemblockDumpMemory,
    /// <summary>Entries of the `MEMBLOCK configuration:` dump, reserved type.</summary>
    MemblockDumpReserved,
    /// <summary>`OF: reserved mem: 0x…..0x… (N KiB) map|nomap reusable|non-reusable name` (≈6.3+).</summary>
    ReservedMemRegion,
    /// <summary>`Reserved memory: created CMA memory pool at …, size N MiB` (end derived from the MiB size).</summary>
    CmaPool,
    DmaPool,
    RestrictedDmaPool,
    /// <summary>`cma: Reserved N MiB at …` (cmdline/Kconfig default area).</summary>
    CmaReserved,
    /// <summary>`Reserved memory: failed to reserve memory for node '…': base …, size N MiB`.</summary>
    ReserveFailed,
    /// <summary>Both sides of an `OVERLAP DETECTED!` report (exclusive ends converted to inclusive).</summary>
    RmemOverlap,
    Elfcorehdr,
    Zone,
    NodeRange,
    InitmemNode,
    /// <summary>A /proc/iomem line (see <see cref="BootRange.Name"/> for `System RAM`, `Kernel code`, `reserved`, …).</summary>
    Iomem,
    /// <summary>A line of /sys/kernel/debug/memblock/memory.</summary>
    DebugfsMemory,
    /// <summary>A line of /sys/kernel/debug/memblock/reserved.</summary>
    DebugfsReserved,
}

/// <summary>One range with what it is, the name the log gave it (node, zone, iomem name), extra detail
/// (memblock caller, flags, nid) and the exact line it came from.</summary>
public sealed record BootRange(BootRangeKind Kind, PrintedRange Range, string? Name, string? Detail, LineRef Source)
{
    /// <summary>True when the end was computed from a size printed in whole MiB (rounded down by the kernel).</summary>
    public bool SizeRoundedToMiB { get; init; }

    /// <summary>/proc/iomem nesting depth (0 = top level); -1 elsewhere.</summary>
    public int Depth { get; init; } = -1;

    /// <summary>/proc/iomem: index of the parent entry in <see cref="BootEvidence.Ranges"/>; -1 at top level or elsewhere.</summary>
    public int Parent { get; init; } = -1;

    /// <summary>The function a memblock=debug line names as its caller: the last word of the detail without its
    /// offset, size or compiler suffix (`nid=0 flags=0 early_init_dt_add_memory_arch+0x54/0x60` gives
    /// `early_init_dt_add_memory_arch`). Null for other lines.</summary>
    public string? Caller
    {
        get
        {
            if (Kind is not (BootRangeKind.MemblockAdd or BootRangeKind.MemblockRemove or BootRangeKind.MemblockReserve or BootRangeKind.MemblockFree))
                return null;
            var d = Detail?.Trim();
            if (string.IsNullOrEmpty(d)) return null;
            d = d[(d.LastIndexOf(' ') + 1)..];
            int plus = d.IndexOf('+');
            if (plus > 0) d = d[..plus];
            int dot = d.IndexOf('.');
            return dot > 0 ? d[..dot] : d;
        }
    }
}

/// <summary>Reserved-memory and CMA messages that carry no range (init results, failures, warnings).</summary>
public enum BootMessageKind
{
    RmemInitialized,
    RmemCompatibleMatchFail,
    RmemUnsupportedFormat,
    RmemIncorrectCmaAlignment,
    RmemUnableToSetupCma,
    RmemBypassedForCmdline,
    RmemAllocFailed,
    RmemInvalidProperty,
    RmemNoNode,
    RmemTooMany,
    CmaFailed,
    CmaNotActivated,
    ElfcorehdrOverlapped,
    MemblockAlloc,
    Other,
}

public sealed record BootMessage(BootMessageKind Kind, string? Name, string Text, LineRef Source)
{
    /// <summary>Second name, e.g. the compatible of `initialized node X, compatible id Y`.</summary>
    public string? Detail { get; init; }
}

/// <summary>`Memory: %luK/%luK available (…K kernel code, …K rwdata, …K rodata, …K init, …K bss, …K reserved, …K cma-reserved)`.
/// Fields the line did not carry stay null (old kernels omit some, vendor kernels add some).</summary>
public sealed record MemoryLine(ulong AvailableKiB, ulong TotalKiB, IReadOnlyDictionary<string, ulong> PartsKiB, LineRef Source)
{
    public ulong? Part(string name) => PartsKiB.TryGetValue(name, out var v) ? v : null;
}

/// <summary>Everything the boot log said about physical memory, each fact with its source line.</summary>
public sealed class BootEvidence
{
    public IReadOnlyList<BootRange> Ranges => RangeList;
    public IReadOnlyList<BootMessage> Messages => MessageList;
    public Sourced<string>? KernelVersion { get; internal set; }
    public Sourced<string>? LinuxBanner { get; internal set; }
    public Sourced<string>? MachineModel { get; internal set; }
    public Sourced<string>? CommandLine { get; internal set; }
    public MemoryLine? Memory { get; internal set; }

    /// <summary>PHYS_OFFSET / PAGE_OFFSET when a line printed them (`… PHYS_OFFSET is 0x0, PAGE_OFFSET is 0x…`,
    /// `PHYS_OFFSET: 0x…` from a panic tail).</summary>
    public Sourced<ulong>? PhysOffset { get; internal set; }
    public Sourced<ulong>? PageOffset { get; internal set; }

    /// <summary>Whether `memblock=debug` lines were present (their absence means memblock ranges are unknown, not empty).</summary>
    public bool HasMemblockDebug { get; internal set; }
    public IReadOnlyList<DiagnosisNote> Notes => NoteList;

    public IEnumerable<BootRange> OfKind(BootRangeKind kind) => RangeList.Where(r => r.Kind == kind);

    internal List<BootRange> RangeList { get; } = [];
    internal List<BootMessage> MessageList { get; } = [];
    internal List<DiagnosisNote> NoteList { get; } = [];
}
