using Dtmem.Kernel.Versions;
using Dtmem.Layout.Inputs;
using Dtmem.Layout.Ranges;

namespace Dtmem.Layout.Model;

/// <summary>
/// Every version- and config-dependent number and switch the boot model uses, computed once from the kernel
/// facts. Each threshold cites the spec section it comes from; [U] ones are the spec's unverified claims.
/// </summary>
public sealed record KernelRules
{
    /// <summary>The release the rules follow; a 6.12 without sub-level is taken as the family-E one (see <see cref="FamilyAssumption"/>).</summary>
    public required KernelVersion Version { get; init; }
    public required VersionFamily Family { get; init; }
    public required int PageSize { get; init; }
    /// <summary>CMA_MIN_ALIGNMENT_BYTES for this version and config (§3.2).</summary>
    public required ulong CmaMinAlignment { get; init; }
    /// <summary>How <see cref="CmaMinAlignment"/> was computed, for messages ("Linux 5.4, 4 KiB pages, MAX_ORDER 11: ... = 4 MiB").</summary>
    public required string CmaAlignmentRule { get; init; }
    public required bool CmaAlignmentAssumed { get; init; }
    /// <summary>MAX_RESERVED_REGIONS: 32 in 5.4, 64 later (§2.4).</summary>
    public required int MaxReservedRegions { get; init; }
    /// <summary>Size of the cma_areas array (§4.1).</summary>
    public required int CmaSlots { get; init; }
    public required string CmaSlotsRule { get; init; }

    public bool IsAtLeast(int major, int minor, int sub = 0) => Version.AtLeast(major, minor, sub);

    /// <summary>≥5.7: cma= on the command line bypasses a DT linux,cma-default region (§3.1).</summary>
    public bool CmdlineCmaBypassesDt => IsAtLeast(5, 7);
    /// <summary>&lt;5.12: static no-map is memblock_remove; ≥5.12 memblock_mark_nomap with the -EBUSY check (§2.2).</summary>
    public bool NoMapRemoves => !IsAtLeast(5, 12);
    /// <summary>≥5.17: -EBUSY only when the no-map range overlaps memory.</summary>
    public bool NoMapEbusyNeedsRam => IsAtLeast(5, 17);
    /// <summary>≥5.15: dynamic regions come from memblock_phys_alloc_range; no-map ones are also reserved.</summary>
    public bool DynamicUsesPhysAlloc => IsAtLeast(5, 15);
    /// <summary>≥5.16: the compat-fail path uses memblock_phys_free / memblock_clear_nomap.</summary>
    public bool FreeIsPhysFree => IsAtLeast(5, 16);
    /// <summary>≥6.4 (families D, E): /memreserve/ is reserved after the static scan (§2.5).</summary>
    public bool MemreserveAfterStatic => Family >= VersionFamily.D;
    /// <summary>Family E: dynamic regions allocated and initialised in the scan; statics initialised at unflatten.</summary>
    public bool InitDuringScan => Family == VersionFamily.E;
    /// <summary>≥6.4: alloc-ranges bottom-up/top-down heuristic (§2.3) [P].</summary>
    public bool AllocRangeHeuristic => IsAtLeast(6, 4);
    /// <summary>≥6.3: the "%pa..%pa (%lu KiB) map reusable name" summary line [P].</summary>
    public bool PrintsRegionSummary => IsAtLeast(6, 3);
    /// <summary>≥6.6: cma lines end in "on node %d" [P].</summary>
    public bool CmaOnNode => IsAtLeast(6, 6);
    /// <summary>≥5.11: the default CMA is reserved in bootmem_init, after unflatten (§1.2).</summary>
    public bool DefaultCmaInBootmem => IsAtLeast(5, 11);
    /// <summary>≥5.12: a CMA area that fails activation gives all its pages to buddy (§4.3).</summary>
    public bool FailedCmaPagesToBuddy => IsAtLeast(5, 12);
    /// <summary>≥5.15: restricted-dma-pool has an init function (with CONFIG_DMA_RESTRICTED_POOL).</summary>
    public bool HasRestrictedPool => IsAtLeast(5, 15);
    /// <summary>≥5.8: atomic pools per GFP zone (kernel/dma/pool.c); before, one pool (§4.4).</summary>
    public bool AtomicPoolsPerZone => IsAtLeast(5, 8);
    /// <summary>≥5.8: the misaligned-image warning exists (§1.1).</summary>
    public bool WarnsMisalignedImage => IsAtLeast(5, 8);
    /// <summary>Prefix of the fdt.c-era reserved-memory lines: "OF: fdt: " until the code moved to of_reserved_mem.c (6.2–6.12 [U]; taken as 6.5 here).</summary>
    public string ReserveRegPrefix => IsAtLeast(6, 5) ? "OF: reserved mem: " : "OF: fdt: ";
    /// <summary>"failed to reserve" moved from KERN_INFO to KERN_ERR between 5.10 and 6.1 [U]; taken as 5.15 here.</summary>
    public KernelLogLevel FailedReserveLevel => IsAtLeast(5, 15) ? KernelLogLevel.Error : KernelLogLevel.Info;
    /// <summary>The memblock function that gives a failed region back (its name appears in memblock=debug lines).</summary>
    public string FreeFunction => FreeIsPhysFree ? "memblock_phys_free" : "memblock_free";
    /// <summary>Largest buddy order (MAX_PAGE_ORDER, inclusive).</summary>
    public required int MaxPageOrder { get; init; }
    public required int PageblockOrder { get; init; }

    /// <summary>Set when the family had to be assumed (a 6.12 version without its sub-level).</summary>
    public string? FamilyAssumption { get; init; }

    public static KernelRules For(KernelFacts kernel)
    {
        // The family alone may be assumed here (a 6.12 without sub-level); an assumed version is reported on its own.
        var family = VersionFamilies.Of(kernel.Release with { IsAssumed = false });
        var v = kernel.Release.Value;
        if (v is { Major: 6, Minor: 12, Sublevel: null }) v = v with { Sublevel = VersionFamilies.FirstFamilyE612Sublevel };
        var cfg = kernel.EffectiveConfig;
        var areas = cfg.CmaAreas.Value;
        var slots = cfg.CmaAreaCapacity.Value;
        return new KernelRules
        {
            Version = v,
            Family = family.Value,
            FamilyAssumption = family.IsAssumed ? family.Origin : null,
            PageSize = cfg.PageSize.Value,
            CmaMinAlignment = cfg.CmaMinAlignment.Value,
            CmaAlignmentRule = $"Linux {v.Major}.{v.Minor}, {SizeText.Human((ulong)cfg.PageSize.Value)} pages: {cfg.CmaMinAlignment.Origin} = {SizeText.Human(cfg.CmaMinAlignment.Value)}",
            CmaAlignmentAssumed = cfg.CmaMinAlignment.IsAssumed,
            MaxReservedRegions = family.Value == VersionFamily.A ? 32 : 64,
            CmaSlots = slots,
            CmaSlotsRule = slots == areas ? $"MAX_CMA_AREAS = CONFIG_CMA_AREAS = {slots}" : $"MAX_CMA_AREAS = 1 + CONFIG_CMA_AREAS ({areas}) = {slots}",
            MaxPageOrder = cfg.MaxPageOrder.Value,
            PageblockOrder = cfg.PageblockOrder.Value,
        };
    }
}
