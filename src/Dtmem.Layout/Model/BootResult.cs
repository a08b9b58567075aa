using Dtmem.Layout.Inputs;
using Dtmem.Layout.Ranges;

namespace Dtmem.Layout.Model;

public enum RegionStatus
{
    /// <summary>/reserved-memory failed the root format check: nothing in it was looked at.</summary>
    IgnoredByRoot,
    Disabled,
    /// <summary>reg (or, for a dynamic node, size/alignment/alloc-ranges) had a wrong length: node skipped.</summary>
    Malformed,
    /// <summary>Neither reg nor size: the kernel ignores it.</summary>
    NoPlacement,
    /// <summary>Every reg tuple was reserved (or marked/removed for no-map).</summary>
    Reserved,
    /// <summary>At least one reg tuple failed (size 0, -EBUSY).</summary>
    ReserveFailed,
    Allocated,
    AllocFailed,
    /// <summary>A dynamic region that could not be placed because no memory is known.</summary>
    NotPlacedMemoryUnknown,
}

public enum InitStatus
{
    NotRun,
    /// <summary>An init function returned 0.</summary>
    Succeeded,
    /// <summary>No init function matched (-ENOENT): the region stays as reserved.</summary>
    NoMatch,
    /// <summary>Init failed: "compatible matching fail" and the range is given back to memblock.</summary>
    Failed,
    /// <summary>Not registered: the reserved_mem array was full.</summary>
    NotRegistered,
}

/// <summary>What the model predicts for one /reserved-memory child.</summary>
public sealed record RegionOutcome
{
    public required ReservedRegionNode Node { get; init; }
    public required RegionStatus Status { get; init; }
    /// <summary>The range the region manages: the first reg tuple, or the dynamic placement. Null when none.</summary>
    public AddressRange? Range { get; init; }
    /// <summary>Every reg tuple that was reserved (all of them are, only the first is managed).</summary>
    public IReadOnlyList<AddressRange> ReservedTuples { get; init; } = [];
    public InitStatus Init { get; init; } = InitStatus.NotRun;
    /// <summary>"cma", "dma-coherent", "restricted-dma" for a success; the reason for a failure.</summary>
    public string? InitDetail { get; init; }
    /// <summary>The range memblock gave back when init failed (it may take other owners' pages with it).</summary>
    public AddressRange? ReleasedRange { get; init; }
    /// <summary>The alignment used for a dynamic placement (after the CMA bump).</summary>
    public ulong? EffectiveAlignment { get; init; }
    public string? Why { get; init; }
}

public enum CmaSource { DeviceTree, Cmdline, Kconfig }

/// <summary>A CMA area the kernel registered (cma_areas[]).</summary>
public sealed record CmaArea
{
    public required string Name { get; init; }
    public required AddressRange Range { get; init; }
    public required CmaSource Source { get; init; }
    public bool IsDefault { get; init; }
    /// <summary>True when cma_activate_area succeeded; false when it failed (zone span); null when activation was not reached.</summary>
    public bool? Activated { get; init; }
    public string? ActivationProblem { get; init; }
    /// <summary>True when activating the area touches pages that are not RAM: the boot panics there (real 6.1/6.12 boots).</summary>
    public bool CrashesBoot { get; init; }
    public ReservedRegionNode? Node { get; init; }
}

/// <summary>A memory zone as bootmem_init prints it.</summary>
public sealed record Zone(string Name, AddressRange? Range);

/// <summary>Everything the boot model predicts for one input.</summary>
public sealed record BootResult
{
    public required LayoutInput Input { get; init; }
    public required KernelRules Rules { get; init; }
    public required IReadOnlyList<BootEvent> Events { get; init; }
    public required PhysMap Map { get; init; }
    public required IReadOnlyList<RegionOutcome> Regions { get; init; }
    public required IReadOnlyList<CmaArea> CmaAreas { get; init; }
    public required IReadOnlyList<RegionOwner> Owners { get; init; }
    public required IReadOnlyList<Zone> Zones { get; init; }
    /// <summary>False when no memory bank with a size was described (bootloader-filled memory): checks that need RAM skip.</summary>
    public required bool MemoryKnown { get; init; }
    /// <summary>memblock.memory after arm64_memblock_init (before any no-map), the RAM the kernel believes in.</summary>
    public required IReadOnlyList<AddressRange> Memory { get; init; }
    public required IReadOnlyList<AddressRange> Reserved { get; init; }
    public required IReadOnlyList<AddressRange> NoMap { get; init; }
    /// <summary>The limit handed to dma_contiguous_reserve (arm64_dma_phys_limit), when memory is known.</summary>
    public ulong? DmaLimit { get; init; }
    public CmdlineOptions Cmdline { get; init; } = new();
    /// <summary>Why the boot is predicted to crash before user space (later phases are then not simulated), or null.</summary>
    public string? PredictedCrash { get; init; }
    /// <summary>The kernel image owner, when its placement is known or guessed.</summary>
    public RegionOwner? KernelImage { get; init; }
    /// <summary>Statements the prediction rests on that are not facts ("kernel version defaulted", "order of dynamic regions uncertain").</summary>
    public IReadOnlyList<string> Assumptions { get; init; } = [];

    public RegionOutcome? OutcomeOf(ReservedRegionNode node) => Regions.FirstOrDefault(r => r.Node == node);
}
