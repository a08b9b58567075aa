namespace Dtmem.Kernel.Versions;

/// <summary>
/// Behaviour families of the arm64 boot memory code (docs/kernel-memory-spec.md §0):
/// A 5.4.y; B 5.5-5.11; C 5.12-6.3; D 6.4-6.12.12; E 6.12.13+ and 6.13+.
/// </summary>
public enum VersionFamily
{
    A,
    B,
    C,
    D,
    E,
}

public static class VersionFamilies
{
    /// <summary>First 6.12 sub-level with the reserved-memory restructuring backport (8a6e02d0c00e): family E.</summary>
    public const int FirstFamilyE612Sublevel = 13;

    /// <summary>
    /// The family of <paramref name="version"/>. Versions outside the modelled range (before 5.4) and a 6.12 without
    /// sub-level come back as assumptions that say so.
    /// </summary>
    public static Fact<VersionFamily> Of(Fact<KernelVersion> version)
    {
        var v = version.Value;
        var from = $"from version {v} ({version.Origin})";
        if (!v.AtLeast(5, 4))
            return Fact<VersionFamily>.Assumed(VersionFamily.A, $"{v} is older than 5.4, the oldest modelled kernel; modelled as family A (5.4)");
        if (v.Major == 5 && v.Minor == 4) return Known(VersionFamily.A, from, version.IsAssumed);
        if (!v.AtLeast(5, 12)) return Known(VersionFamily.B, from, version.IsAssumed);
        if (!v.AtLeast(6, 4)) return Known(VersionFamily.C, from, version.IsAssumed);
        if (v.Major == 6 && v.Minor == 12)
        {
            if (v.Sublevel is null)
                return Fact<VersionFamily>.Assumed(VersionFamily.E,
                    $"{v} gives no sub-level; 6.12.13+ (family E, any 6.12.y from 2025 on) assumed — give the full version to choose D for 6.12.0-6.12.12");
            return Known(v.Sublevel >= FirstFamilyE612Sublevel ? VersionFamily.E : VersionFamily.D, from, version.IsAssumed);
        }
        return Known(v.AtLeast(6, 13) ? VersionFamily.E : VersionFamily.D, from, version.IsAssumed);
    }

    private static Fact<VersionFamily> Known(VersionFamily f, string origin, bool assumed) => new(f, origin, assumed);
}
