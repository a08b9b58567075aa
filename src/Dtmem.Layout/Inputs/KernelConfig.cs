using System.Globalization;

namespace Dtmem.Layout.Inputs;

/// <summary>
/// The Kconfig values the memory model depends on. Each is a fact: read from a .config, or the default the
/// model assumes for the kernel version (then <see cref="Fact{T}.IsAssumed"/> is true and findings say so).
/// </summary>
public sealed record KernelConfig
{
    /// <summary>4096, 16384 or 65536 (CONFIG_ARM64_{4K,16K,64K}_PAGES).</summary>
    public required Fact<int> PageSize { get; init; }
    public required Fact<bool> Cma { get; init; }
    public required Fact<bool> DmaCma { get; init; }
    /// <summary>CONFIG_CMA_SIZE_MBYTES.</summary>
    public required Fact<ulong> CmaSizeMBytes { get; init; }
    /// <summary>CONFIG_CMA_SIZE_PERCENTAGE, used when <see cref="CmaSizeSel"/> is "PERCENTAGE", "MIN" or "MAX".</summary>
    public required Fact<ulong> CmaSizePercentage { get; init; }
    /// <summary>"MBYTES", "PERCENTAGE", "MIN" or "MAX" (CONFIG_CMA_SIZE_SEL_*).</summary>
    public required Fact<string> CmaSizeSel { get; init; }
    /// <summary>CONFIG_CMA_AREAS as written in the config.</summary>
    public required Fact<int> CmaAreas { get; init; }
    public required Fact<bool> HugetlbPage { get; init; }
    public required Fact<bool> TransparentHugepage { get; init; }
    /// <summary>CONFIG_FORCE_MAX_ZONEORDER / CONFIG_ARCH_FORCE_MAX_ORDER as written (exclusive before 6.4, inclusive from 6.4).</summary>
    public required Fact<int> ForceMaxOrder { get; init; }
    public required Fact<bool> DmaRestrictedPool { get; init; }
    public required Fact<bool> ZoneDma { get; init; }
    public required Fact<bool> ZoneDma32 { get; init; }
    public required Fact<bool> Numa { get; init; }

    /// <summary>The defaults the model assumes for <paramref name="version"/> (arm64 defconfig-like, 4 KiB pages).</summary>
    public static KernelConfig Defaults(Version version) => FromValues(new Dictionary<string, string>(), "", version);

    /// <summary>
    /// Builds the config from CONFIG_* values (keys with the CONFIG_ prefix, values as in .config: y, m, numbers).
    /// Absent keys fall back to version defaults marked as assumed; <paramref name="origin"/> names the config file.
    /// </summary>
    public static KernelConfig FromValues(IReadOnlyDictionary<string, string> values, string origin, Version version)
    {
        var v = $"default of Linux {version.Major}.{version.Minor}";
        Fact<bool> Bool(string key, bool dflt) =>
            values.TryGetValue(key, out var s) ? Fact<bool>.Known(s is "y" or "m", $"{key} in {origin}") : Fact<bool>.Assumed(dflt, v);
        Fact<ulong> Num(string key, ulong dflt) =>
            values.TryGetValue(key, out var s) && ulong.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)
                ? Fact<ulong>.Known(n, $"{key} in {origin}") : Fact<ulong>.Assumed(dflt, v);

        Fact<int> page = values.TryGetValue("CONFIG_ARM64_64K_PAGES", out var p64) && p64 == "y"
            ? Fact<int>.Known(65536, $"CONFIG_ARM64_64K_PAGES in {origin}")
            : values.TryGetValue("CONFIG_ARM64_16K_PAGES", out var p16) && p16 == "y"
                ? Fact<int>.Known(16384, $"CONFIG_ARM64_16K_PAGES in {origin}")
                : values.TryGetValue("CONFIG_ARM64_4K_PAGES", out var p4) && p4 == "y"
                    ? Fact<int>.Known(4096, $"CONFIG_ARM64_4K_PAGES in {origin}")
                    : Fact<int>.Assumed(4096, v);

        var sel = Fact<string>.Assumed("MBYTES", v);
        foreach (var s in new[] { "MBYTES", "PERCENTAGE", "MIN", "MAX" })
            if (values.TryGetValue("CONFIG_CMA_SIZE_SEL_" + s, out var on) && on == "y") sel = Fact<string>.Known(s, $"CONFIG_CMA_SIZE_SEL_{s} in {origin}");

        var inclusiveMaxOrder = version >= new Version(6, 4);
        var maxOrderDefault = page.Value switch
        {
            65536 => inclusiveMaxOrder ? 13 : 14,
            16384 => inclusiveMaxOrder ? 11 : 12,
            _ => inclusiveMaxOrder ? 10 : 11,
        };
        var maxOrderKey = values.ContainsKey("CONFIG_ARCH_FORCE_MAX_ORDER") ? "CONFIG_ARCH_FORCE_MAX_ORDER" : "CONFIG_FORCE_MAX_ZONEORDER";
        var numa = Bool("CONFIG_NUMA", false);
        var areasDefault = version < new Version(6, 2) ? (numa.Value ? 19 : 7) : (numa.Value ? 20 : 8);

        var areas = Num("CONFIG_CMA_AREAS", (ulong)areasDefault);
        var maxOrder = Num(maxOrderKey, (ulong)maxOrderDefault);
        return new KernelConfig
        {
            PageSize = page,
            Cma = Bool("CONFIG_CMA", true),
            DmaCma = Bool("CONFIG_DMA_CMA", true),
            CmaSizeMBytes = Num("CONFIG_CMA_SIZE_MBYTES", 16),
            CmaSizePercentage = Num("CONFIG_CMA_SIZE_PERCENTAGE", 10),
            CmaSizeSel = sel,
            CmaAreas = new Fact<int>((int)Math.Min(areas.Value, 1024), areas.Origin, areas.IsAssumed),
            HugetlbPage = Bool("CONFIG_HUGETLB_PAGE", true),
            TransparentHugepage = Bool("CONFIG_TRANSPARENT_HUGEPAGE", true),
            ForceMaxOrder = new Fact<int>((int)Math.Clamp(maxOrder.Value, 1, 20), maxOrder.Origin, maxOrder.IsAssumed),
            DmaRestrictedPool = Bool("CONFIG_DMA_RESTRICTED_POOL", version >= new Version(5, 15)),
            ZoneDma = Bool("CONFIG_ZONE_DMA", version >= new Version(5, 5)),
            ZoneDma32 = Bool("CONFIG_ZONE_DMA32", true),
            Numa = numa,
        };
    }
}
