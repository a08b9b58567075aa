using Dtmem.Layout.Inputs;
using Dtmem.Layout.Ranges;

namespace Dtmem.Layout.Model;

/// <summary>The version families of kernel-memory-spec §0.</summary>
public enum KernelFamily { A, B, C, D, E }

/// <summary>
/// Every version- and config-dependent number and switch the boot model uses, computed once from the kernel
/// facts. Each threshold cites the spec section it comes from; [U] ones are the spec's unverified claims.
/// </summary>
public sealed record KernelRules
{
    public required Version Version { get; init; }
    public required KernelFamily Family { get; init; }
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

    public bool IsAtLeast(int major, int minor, int sub = 0) => Version >= new Version(major, minor, sub);

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
    public bool MemreserveAfterStatic => Family >= KernelFamily.D;
    /// <summary>Family E: dynamic regions allocated and initialised in the scan; statics initialised at unflatten.</summary>
    public bool InitDuringScan => Family == KernelFamily.E;
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
    /// <summary>
    /// Which symbol starts the image reservation: _text in 5.4 and in Debian's 6.12.117 source, _stext in 6.1 (measured, spec errata)
    /// and in 5.1x-era trees. The range is taken as 5.10–6.11 [U] until real logs pin it.
    /// </summary>
    public bool ImageReservedFromStext => IsAtLeast(5, 10) && !IsAtLeast(6, 12);
    /// <summary>The memblock function that gives a failed region back (its name appears in memblock=debug lines).</summary>
    public string FreeFunction => FreeIsPhysFree ? "memblock_phys_free" : "memblock_free";
    /// <summary>Largest buddy order (MAX_PAGE_ORDER, inclusive).</summary>
    public required int MaxPageOrder { get; init; }
    public required int PageblockOrder { get; init; }

    public static KernelFamily FamilyOf(Version v) =>
        v < new Version(5, 5) ? KernelFamily.A
        : v < new Version(5, 12) ? KernelFamily.B
        : v < new Version(6, 4) ? KernelFamily.C
        : v < new Version(6, 12, 13) ? KernelFamily.D
        : KernelFamily.E;

    /// <summary>Set when the family had to be assumed (a 6.12 version without its sub-level).</summary>
    public string? FamilyAssumption { get; init; }

    public static KernelRules For(KernelFacts kernel)
    {
        var raw = kernel.Version.Value;
        string? familyAssumption = null;
        // 6.12 without a sub-level: any 6.12.y from 2025 on carries the family-E backport (spec §0).
        if (raw.Major == 6 && raw.Minor == 12 && raw.Build < 0)
        {
            raw = new Version(6, 12, 13);
            familyAssumption = "6.12 without a sub-level is taken as 6.12.13+ (family E); give the full version to model 6.12.0-6.12.12 (family D)";
        }
        var v = Normalize(raw);
        var cfg = kernel.EffectiveConfig;
        var page = cfg.PageSize.Value is 16384 or 65536 ? cfg.PageSize.Value : 4096;
        var pageShift = page switch { 65536 => 16, 16384 => 14, _ => 12 };
        var pmdOrder = pageShift - 3; // PMD_SHIFT - PAGE_SHIFT for a 3/4-level table: 9, 11, 13
        // The config value was exclusive (MAX_ORDER) before 6.4 and inclusive (MAX_PAGE_ORDER) from 6.4.
        var maxPageOrder = v >= new Version(6, 4) ? cfg.ForceMaxOrder.Value : cfg.ForceMaxOrder.Value - 1;
        int pageblockOrder;
        string pbWhy;
        if (cfg.HugetlbPage.Value) { pageblockOrder = Math.Min(pmdOrder, maxPageOrder); pbWhy = "HUGETLB_PAGE"; }
        else if (cfg.TransparentHugepage.Value && v >= new Version(6, 8)) { pageblockOrder = Math.Min(pmdOrder, maxPageOrder); pbWhy = "THP"; }
        else { pageblockOrder = maxPageOrder; pbWhy = "no HUGETLB_PAGE"; }

        ulong align;
        string rule;
        var pageText = SizeText.Human((ulong)page);
        if (v < new Version(5, 19))
        {
            var order = Math.Max(maxPageOrder, pageblockOrder);
            align = (ulong)page << order;
            rule = $"Linux {v.Major}.{v.Minor}, {pageText} pages, MAX_ORDER {maxPageOrder + 1}: PAGE_SIZE << max(MAX_ORDER-1, pageblock_order) = {SizeText.Human(align)}";
        }
        else
        {
            align = (ulong)page << pageblockOrder;
            rule = $"Linux {v.Major}.{v.Minor}, {pageText} pages, {pbWhy}: PAGE_SIZE << pageblock_order ({pageblockOrder}) = {SizeText.Human(align)}";
        }
        var alignAssumed = cfg.PageSize.IsAssumed || cfg.ForceMaxOrder.IsAssumed || cfg.HugetlbPage.IsAssumed;

        // MAX_CMA_AREAS was 1 + CONFIG_CMA_AREAS (5.4, Debian 6.1: 19 -> 20) and became CONFIG_CMA_AREAS later [U: taken as 6.2].
        var plusOne = v < new Version(6, 2);
        var slots = cfg.CmaAreas.Value + (plusOne ? 1 : 0);
        var slotsRule = plusOne ? $"MAX_CMA_AREAS = 1 + CONFIG_CMA_AREAS ({cfg.CmaAreas.Value}) = {slots}" : $"MAX_CMA_AREAS = CONFIG_CMA_AREAS = {slots}";

        return new KernelRules
        {
            Version = v,
            Family = FamilyOf(v),
            PageSize = page,
            CmaMinAlignment = align,
            CmaAlignmentRule = rule,
            CmaAlignmentAssumed = alignAssumed,
            MaxReservedRegions = FamilyOf(v) == KernelFamily.A ? 32 : 64,
            CmaSlots = slots,
            CmaSlotsRule = slotsRule,
            MaxPageOrder = maxPageOrder,
            PageblockOrder = pageblockOrder,
            FamilyAssumption = familyAssumption,
        };
    }

    /// <summary>Treats a missing sublevel as 0 so comparisons with three-part versions behave.</summary>
    private static Version Normalize(Version v) => new(v.Major, v.Minor, Math.Max(v.Build, 0));
}
