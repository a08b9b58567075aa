using Dtmem.Kernel.Versions;

namespace Dtmem.Kernel.Config;

/// <summary>How CONFIG_CMA_SIZE_SEL_* combines the Kconfig CMA size choices.</summary>
public enum CmaSizeSelection
{
    MBytes,
    Percentage,
    Min,
    Max,
}

/// <summary>
/// The kernel configuration the boot-memory model needs, each value a fact: read from a .config when given,
/// otherwise the default for the version (marked assumed; <see cref="Assumed"/> lists them).
/// </summary>
public sealed record MemoryKconfig
{
    public required Fact<int> PageSize { get; init; }
    public required Fact<int> VaBits { get; init; }

    /// <summary>Largest buddy order (inclusive), whatever the version's MAX_ORDER convention was.</summary>
    public required Fact<int> MaxPageOrder { get; init; }

    public required Fact<int> PageblockOrder { get; init; }

    /// <summary>CMA_MIN_ALIGNMENT_BYTES (docs/kernel-memory-spec.md §3.2): the alignment a CMA region's base and size need.</summary>
    public required Fact<ulong> CmaMinAlignment { get; init; }

    public required Fact<bool> HugetlbPage { get; init; }
    public required Fact<bool> TransparentHugepage { get; init; }
    public required Fact<bool> Cma { get; init; }
    public required Fact<bool> DmaCma { get; init; }
    public required Fact<long> CmaSizeMBytes { get; init; }
    public required Fact<long> CmaSizePercentage { get; init; }
    public required Fact<CmaSizeSelection> CmaSizeSel { get; init; }

    /// <summary>CONFIG_CMA_AREAS as written.</summary>
    public required Fact<int> CmaAreas { get; init; }

    /// <summary>MAX_CMA_AREAS: 1 + CONFIG_CMA_AREAS before 6.9, CONFIG_CMA_AREAS from 6.9.</summary>
    public required Fact<int> CmaAreaCapacity { get; init; }

    /// <summary>CONFIG_DMA_RESTRICTED_POOL: restricted-dma-pool regions get an init function (5.15+).</summary>
    public required Fact<bool> DmaRestrictedPool { get; init; }

    public required Fact<bool> ZoneDma { get; init; }
    public required Fact<bool> ZoneDma32 { get; init; }
    public required Fact<bool> Numa { get; init; }
    public required Fact<bool> RandomizeBase { get; init; }
    public required Fact<bool> Relocatable { get; init; }

    /// <summary>Names of the values that are version defaults, not read from a config.</summary>
    public IReadOnlyList<string> Assumed =>
        [.. Named().Where(p => p.Assumed).Select(p => p.Name)];

    private IEnumerable<(string Name, bool Assumed)> Named()
    {
        yield return ("page size", PageSize.IsAssumed);
        yield return ("VA bits", VaBits.IsAssumed);
        yield return ("max page order", MaxPageOrder.IsAssumed);
        yield return ("pageblock order", PageblockOrder.IsAssumed);
        yield return ("HUGETLB_PAGE", HugetlbPage.IsAssumed);
        yield return ("TRANSPARENT_HUGEPAGE", TransparentHugepage.IsAssumed);
        yield return ("CMA", Cma.IsAssumed);
        yield return ("DMA_CMA", DmaCma.IsAssumed);
        yield return ("CMA_SIZE_MBYTES", CmaSizeMBytes.IsAssumed);
        yield return ("CMA_SIZE_PERCENTAGE", CmaSizePercentage.IsAssumed);
        yield return ("CMA_SIZE_SEL", CmaSizeSel.IsAssumed);
        yield return ("CMA_AREAS", CmaAreas.IsAssumed);
        yield return ("DMA_RESTRICTED_POOL", DmaRestrictedPool.IsAssumed);
        yield return ("ZONE_DMA", ZoneDma.IsAssumed);
        yield return ("ZONE_DMA32", ZoneDma32.IsAssumed);
        yield return ("NUMA", Numa.IsAssumed);
        yield return ("RANDOMIZE_BASE", RandomizeBase.IsAssumed);
        yield return ("RELOCATABLE", Relocatable.IsAssumed);
    }

    /// <summary>Resolves every value from <paramref name="config"/>, falling back to the defaults of <paramref name="version"/>.</summary>
    public static MemoryKconfig Resolve(Fact<KernelVersion> version, KconfigFile? config)
    {
        var v = version.Value;
        var family = VersionFamilies.Of(version).Value;
        var dflt = $"default for Linux {v} (family {family})";

        Fact<bool> Flag(string name, bool fallback, string why = "") =>
            config?.Bool(name) ?? Fact<bool>.Assumed(fallback, $"{dflt}{(config is null ? "" : $", CONFIG_{name} absent from {config.Source}")}{why}");

        var pageSize = ReadPageSize(config, dflt);
        var pmdOrder = pageSize.Value switch { 16384 => 11, 65536 => 13, _ => 9 };
        var thp = Flag("TRANSPARENT_HUGEPAGE", true);
        var hugetlb = Flag("HUGETLB_PAGE", true);

        var maxOrder = ReadMaxOrder(v, config, pageSize.Value, thp.Value, dflt);

        // pageblock_order: HUGETLB_PAGE_ORDER (= PMD order) with HUGETLB_PAGE, capped at the max order from 5.18;
        // else, from 6.8, the THP PMD order (capped too); else the max order.
        Fact<int> pageblock;
        if (hugetlb.Value)
        {
            var capped = v.AtLeast(5, 18) ? Math.Min(pmdOrder, maxOrder.Value) : pmdOrder;
            pageblock = new Fact<int>(capped, $"HUGETLB_PAGE_ORDER {pmdOrder} ({hugetlb.Origin}){(capped != pmdOrder ? $", capped at max order {maxOrder.Value}" : "")}",
                hugetlb.IsAssumed || pageSize.IsAssumed || (capped != pmdOrder && maxOrder.IsAssumed));
        }
        else if (thp.Value && v.AtLeast(6, 8))
            pageblock = new Fact<int>(Math.Min(pmdOrder, maxOrder.Value), $"THP PMD order ({thp.Origin})", thp.IsAssumed || pageSize.IsAssumed || maxOrder.IsAssumed);
        else
            pageblock = maxOrder with { Origin = $"max page order, no HUGETLB_PAGE{(v.AtLeast(6, 8) ? "/THP" : "")} ({maxOrder.Origin})" };

        var alignOrder = v.AtLeast(5, 19) ? pageblock.Value : Math.Max(maxOrder.Value, pageblock.Value);
        var cmaAlign = new Fact<ulong>((ulong)pageSize.Value << alignOrder,
            v.AtLeast(5, 19)
                ? $"PAGE_SIZE << pageblock_order {pageblock.Value} (5.19+ rule)"
                : $"PAGE_SIZE << max(max order {maxOrder.Value}, pageblock order {pageblock.Value}) (rule before 5.19)",
            pageSize.IsAssumed || pageblock.IsAssumed || maxOrder.IsAssumed);

        var numa = Flag("NUMA", false);
        var newAreas = v.AtLeast(6, 9);
        var areas = Number(config, "CMA_AREAS") is { } a
            ? a.Map(x => (int)Math.Clamp(x, 0, MaxCmaAreasConsidered))
            : Fact<int>.Assumed(newAreas ? (numa.Value ? 20 : 8) : (numa.Value ? 19 : 7), $"{dflt} (Kconfig default {(numa.Value ? "with" : "without")} NUMA)");
        var capacity = new Fact<int>(newAreas ? areas.Value : areas.Value + 1,
            newAreas ? $"MAX_CMA_AREAS = CONFIG_CMA_AREAS (6.9+; {areas.Origin})" : $"MAX_CMA_AREAS = 1 + CONFIG_CMA_AREAS (before 6.9; {areas.Origin})", areas.IsAssumed);

        return new MemoryKconfig
        {
            PageSize = pageSize,
            VaBits = Number(config, "ARM64_VA_BITS") is { } va ? va.Map(x => (int)x)
                : Fact<int>.Assumed(pageSize.Value switch { 16384 => 47, 65536 => 42, _ => 39 }, $"{dflt} (arm64 Kconfig default for the page size)"),
            MaxPageOrder = maxOrder,
            PageblockOrder = pageblock,
            CmaMinAlignment = cmaAlign,
            HugetlbPage = hugetlb,
            TransparentHugepage = thp,
            Cma = Flag("CMA", true, " (arm64 defconfig)"),
            DmaCma = Flag("DMA_CMA", true, " (arm64 defconfig)"),
            CmaSizeMBytes = Number(config, "CMA_SIZE_MBYTES") ?? Fact<long>.Assumed(16, $"{dflt} (Kconfig default)"),
            CmaSizePercentage = Number(config, "CMA_SIZE_PERCENTAGE") ?? Fact<long>.Assumed(10, $"{dflt} (Kconfig default)"),
            CmaSizeSel = ReadSel(config, dflt),
            CmaAreas = areas,
            CmaAreaCapacity = capacity,
            DmaRestrictedPool = Flag("DMA_RESTRICTED_POOL", v.AtLeast(5, 15)),
            // 5.4 arm64 had only ZONE_DMA32; ZONE_DMA came back in 5.5.
            ZoneDma = v.AtLeast(5, 5) ? Flag("ZONE_DMA", true) : config?.Bool("ZONE_DMA") ?? Fact<bool>.Assumed(false, $"{dflt}: arm64 has no ZONE_DMA before 5.5"),
            ZoneDma32 = Flag("ZONE_DMA32", true),
            Numa = numa,
            RandomizeBase = Flag("RANDOMIZE_BASE", false, " (Kconfig default n)"),
            Relocatable = Flag("RELOCATABLE", true, " (arm64 Kconfig default y)"),
        };
    }

    /// <summary>CONFIG_CMA_AREAS values above this are taken as this: more areas than a board could declare.</summary>
    private const int MaxCmaAreasConsidered = 1024;

    private static Fact<long>? Number(KconfigFile? config, string name) => config?.Number(name);

    private static Fact<int> ReadPageSize(KconfigFile? config, string dflt)
    {
        foreach (var (name, size) in new[] { ("ARM64_4K_PAGES", 4096), ("ARM64_16K_PAGES", 16384), ("ARM64_64K_PAGES", 65536) })
            if (config?.Bool(name) is { Value: true } f) return Fact<int>.Known(size, f.Origin);
        return Fact<int>.Assumed(4096, config is null ? $"{dflt} (4K pages)" : $"{config.Source} sets none of CONFIG_ARM64_{{4K,16K,64K}}_PAGES; 4K assumed");
    }

    private static Fact<int> ReadMaxOrder(KernelVersion v, KconfigFile? config, int pageSize, bool thp, string dflt)
    {
        // The symbol was FORCE_MAX_ZONEORDER up to 6.0 and ARCH_FORCE_MAX_ORDER from 6.1; it counted orders
        // exclusively (MAX_ORDER = 11 means largest order 10) until 6.4 made it inclusive.
        var inclusive = v.AtLeast(6, 4);
        var f = config?.Number("ARCH_FORCE_MAX_ORDER") ?? config?.Number("FORCE_MAX_ZONEORDER");
        if (f is not null)
        {
            // Clamped so that PAGE_SIZE << order stays a number; real configs use 9 to 14.
            var raw = (int)Math.Clamp(f.Value, 1, 20);
            return new Fact<int>(inclusive ? raw : raw - 1,
                $"{f.Origin}, {(inclusive ? "inclusive (6.4+)" : "exclusive before 6.4, so largest order " + (raw - 1))}");
        }
        var order = pageSize switch
        {
            16384 => inclusive || thp ? 11 : 10,
            65536 => inclusive || thp ? 13 : 10,
            _ => 10,
        };
        return Fact<int>.Assumed(order, $"{dflt} (Kconfig default for {pageSize / 1024}K pages)");
    }

    private static Fact<CmaSizeSelection> ReadSel(KconfigFile? config, string dflt)
    {
        foreach (var (name, sel) in new[] { ("CMA_SIZE_SEL_MBYTES", CmaSizeSelection.MBytes), ("CMA_SIZE_SEL_PERCENTAGE", CmaSizeSelection.Percentage),
                     ("CMA_SIZE_SEL_MIN", CmaSizeSelection.Min), ("CMA_SIZE_SEL_MAX", CmaSizeSelection.Max) })
            if (config?.Bool(name) is { Value: true } f) return Fact<CmaSizeSelection>.Known(sel, f.Origin);
        return Fact<CmaSizeSelection>.Assumed(CmaSizeSelection.MBytes, $"{dflt} (Kconfig default CMA_SIZE_SEL_MBYTES)");
    }
}
