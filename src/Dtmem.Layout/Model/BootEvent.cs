using Dtmem.Kernel.Versions;
using Dtmem.Layout.Ranges;

namespace Dtmem.Layout.Model;

/// <summary>Where in early boot an event happens, in boot order.</summary>
public enum BootPhase
{
    SetupMachineFdt,
    Arm64MemblockInit,
    ReservedMemoryScan,
    ReservedMemoryInit,
    DmaContiguousReserve,
    PagingInit,
    UnflattenDeviceTree,
    BootmemInit,
    CoreInitcall,
    PostcoreInitcall,
}

public enum KernelLogLevel { Debug, Info, Notice, Warning, Error }

public enum BootEventKind
{
    MemblockAdd,
    MemblockRemove,
    MemblockReserve,
    MemblockFree,
    MemblockMarkNomap,
    MemblockClearNomap,
    MemblockAlloc,
    MemoryIgnored,
    MemoryLimited,
    InitrdDropped,
    RootFormatRejected,
    InvalidProperty,
    RegionReserveFailed,
    RegionAllocated,
    RegionAllocFailed,
    TooManyRegions,
    OverlapDetected,
    InitSucceeded,
    InitFailed,
    InitBypassed,
    RegionSummary,
    IgnoredRegTuples,
    CmaSlotsExhausted,
    CmaDeclared,
    CmaDeclareFailed,
    CmaActivationFailed,
    CmaActivated,
    ZoneRanges,
    AtomicPool,
    Note,
}

/// <summary>
/// One step of the simulated boot. <see cref="LogLine"/> is the exact text (after the timestamp) the kernel of
/// <see cref="Family"/> prints, or null when the step is silent. memblock=debug and pr_debug lines set
/// <see cref="DebugOnly"/>; their trailing <c>%pS</c> caller is given as the bare function name (the kernel adds
/// <c>+0xoff/0xsize</c>). A line with an embedded newline is what one printk call prints as two lines.
/// </summary>
public sealed record BootEvent(
    int Sequence,
    BootPhase Phase,
    string Function,
    BootEventKind Kind,
    AddressRange? Range,
    string? LogLine,
    KernelLogLevel Level,
    bool DebugOnly,
    VersionFamily Family,
    string? Subject = null,
    string? Note = null);
