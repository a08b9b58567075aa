using System.CommandLine;
using Dtmem.Layout.Inputs;
using Dtmem.Layout.Ranges;

namespace Dtmem.Cli;

/// <summary>
/// The kernel and board facts that the tree does not give: the kernel's version, size and placement, its config and
/// command line, and the RAM, initrd and DTB placement when the bootloader decides them. Each becomes a Fact naming
/// the option it came from.
/// </summary>
internal sealed class KernelOptions
{
    public Option<string?> Version { get; } = new("--kernel-version") { Description = "Kernel version, e.g. 5.4.74 or 6.1.0-50-arm64: selects the behaviour family", HelpName = "VER" };
    public Option<string?> KernelAt { get; } = new("--kernel-at") { Description = "Physical address of _text, as booted (e.g. from 'Kernel code' in /proc/iomem)", HelpName = "ADDR" };
    public Option<string?> KernelSize { get; } = new("--kernel-size") { Description = "Kernel image size, _end - _text (the Image header's image_size)", HelpName = "SIZE" };
    public Option<string?> Cmdline { get; } = new("--cmdline") { Description = "Kernel command line (default: /chosen/bootargs)", HelpName = "TEXT" };
    public Option<string[]> Memory { get; } = new("--memory") { Description = "A RAM bank the bootloader passes (replaces the DT /memory nodes); repeatable", HelpName = "BASE,SIZE" };
    public Option<string?> Initrd { get; } = new("--initrd") { Description = "Initrd placement (default: /chosen linux,initrd-start/end)", HelpName = "ADDR,SIZE" };
    public Option<string?> DtbAddr { get; } = new("--dtb-addr") { Description = "Where the bootloader placed the DTB (its size is the blob's totalsize)", HelpName = "ADDR" };
    public Option<string?> Config { get; } = new("--config") { Description = "The kernel .config (page size, CMA size and areas, zones)", HelpName = "FILE" };

    public void AddTo(Command c)
    {
        foreach (var o in new Option[] { Version, KernelAt, KernelSize, Cmdline, Memory, Initrd, DtbAddr, Config })
            c.Options.Add(o);
    }

    public KernelFacts Facts(ParseResult r)
    {
        var versionText = r.GetValue(Version);
        var version = versionText is null
            ? Fact<Version>.Assumed(new Version(6, 12, 13), "no --kernel-version given; the newest modelled kernel is assumed")
            : Fact<Version>.Known(ParseVersion(versionText), "--kernel-version");
        return new KernelFacts
        {
            Version = version,
            TextAddress = r.GetValue(KernelAt) is { } at ? Fact<ulong>.Known(NumberArg.Parse("--kernel-at", at), "--kernel-at") : null,
            ImageSize = r.GetValue(KernelSize) is { } size ? Fact<ulong>.Known(NumberArg.Parse("--kernel-size", size), "--kernel-size") : null,
            Cmdline = r.GetValue(Cmdline) is { } cmd ? Fact<string>.Known(cmd, "--cmdline") : null,
            Config = r.GetValue(Config) is { } cfg ? KernelConfig.FromValues(ReadConfig(cfg), cfg, version.Value) : null,
        };
    }

    public LayoutOverrides Overrides(ParseResult r, ulong? dtbSize)
    {
        var banks = (r.GetValue(Memory) ?? []).Select(m => NumberArg.ParsePair("--memory", m)).ToList();
        Fact<AddressRange>? dtb = null;
        if (r.GetValue(DtbAddr) is { } d)
        {
            if (dtbSize is null) throw new CliException("--dtb-addr needs a DTB input to know the blob's size; compile the DTS first or drop the option");
            dtb = Fact<AddressRange>.Known(AddressRange.FromStartSize(NumberArg.Parse("--dtb-addr", d), dtbSize.Value), "--dtb-addr");
        }
        return new LayoutOverrides
        {
            Memory = banks.Count == 0 ? null
                : Fact<IReadOnlyList<AddressRange>>.Known([.. banks.Select(b => AddressRange.FromStartSize(b.Base, b.Size))], "--memory"),
            Initrd = r.GetValue(Initrd) is { } i && NumberArg.ParsePair("--initrd", i) is var (ib, isz)
                ? Fact<AddressRange>.Known(AddressRange.FromStartSize(ib, isz), "--initrd") : null,
            Dtb = dtb,
        };
    }

    /// <summary>"5.4.74", "6.1.0-50-arm64", "v6.12": the numeric head decides.</summary>
    public static Version ParseVersion(string text)
    {
        var t = text.TrimStart('v', 'V');
        var head = new string([.. t.TakeWhile(c => char.IsAsciiDigit(c) || c == '.')]).TrimEnd('.');
        var parts = head.Split('.');
        if (parts.Length < 2 || parts.Any(p => p.Length == 0 || p.Length > 6))
            throw new CliException($"--kernel-version {text}: not a kernel version; write it as 5.4.74 or 6.1.0-50-arm64");
        var nums = parts.Take(3).Select(int.Parse).ToArray();
        if (nums[0] < 4 || nums[0] > 7)
            throw new CliException($"--kernel-version {text}: dtmem models arm64 Linux 4.x to 6.x");
        // Without a sub-level the model picks the family itself and says what it assumed.
        return nums.Length == 2 ? new Version(nums[0], nums[1]) : new Version(nums[0], nums[1], nums[2]);
    }

    private static Dictionary<string, string> ReadConfig(string path)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var n = 0;
        foreach (var raw in File.ReadLines(path))
        {
            n++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var eq = line.IndexOf('=');
            if (eq <= 0 || !line.StartsWith("CONFIG_", StringComparison.Ordinal))
                throw new CliException($"{path}:{n}:1: error: not a .config line (expected CONFIG_NAME=value): {Trunc(line)}");
            values[line[..eq]] = line[(eq + 1)..].Trim('"');
        }
        return values;
    }

    private static string Trunc(string s) => s.Length > 60 ? s[..60] + "..." : s;
}
