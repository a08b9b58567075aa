using Dtmem.Kernel.Versions;
using Dtmem.Layout.Model;
using Dtmem.Layout.Ranges;
using Dtmem.Layout.Tests.Support;

namespace Dtmem.Layout.Tests.Model;

/// <summary>
/// The seed case of kernel-memory-spec §7 (RK3566, RAM [0x00200000, 0x80000000), static reusable linux,cma at
/// 0x10000000 + 8 MiB). Expected log lines are copied from the spec §7.1/§7.2 and §6, not from dtmem.
/// </summary>
public class SeedFidelityTests
{
    private const ulong MiB = 1 << 20;
    private const ulong KernelSize = 24 * MiB;

    internal static TreeBuilder SeedTree()
    {
        var t = new TreeBuilder().Memory(0x00200000, 0x80000000 - 0x00200000);
        t.Rmem(r => r.Node("linux,cma").Str("compatible", "shared-dma-pool").Flag("inactive").Flag("reusable")
            .Reg(0x10000000, 0x800000).Flag("linux,cma-default"));
        return t;
    }

    [Fact]
    public void Linux54FamilyA()
    {
        var result = BootSimulator.Run(SeedTree().Input(TestKernel.Facts("5.4.74", text: 0x10080000, size: KernelSize)));

        Assert.Equal(VersionFamily.A, result.Rules.Family);
        Assert.Equal(
        [
            "Reserved memory: created CMA memory pool at 0x0000000010000000, size 8 MiB",
            "OF: reserved mem: initialized node linux,cma, compatible id shared-dma-pool",
            "Zone ranges:",
            "  DMA32    [mem 0x0000000000200000-0x000000007fffffff]",
            "  Normal   empty",
            "Movable zone start for each node",
            "Early memory node ranges",
            "  node   0: [mem 0x0000000000200000-0x000000007fffffff]",
            "Initmem setup node 0 [mem 0x0000000000200000-0x000000007fffffff]",
            "DMA: preallocated 256 KiB pool for atomic allocations",
        ], Log.Visible(result));
        // §7.1 step 2 also lists "memblock_add: [0x0000000000200000-0x000000007fffffff]", but memblock=debug is parsed
        // after setup_machine_fdt, so that line is never printed (real 6.1/6.12 logs have no such line): the kernel wins.
        Assert.DoesNotContain(Log.All(result), l => l.StartsWith("memblock_add: [0x0000000000200000", StringComparison.Ordinal));
        Log.ContainsInOrder(result,
            "memblock_reserve: [0x0000000010080000-0x000000001187ffff] arm64_memblock_init+...",
            "memblock_reserve: [0x0000000010000000-0x00000000107fffff] early_init_dt_reserve_memory_arch+...");
        Assert.DoesNotContain(result.Events, e => e.LogLine?.StartsWith("cma: Reserved", StringComparison.Ordinal) == true);
        Assert.Equal(4UL * MiB, result.Rules.CmaMinAlignment);

        // §7.1 step 10: pfn 0x10080-0x107ff, the first 7.5 MiB of the kernel, go to buddy as MIGRATE_CMA.
        var overlap = Assert.Single(result.Map.In(new AddressRange(0x10080000, 0x10800000)).Select(p => p.State).Distinct());
        Assert.Equal(PageState.CmaInBuddy, overlap);
        var kernelOnly = Assert.Single(result.Map.In(new AddressRange(0x10800000, 0x11880000)));
        Assert.Equal(PageState.Reserved, kernelOnly.State);
        var area = Assert.Single(result.CmaAreas);
        Assert.True(area.IsDefault);
        Assert.True(area.Activated);
        // §7.1 step 11: the atomic pool comes from the head of linux,cma.
        Assert.Contains(result.Owners, o => o.Kind == OwnerKind.AtomicPool && o.Range == new AddressRange(0x10000000, 0x10040000));
    }

    [Fact]
    public void Linux612FamilyE()
    {
        var result = BootSimulator.Run(SeedTree().Input(TestKernel.Facts("6.12.38", text: 0x10000000, size: KernelSize)));

        Assert.Equal(VersionFamily.E, result.Rules.Family);
        Assert.Equal(
        [
            "Reserved memory: created CMA memory pool at 0x0000000010000000, size 8 MiB",
            "OF: reserved mem: initialized node linux,cma, compatible id shared-dma-pool",
            "OF: reserved mem: 0x0000000010000000..0x00000000107fffff (8192 KiB) map reusable linux,cma",
            "Zone ranges:",
            "  DMA      [mem 0x0000000000200000-0x000000007fffffff]",
            "  DMA32    empty",
            "  Normal   empty",
            "Movable zone start for each node",
            "Early memory node ranges",
            "  node   0: [mem 0x0000000000200000-0x000000007fffffff]",
            "Initmem setup node 0 [mem 0x0000000000200000-0x000000007fffffff]",
            "DMA: preallocated 256 KiB GFP_KERNEL pool for atomic allocations",
            "DMA: preallocated 256 KiB GFP_KERNEL|GFP_DMA pool for atomic allocations",
            "DMA: preallocated 256 KiB GFP_KERNEL|GFP_DMA32 pool for atomic allocations",
        ], Log.Visible(result));
        Log.ContainsInOrder(result, "memblock_reserve: [0x0000000010000000-0x00000000117fffff] arm64_memblock_init+...");
        Assert.Equal(2UL * MiB, result.Rules.CmaMinAlignment);
        // §7.2 step 8: the whole 8 MiB of the running kernel become free CMA pages.
        Assert.All(result.Map.In(new AddressRange(0x10000000, 0x10800000)), p => Assert.Equal(PageState.CmaInBuddy, p.State));
        // The CMA lines come from unflatten_device_tree in family E.
        Assert.Equal(BootPhase.UnflattenDeviceTree, result.Events.First(e => e.Kind == BootEventKind.CmaDeclared).Phase);
    }

    [Fact]
    public void Linux612BeforeBackportIsFamilyDAndInitsEarly()
    {
        var result = BootSimulator.Run(SeedTree().Input(TestKernel.Facts("6.12.5", text: 0x10000000, size: KernelSize)));
        Assert.Equal(VersionFamily.D, result.Rules.Family);
        var declared = result.Events.First(e => e.Kind == BootEventKind.CmaDeclared);
        Assert.Equal(BootPhase.ReservedMemoryInit, declared.Phase);
        Assert.Contains("OF: reserved mem: 0x0000000010000000..0x00000000107fffff (8192 KiB) map reusable linux,cma", Log.Visible(result));
    }

    [Fact]
    public void FixedBoardKeepsTheKernelReserved()
    {
        var t = new TreeBuilder().Memory(0x00200000, 0x80000000 - 0x00200000);
        t.Rmem(r => r.Cma("linux,cma", 0x30000000, 0x800000));
        var result = BootSimulator.Run(t.Input(TestKernel.Facts("5.4.74", text: 0x10080000, size: KernelSize)));
        Assert.All(result.Map.In(new AddressRange(0x10080000, 0x11880000)), p => Assert.Equal(PageState.Reserved, p.State));
    }

    [Fact]
    public void Linux612WithoutSublevelIsAssumedFamilyE()
    {
        var result = BootSimulator.Run(SeedTree().Input(TestKernel.Facts("6.12", text: 0x10000000, size: KernelSize)));
        Assert.Equal(VersionFamily.E, result.Rules.Family);
        Assert.Contains(result.Assumptions, a => a.Contains("family E", StringComparison.Ordinal));
    }
}
