using System.CommandLine;
using Dtmem.Kernel.Config;
using Dtmem.Kernel.Elf;
using Dtmem.Kernel.Image;
using Dtmem.Kernel.Placement;
using Dtmem.Kernel.Symbols;
using Dtmem.Kernel.Versions;
using Dtmem.Layout.Inputs;
using Dtmem.Layout.Ranges;

namespace Dtmem.Cli;

/// <summary>
/// The kernel and board facts that the tree does not give: the kernel's version, size and placement, its config and
/// command line, and the RAM, initrd and DTB placement when the bootloader decides them. The Kernel layer reads the
/// files and applies the placement rules; every number keeps the option or file it came from.
/// </summary>
internal sealed class KernelOptions
{
    public Option<string?> Version { get; } = new("--kernel-version") { Description = "Kernel version, e.g. 5.4.74 or 6.1.0-50-arm64: selects the behaviour family (default: the Image or vmlinux banner)", HelpName = "VER" };
    public Option<string?> Image { get; } = new("--image") { Description = "The arm64 Image (or Image.gz / Debian vmlinuz) that boots: text_offset, image_size, flags and the version banner", HelpName = "FILE" };
    public Option<string?> Vmlinux { get; } = new("--vmlinux") { Description = "The vmlinux ELF: section symbols and the version banner", HelpName = "FILE" };
    public Option<string?> SystemMap { get; } = new("--system-map") { Description = "System.map: _text/_end and the section symbols", HelpName = "FILE" };
    public Option<string?> LoadAddr { get; } = new("--load-addr") { Description = "The bootloader's load address (U-Boot ${kernel_addr_r}); booti's 2 MiB/text_offset rule gives _text", HelpName = "ADDR" };
    public Option<string?> KernelAt { get; } = new("--kernel-at") { Description = "Physical address of _text, as booted (e.g. from 'Kernel code' in /proc/iomem)", HelpName = "ADDR" };
    public Option<string?> KernelSize { get; } = new("--kernel-size") { Description = "Kernel image size, _end - _text (default: the Image header, vmlinux or System.map)", HelpName = "SIZE" };
    public Option<string?> Cmdline { get; } = new("--cmdline") { Description = "Kernel command line (default: /chosen/bootargs)", HelpName = "TEXT" };
    public Option<string[]> Memory { get; } = new("--memory") { Description = "A RAM bank the bootloader passes (replaces the DT /memory nodes); repeatable", HelpName = "BASE,SIZE" };
    public Option<string?> Initrd { get; } = new("--initrd") { Description = "Initrd placement (default: /chosen linux,initrd-start/end)", HelpName = "ADDR,SIZE" };
    public Option<string?> DtbAddr { get; } = new("--dtb-addr") { Description = "Where the bootloader placed the DTB (its size is the blob's totalsize)", HelpName = "ADDR" };
    public Option<string?> Config { get; } = new("--config") { Description = "The kernel .config or /proc/config.gz (page size, CMA size and areas, zones)", HelpName = "FILE" };

    public void AddTo(Command c)
    {
        foreach (var o in new Option[] { Version, Image, Vmlinux, SystemMap, LoadAddr, KernelAt, KernelSize, Cmdline, Memory, Initrd, DtbAddr, Config })
            c.Options.Add(o);
    }

    /// <summary>The kernel facts; <paramref name="dramStart"/> is the first RAM bank, for Images that must sit near it.
    /// The fallbacks (from a crash or boot log) apply when no option or file gives the version or the placement.</summary>
    public KernelFacts Facts(ParseResult r, ulong? dramStart = null, Fact<KernelVersion>? fallbackVersion = null, KernelImage? fallbackPlacement = null)
    {
        var image = r.GetValue(Image) is { } ip ? KernelImageFile.Read(ip) : null;
        var (vmlinux, symbols) = ReadSymbols(r);

        var version = r.GetValue(Version) is { } vt ? Fact<KernelVersion>.Known(KernelVersion.Parse(vt, "--kernel-version"), "--kernel-version")
            : image?.Banner is { } ib ? KernelVersion.FromBanner(ib)
            : vmlinux?.Banner is { } vb ? KernelVersion.FromBanner(vb)
            : fallbackVersion;
        var modelVersion = version is null
            ? Fact<Version>.Assumed(new Version(6, 12), "no --kernel-version, Image or vmlinux banner; the newest modelled kernel is assumed")
            : version.Map(ToSystemVersion);

        var sizeOption = r.GetValue(KernelSize) is { } s ? Fact<ulong>.Known(NumberArg.Parse("--kernel-size", s), "--kernel-size") : null;
        var size = KernelPlacement.ImageSize(image?.Header, symbols, sizeOption);
        var load = r.GetValue(LoadAddr);
        var at = r.GetValue(KernelAt);
        if (load is not null && at is not null)
            throw new CliException("--load-addr and --kernel-at both give the kernel's place; pass one (--kernel-at wins in a boot log, --load-addr before boot)");
        KernelImage? placed = load is null && at is null ? fallbackPlacement : null;
        size ??= placed is null ? null : new Fact<ulong>(placed.End.Value - placed.Start.Value, placed.End.Origin, placed.End.IsAssumed);
        if (load is not null || at is not null)
        {
            if (size is null)
                throw new CliException($"{(load is not null ? "--load-addr" : "--kernel-at")} needs the image size: pass --image, --vmlinux, --system-map or --kernel-size");
            placed = load is not null
                ? KernelPlacement.FromLoadAddress(Fact<ulong>.Known(NumberArg.Parse("--load-addr", load), "--load-addr"), image?.Header, size, version, dramStart)
                : KernelPlacement.FromText(Fact<ulong>.Known(NumberArg.Parse("--kernel-at", at!), "--kernel-at"), size, version);
        }

        return new KernelFacts
        {
            Version = modelVersion,
            TextAddress = placed?.Start,
            ImageSize = size,
            TextOffset = placed?.TextOffset ?? image?.Header.TextOffset,
            Cmdline = r.GetValue(Cmdline) is { } cmd ? Fact<string>.Known(cmd, "--cmdline") : null,
            Config = r.GetValue(Config) is { } cfg
                ? MemoryKconfig.Resolve(modelVersion.Map(KernelFacts.ToRelease), KconfigFile.Read(cfg))
                : null,
        };
    }

    /// <summary>The symbols of --system-map (preferred) or --vmlinux; the files are read once per command run.</summary>
    public KernelSymbols? Symbols(ParseResult r) => ReadSymbols(r).Symbols;

    /// <summary>_text's virtual address from --system-map or --vmlinux, for translating kernel-image addresses.</summary>
    public Fact<ulong>? TextVirtual(ParseResult r) => Symbols(r)?.Text;

    private ParseResult? _readFor;
    private (VmlinuxFile? Vmlinux, KernelSymbols? Symbols) _read;

    private (VmlinuxFile? Vmlinux, KernelSymbols? Symbols) ReadSymbols(ParseResult r)
    {
        if (ReferenceEquals(_readFor, r)) return _read;
        var vmlinux = r.GetValue(Vmlinux) is { } vp ? VmlinuxFile.Read(vp) : null;
        var symbols = r.GetValue(SystemMap) is { } sp ? Dtmem.Kernel.Symbols.SystemMap.Read(sp).Symbols() : vmlinux?.Symbols;
        (_readFor, _read) = (r, (vmlinux, symbols));
        return _read;
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

    /// <summary>The first bank from --memory, for Images whose header asks to sit near DRAM start.</summary>
    public ulong? FirstBank(ParseResult r) =>
        (r.GetValue(Memory) ?? []).Select(m => NumberArg.ParsePair("--memory", m).Base).Order().Cast<ulong?>().FirstOrDefault();

    /// <summary>"5.4.74", "6.1.0-50-arm64", "v6.12": the numeric head decides; without a sub-level the model assumes one.</summary>
    public static Version ParseVersion(string text) => ToSystemVersion(KernelVersion.Parse(text, "--kernel-version"));

    private static Version ToSystemVersion(KernelVersion v) =>
        v.Sublevel is { } sub ? new Version(v.Major, v.Minor, sub) : new Version(v.Major, v.Minor);
}
