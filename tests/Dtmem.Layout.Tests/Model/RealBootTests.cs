using Dtmem.DeviceTree;
using Dtmem.DeviceTree.Dts;
using Dtmem.Layout.Inputs;
using Dtmem.Layout.Model;
using Dtmem.Layout.Ranges;
using Dtmem.Layout.Tests.Support;

namespace Dtmem.Layout.Tests.Model;

/// <summary>
/// The simulation against real boots of Debian's arm64 kernels under QEMU (scripts/fidelity, logs under
/// data/fidelity/&lt;uname -r&gt;/&lt;case&gt;.{log,dts}). Where the kernel disagrees with the spec, the kernel is right.
/// </summary>
public class RealBootTests
{
    private static readonly string Root = Path.Combine(AppContext.BaseDirectory, "data", "fidelity");

    /// <summary>The Kconfig values of the booted Debian kernels (from their /boot/config-* files).</summary>
    private static readonly Dictionary<string, Dictionary<string, string>> Configs = new()
    {
        ["6.1"] = new()
        {
            ["CONFIG_ARM64_4K_PAGES"] = "y", ["CONFIG_ARCH_FORCE_MAX_ORDER"] = "11", ["CONFIG_HUGETLB_PAGE"] = "y", ["CONFIG_TRANSPARENT_HUGEPAGE"] = "y",
            ["CONFIG_CMA"] = "y", ["CONFIG_DMA_CMA"] = "y", ["CONFIG_CMA_AREAS"] = "19", ["CONFIG_CMA_SIZE_MBYTES"] = "64", ["CONFIG_CMA_SIZE_SEL_MBYTES"] = "y",
            ["CONFIG_ZONE_DMA"] = "y", ["CONFIG_ZONE_DMA32"] = "y", ["CONFIG_NUMA"] = "y",
        },
        ["6.12"] = new()
        {
            ["CONFIG_ARM64_4K_PAGES"] = "y", ["CONFIG_ARCH_FORCE_MAX_ORDER"] = "10", ["CONFIG_HUGETLB_PAGE"] = "y", ["CONFIG_TRANSPARENT_HUGEPAGE"] = "y",
            ["CONFIG_CMA"] = "y", ["CONFIG_DMA_CMA"] = "y", ["CONFIG_CMA_AREAS"] = "20", ["CONFIG_CMA_SIZE_MBYTES"] = "64", ["CONFIG_CMA_SIZE_SEL_MBYTES"] = "y",
            ["CONFIG_ZONE_DMA"] = "y", ["CONFIG_ZONE_DMA32"] = "y", ["CONFIG_NUMA"] = "y",
        },
    };

    /// <summary>Image header image_size of the booted Debian Images (data/fidelity/README.md).</summary>
    private static readonly Dictionary<string, ulong> ImageSizes = new() { ["6.1"] = 0x2010000, ["6.12"] = 0x2b30000 };

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        if (!Directory.Exists(Root)) return data;
        foreach (var log in Directory.EnumerateFiles(Root, "*.log", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            data.Add(Path.GetRelativePath(Root, log));
        return data;
    }

    internal static (RealLog Log, BootResult Result) Simulate(string relative)
    {
        var log = new RealLog(Path.Combine(Root, relative));
        var version = log.Version ?? throw new InvalidOperationException($"{relative}: no Debian version in the banner");
        // QEMU loads a text_offset-0 Image at RAM base + 2 MiB (data/fidelity/README.md); image_size is the Image header's.
        var imageSize = ImageSizes[$"{version.Major}.{version.Minor}"];
        var tree = DtsCompiler.Compile(Path.ChangeExtension(Path.Combine(Root, relative), ".dts"), new DtsCompileOptions());
        var dtb = log.Memblock("memblock_reserve").FirstOrDefault(x => x.Caller == "setup_machine_fdt");
        // The initrd is the range arm64_memblock_init both adds and reserves (mem= also makes it re-add the kernel).
        var reservedByInit = log.Memblock("memblock_reserve").Where(x => x.Caller == "arm64_memblock_init").Select(x => x.Range).ToHashSet();
        var initrd = log.Memblock("memblock_add").FirstOrDefault(x => x.Caller == "arm64_memblock_init" && reservedByInit.Contains(x.Range));
        var kernel = new KernelFacts
        {
            Version = Fact<Version>.Known(version, "boot log banner"),
            TextAddress = Fact<ulong>.Known(0x40200000, "QEMU -kernel placement (RAM base + 2 MiB)"),
            ImageSize = Fact<ulong>.Known(imageSize, "Image header image_size"),
            Cmdline = log.Cmdline is { } c ? Fact<string>.Known(c, "boot log") : null,
            Config = TestKernel.Config(Configs[$"{version.Major}.{version.Minor}"], "Debian config", version),
        };
        var overrides = new LayoutOverrides
        {
            Dtb = dtb.Range.IsEmpty ? null : Fact<AddressRange>.Known(dtb.Range, "memblock_reserve by setup_machine_fdt"),
            Initrd = initrd.Range.IsEmpty ? null : Fact<AddressRange>.Known(initrd.Range, "memblock_add by arm64_memblock_init"),
        };
        return (log, BootSimulator.Run(LayoutInputReader.FromTree(tree, kernel, overrides)));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ReservedMemoryLinesMatch(string relative)
    {
        var (log, result) = Simulate(relative);
        var predicted = RealLog.SelectReservedMemoryLines(Support.Log.Visible(result));
        var real = log.ReservedMemoryLines();
        // Joined so that a failure shows both logs whole.
        Assert.Equal(string.Join("\n", real), string.Join("\n", predicted));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void PredictedReservationsHappen(string relative)
    {
        var (log, result) = Simulate(relative);
        var real = log.Memblock("memblock_reserve").Select(x => x.Range).ToHashSet();
        var predicted = result.Events.Where(e => e.Kind == BootEventKind.MemblockReserve && e.Range is not null).Select(e => e.Range!.Value);
        Assert.All(predicted, r => Assert.Contains(r, real));
    }

    /// <summary>
    /// 6.1 gives the early page tables at the end of the image back in paging_init (memblock_phys_free ... paging_init),
    /// so its memblock dump ends the kernel 0x5000 bytes before _end; 6.12 does neither.
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void PagingInitGivesBackWhatTheKernelGivesBack(string relative)
    {
        var (log, result) = Simulate(relative);
        var real = log.Memblock("memblock_phys_free").Where(x => x.Caller == "paging_init").Select(x => x.Range);
        var predicted = result.Events.Where(e => e.Kind == BootEventKind.MemblockFree && e.Phase == BootPhase.PagingInit).Select(e => e.Range!.Value);
        Assert.Equal(real, predicted);
        // The reservation holding the kernel, as the kernel's own memblock dump shows it after boot.
        var text = result.KernelImage!.Range.Start;
        if (log.MemblockDump("reserved").Where(r => r.Contains(text + 0x10000)).Select(r => (AddressRange?)r).FirstOrDefault() is { } dumped)
            Assert.Equal(dumped, Assert.Single(result.Reserved, r => r.Contains(text + 0x10000)));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ZoneAndNodeLinesMatch(string relative)
    {
        var (log, result) = Simulate(relative);
        static bool IsZoneLine(string l) =>
            l == "Zone ranges:" || l.StartsWith("  DMA", StringComparison.Ordinal) || l.StartsWith("  Normal", StringComparison.Ordinal) ||
            l.StartsWith("  node   0:", StringComparison.Ordinal) || l.StartsWith("Initmem setup node", StringComparison.Ordinal);
        Assert.Equal(string.Join("\n", log.Lines.Where(IsZoneLine)), string.Join("\n", Support.Log.Visible(result).Where(IsZoneLine)));
    }

    /// <summary>A boot the model says crashes never reaches the initramfs; one it lets through does.</summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void CrashAtBootIsPredicted(string relative)
    {
        var (log, result) = Simulate(relative);
        var reachedUserSpace = log.Lines.Any(l => l.StartsWith("=== dtmem-fidelity: /proc/cmdline", StringComparison.Ordinal));
        Assert.Equal(reachedUserSpace, result.PredictedCrash is null);
    }

    /// <summary>A boot that later wrote to read-only kernel text is one the checks flag as an error.</summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void KernelTextFaultsAreFlagged(string relative)
    {
        var (log, result) = Simulate(relative);
        var faulted = log.Lines.Any(l => l.StartsWith("Unable to handle kernel write to read-only memory", StringComparison.Ordinal));
        var flagged = Layout.Checks.CheckRegistry.Run(result).Any(f => f.Id == "DTM003" && f.Severity == Layout.Checks.Severity.Error);
        Assert.Equal(faulted, flagged);
    }
}
