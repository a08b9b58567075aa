using System.Globalization;
using System.Text.RegularExpressions;

namespace Dtmem.Kernel.Versions;

/// <summary>
/// A kernel release such as "5.4.74", "6.12.13", "6.1.0-50-arm64" or "6.12.117+deb12-arm64".
/// <see cref="Sublevel"/> is null when the string does not say it: "6.12" alone, or a Debian ABI name like
/// "6.1.0-50-arm64", whose ".0" is the ABI's, not the upstream sub-level (the banner's "Debian 6.1.176-1" has that).
/// </summary>
public sealed partial record KernelVersion(int Major, int Minor, int? Sublevel, string Extra) : IComparable<KernelVersion>
{
    /// <summary>Parses a release string; <paramref name="source"/> names where it came from in errors.</summary>
    public static KernelVersion Parse(string text, string source = "kernel version")
    {
        var m = ReleasePattern().Match(text.Trim());
        if (!m.Success)
            throw new KernelInputException(source, "", $"'{text}' is not a kernel version",
                "Give it as major.minor[.sublevel][-extra], for example 5.4.74, 6.1.0-50-arm64 or 6.12.13");
        var major = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        var minor = int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
        int? sub = m.Groups[3].Success ? int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture) : null;
        var extra = m.Groups[4].Value;
        // Debian ABI names: "<maj>.<min>.0-<abi>-<flavour>"; the 0 is not the upstream sub-level.
        if (sub == 0 && DebianAbi().IsMatch(extra)) sub = null;
        return new KernelVersion(major, minor, sub, extra);
    }

    /// <summary>
    /// The version in a "Linux version ..." banner. The upstream version in a distribution suffix
    /// ("#1 SMP Debian 6.1.176-1 (...)", "#1 SMP PREEMPT_DYNAMIC Debian 6.12.117-1~deb12u1") fills in the sub-level
    /// a Debian ABI release name leaves out.
    /// </summary>
    public static Fact<KernelVersion> FromBanner(Fact<string> banner)
    {
        var m = BannerPattern().Match(banner.Value);
        if (!m.Success)
            throw new KernelInputException(banner.Origin, "", $"'{Shorten(banner.Value)}' is not a Linux version banner",
                "Pass the kernel Image or vmlinux whose banner starts with \"Linux version \"");
        var release = Parse(m.Groups[1].Value, banner.Origin);
        var debian = DebianUpstream().Match(banner.Value);
        if (release.Sublevel is null && debian.Success)
        {
            var upstream = Parse(debian.Groups[1].Value, banner.Origin);
            if (upstream.Major == release.Major && upstream.Minor == release.Minor)
                return Fact<KernelVersion>.Known(release with { Sublevel = upstream.Sublevel },
                    $"{banner.Origin}: release {m.Groups[1].Value}, upstream {debian.Groups[1].Value} from the Debian suffix");
        }
        return Fact<KernelVersion>.Known(release, $"{banner.Origin}: release {m.Groups[1].Value}");
    }

    /// <summary>True when this version is at least major.minor.sublevel (an unknown sub-level counts as 0).</summary>
    public bool AtLeast(int major, int minor, int sublevel = 0) =>
        CompareTo(new KernelVersion(major, minor, sublevel, "")) >= 0;

    public int CompareTo(KernelVersion? other)
    {
        if (other is null) return 1;
        var c = Major.CompareTo(other.Major);
        if (c != 0) return c;
        c = Minor.CompareTo(other.Minor);
        return c != 0 ? c : (Sublevel ?? 0).CompareTo(other.Sublevel ?? 0);
    }

    public static bool operator <(KernelVersion a, KernelVersion b) => a.CompareTo(b) < 0;

    public static bool operator >(KernelVersion a, KernelVersion b) => a.CompareTo(b) > 0;

    public static bool operator <=(KernelVersion a, KernelVersion b) => a.CompareTo(b) <= 0;

    public static bool operator >=(KernelVersion a, KernelVersion b) => a.CompareTo(b) >= 0;

    public override string ToString() => $"{Major}.{Minor}{(Sublevel is { } s ? "." + s.ToString(CultureInfo.InvariantCulture) : "")}{Extra}";

    private static string Shorten(string s) => s.Length > 60 ? s[..60] + "..." : s;

    [GeneratedRegex(@"^v?([0-9]{1,3})\.([0-9]{1,3})(?:\.([0-9]{1,4}))?([-+~_.][\x21-\x7e]*)?$")]
    private static partial Regex ReleasePattern();

    [GeneratedRegex(@"^-[0-9]+-[a-z0-9-]+$")]
    private static partial Regex DebianAbi();

    [GeneratedRegex(@"Linux version (\S+)")]
    private static partial Regex BannerPattern();

    [GeneratedRegex(@" Debian ([0-9]+\.[0-9]+\.[0-9]+)-")]
    private static partial Regex DebianUpstream();
}
