using Dtmem.Diagnosis.Boot;

namespace Dtmem.Diagnosis.Tests.Boot;

/// <summary>
/// A complete real boot of Debian's 6.12.117 arm64 kernel under QEMU virt with memblock=debug (data/boot/SOURCES.md).
/// Expected values were read off the log.
/// </summary>
public class QemuBootTests
{
    private static readonly string Text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "data", "boot", "qemu-virt-6.12.117-memblock-debug.log"));
    private static readonly BootEvidence Ev = BootLogParser.Parse(Text, "qemu.log");

    [Fact]
    public void BannerModelAndCommandLine()
    {
        Assert.Equal("6.12.117+deb12-arm64", Ev.KernelVersion!.Value);
        Assert.Equal(2, Ev.KernelVersion.Source.Line);
        Assert.Equal("linux,dummy-virt", Ev.MachineModel!.Value);
        Assert.Equal("console=ttyAMA0 earlycon nokaslr memblock=debug panic=-1", Ev.CommandLine!.Value);
        Assert.Contains(Ev.Messages, m => m.Kind == BootMessageKind.RmemNoNode && m.Source.Line == 502);
    }

    [Fact]
    public void MemblockDebugLines()
    {
        Assert.True(Ev.HasMemblockDebug);
        Assert.Equal(280, Ev.OfKind(BootRangeKind.MemblockReserve).Count());
        var kernel = Ev.OfKind(BootRangeKind.MemblockReserve).Single(r => r.Detail!.StartsWith("arm64_memblock_init+0x194", StringComparison.Ordinal));
        Assert.Equal((0x40200000ul, 0x42d2fffful), (kernel.Range.Start, kernel.Range.EndInclusive));
        Assert.Equal(11, kernel.Source.Line);
        var add = Assert.Single(Ev.OfKind(BootRangeKind.MemblockAdd));
        Assert.Equal((0x48000000ul, 0x480f0ffful), (add.Range.Start, add.Range.EndInclusive));
        // the two removals above the linear map print an end below their start
        Assert.All(Ev.OfKind(BootRangeKind.MemblockRemove), r => Assert.True(r.Range.Empty));
        Assert.Contains(Ev.Messages, m => m.Kind == BootMessageKind.MemblockAlloc && m.Name == "memblock_alloc_try_nid_raw");
    }

    [Fact]
    public void ZonesCmaDumpAndMemoryLine()
    {
        var dma = Assert.Single(Ev.OfKind(BootRangeKind.Zone));
        Assert.Equal(("DMA", 0x40000000ul, 0x5ffffffful), (dma.Name, dma.Range.Start, dma.Range.EndInclusive));
        Assert.Equal(["DMA32", "Normal", "Device"], Ev.Messages.Where(m => m.Text == "zone empty").Select(m => m.Name));
        Assert.Single(Ev.OfKind(BootRangeKind.NodeRange));
        Assert.Single(Ev.OfKind(BootRangeKind.InitmemNode));
        var cma = Assert.Single(Ev.OfKind(BootRangeKind.CmaReserved));
        Assert.Equal((0x5b600000ul, 64ul << 20, "on node -1"), (cma.Range.Start, cma.Range.Size, cma.Detail));
        Assert.Equal((0x40000000ul, 0x5ffffffful), (Ev.OfKind(BootRangeKind.MemblockDumpMemory).Single().Range.Start, Ev.OfKind(BootRangeKind.MemblockDumpMemory).Single().Range.EndInclusive));
        Assert.Equal(9, Ev.OfKind(BootRangeKind.MemblockDumpReserved).Count()); // reserved.cnt = 0x9
        var mem = Ev.Memory!;
        Assert.Equal((398760ul, 524288ul), (mem.AvailableKiB, mem.TotalKiB));
        Assert.Equal((15616ul, 57004ul, 65536ul), (mem.Part("kernel code")!.Value, mem.Part("reserved")!.Value, mem.Part("cma-reserved")!.Value));
    }

    [Fact]
    public void IomemPrintedByTheInitramfs()
    {
        var iomem = Ev.OfKind(BootRangeKind.Iomem).ToList();
        Assert.Equal(21, iomem.Count);
        var ram = iomem.Single(r => r.Name == "System RAM");
        var code = iomem.Single(r => r.Name == "Kernel code");
        Assert.Equal((0x40200000ul, 0x41effffful, 1), (code.Range.Start, code.Range.EndInclusive, code.Depth));
        Assert.Same(ram, Ev.Ranges[code.Parent]);
        Assert.Equal(0x42870000ul, iomem.Single(r => r.Name == "Kernel data").Range.Start);
        Assert.Equal(0x4010000000ul, iomem.Single(r => r.Name == "PCI ECAM").Range.Start);
        // the kernel's memblock reservation starts where iomem's Kernel code starts in 6.12
        var kernel = Ev.OfKind(BootRangeKind.MemblockReserve).Single(r => r.Detail!.StartsWith("arm64_memblock_init+0x194", StringComparison.Ordinal));
        Assert.Equal(code.Range.Start, kernel.Range.Start);
    }

    [Fact]
    public void DebugfsMemblockSection()
    {
        var lines = Text.Split('\n');
        int start = Array.FindIndex(lines, l => l.StartsWith("=== dtmem-fidelity: /sys/kernel/debug/memblock/reserved", StringComparison.Ordinal)) + 1;
        int end = Array.FindIndex(lines, start, l => l.StartsWith("===", StringComparison.Ordinal));
        var ev = MemblockDebugfsParser.Parse(string.Join('\n', lines[start..end]), "reserved", reserved: true);
        Assert.Equal(20, ev.Ranges.Count);
        Assert.Equal((0x5b540000ul, 0x5fdffffful, "0 NONE"), (ev.Ranges[3].Range.Start, ev.Ranges[3].Range.EndInclusive, ev.Ranges[3].Detail));
        Assert.Empty(ev.Notes);
    }

    [Fact]
    public void ACleanBootHasNoOopsReports() => Assert.Empty(Dtmem.Diagnosis.Oops.OopsParser.Parse(Text, "qemu.log"));
}

/// <summary>The seed layout booted for real (Debian 6.12.117, QEMU virt): the evidence must show the CMA pool over the kernel.</summary>
public class QemuSeedLayoutTests
{
    private static readonly BootEvidence Ev = BootLogParser.Parse(
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "data", "boot", "qemu-virt-6.12.117-seed-cma-over-kernel.log")), "seed-qemu.log");

    [Fact]
    public void PoolOverlapsTheKernelInEveryArtefact()
    {
        var pool = Assert.Single(Ev.OfKind(BootRangeKind.CmaPool));
        Assert.Equal(("linux,cma", 0x40000000ul, 0x407ffffful), (pool.Name, pool.Range.Start, pool.Range.EndInclusive));
        var summary = Assert.Single(Ev.OfKind(BootRangeKind.ReservedMemRegion));
        Assert.Equal(("map reusable", 0x407ffffful), (summary.Detail, summary.Range.EndInclusive));

        var kernelReserve = Ev.OfKind(BootRangeKind.MemblockReserve).Single(r => r.Detail!.StartsWith("arm64_memblock_init+", StringComparison.Ordinal) && r.Range.Start == 0x40200000);
        var poolReserve = Ev.OfKind(BootRangeKind.MemblockReserve).Single(r => r.Detail!.StartsWith("fdt_scan_reserved_mem+", StringComparison.Ordinal));
        Assert.Equal(0x40000000ul, poolReserve.Range.Start);
        Assert.True(poolReserve.Range.Overlaps(kernelReserve.Range));

        var code = Ev.OfKind(BootRangeKind.Iomem).Single(r => r.Name == "Kernel code");
        Assert.Equal(0x40200000ul, code.Range.Start);
        Assert.True(pool.Range.Overlaps(code.Range));
        // iomem shows "reserved" directly below "Kernel code" (kernel-memory-spec §6 seed signature)
        int i = Ev.Ranges.ToList().IndexOf(code);
        Assert.Equal(("reserved", 0x40000000ul, 0x401ffffful), (Ev.Ranges[i - 1].Name, Ev.Ranges[i - 1].Range.Start, Ev.Ranges[i - 1].Range.EndInclusive));

        Assert.Equal(8192ul, Ev.Memory!.Part("cma-reserved"));
        Assert.Empty(Ev.OfKind(BootRangeKind.CmaReserved)); // the DT default suppressed the cmdline/Kconfig area
    }
}
