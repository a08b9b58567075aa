using Dtmem.Diagnosis.Attribution;
using Dtmem.Diagnosis.Boot;
using Dtmem.Diagnosis.Logs;
using Dtmem.Diagnosis.RootCause;
using Dtmem.Kernel;
using Dtmem.Layout.Ranges;

namespace Dtmem.Diagnosis.Tests.Diagnose;

/// <summary>Each rule against evidence that should fire it and evidence that should not.</summary>
public class RootCauseTests
{
    private static string Data(string path) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "data", path));

    private static readonly RegionSource Dts = new("dts", "board.dts:10: test");

    private static KnownRegion R(RegionRole role, string name, ulong start, ulong size) => new(role, name, AddressRange.FromStartSize(start, size), Dts);

    private static DiagnosisReport Run(string log, ulong physOffset, params KnownRegion[] regions)
    {
        var inputs = new DiagnosisInputs
        {
            Log = LogEvidence.Parse(log, "crash.log"),
            Overrides = new Translation.TranslationOverrides { PhysOffset = physOffset },
        };
        var report = Diagnoser.Run(inputs);
        // Regions are given directly: the rules see the same catalogue a DT or an iomem dump would build.
        var catalogue = new RegionCatalogue();
        catalogue.AddRange(regions);
        var ctx = new DiagnosisContext { Oops = report.Primary, Translation = report.Translation, Regions = catalogue, Boot = report.Boot };
        return report with { Regions = catalogue, Hits = ctx.Hits, Findings = RootCauseRules.Run(ctx) };
    }

    private static string Fault(string kind, ulong va, uint esr) => $"""
        [   10.000000] Unable to handle kernel {kind} at virtual address {va:x16}
        [   10.000001] Mem abort info:
        [   10.000002]   ESR = 0x{esr:x8}
        [   10.000003] swapper pgtable: 4k pages, 48-bit VAs, pgdp=0000000041234000
        [   10.000004] Internal error: Oops: {esr:x8} [#1] SMP
        [   10.000005] CPU: 0 PID: 42 Comm: worker Not tainted 6.1.0 #1
        [   10.000006] pc : some_driver_fn+0x10/0x40
        """;

    private const ulong Po = 0xffff000000000000;

    private static IEnumerable<string> Ids(DiagnosisReport r) => r.Findings.Select(f => f.Id);

    [Fact]
    public void RC001_fires_for_a_write_permission_fault_in_kernel_text_inside_a_cma_pool()
    {
        var r = Run(Fault("write to read-only memory", Po + 0x40280000, 0x9600004f), 0,
            R(RegionRole.Ram, "memory", 0x40000000, 0x40000000),
            R(RegionRole.KernelImage, "kernel", 0x40200000, 0x2000000),
            R(RegionRole.CmaPool, "/reserved-memory/linux,cma", 0x40000000, 0x800000));
        var f = Assert.Single(r.Findings, x => x.Id == "RC001");
        Assert.Equal(Confidence.High, f.Confidence);
        Assert.Equal("/reserved-memory/linux,cma", f.Culprit!.Name);
        Assert.True(f.ExplainsFault);
        Assert.Equal("RC001", r.Findings[0].Id);
        Assert.DoesNotContain("RC002", Ids(r));
    }

    [Fact]
    public void RC001_does_not_fire_when_no_cma_pool_holds_the_address_and_RC002_speaks_instead()
    {
        var r = Run(Fault("write to read-only memory", Po + 0x40280000, 0x9600004f), 0,
            R(RegionRole.Ram, "memory", 0x40000000, 0x40000000),
            R(RegionRole.KernelImage, "kernel", 0x40200000, 0x2000000),
            R(RegionRole.CmaPool, "pool", 0x50000000, 0x800000));
        Assert.DoesNotContain("RC001", Ids(r));
        Assert.Contains("RC002", Ids(r));
    }

    [Fact]
    public void RC002_does_not_fire_for_a_read()
    {
        var r = Run(Fault("paging request", Po + 0x40280000, 0x96000007), 0,
            R(RegionRole.KernelImage, "kernel", 0x40200000, 0x2000000));
        Assert.DoesNotContain("RC002", Ids(r));
    }

    [Fact]
    public void RC003_fires_for_a_translation_fault_on_a_no_map_region_and_not_in_plain_ram()
    {
        var nomap = Run(Fault("paging request", Po + 0x4e000100, 0x96000007), 0,
            R(RegionRole.Ram, "memory", 0x40000000, 0x40000000),
            R(RegionRole.NoMap, "/reserved-memory/tee@4e000000", 0x4e000000, 0x1000000));
        var f = Assert.Single(nomap.Findings, x => x.Id == "RC003");
        Assert.Equal(Confidence.High, f.Confidence);
        Assert.Equal(0x4e000100UL, nomap.FaultPhysical);

        var ram = Run(Fault("paging request", Po + 0x4e000100, 0x96000007), 0, R(RegionRole.Ram, "memory", 0x40000000, 0x40000000));
        Assert.DoesNotContain("RC003", Ids(ram));
    }

    [Fact]
    public void RC004_fires_inside_a_reservation_that_failed_and_not_beside_it()
    {
        var inside = Run(Fault("paging request", Po + 0x48000040, 0x96000047), 0,
            R(RegionRole.Ram, "memory", 0x40000000, 0x40000000),
            R(RegionRole.ReserveFailed, "drm-logo", 0x48000000, 0x100000));
        Assert.Contains("RC004", Ids(inside));
        var beside = Run(Fault("paging request", Po + 0x48100040, 0x96000047), 0,
            R(RegionRole.Ram, "memory", 0x40000000, 0x40000000),
            R(RegionRole.ReserveFailed, "drm-logo", 0x48000000, 0x100000));
        Assert.DoesNotContain("RC004", Ids(beside));
    }

    [Fact]
    public void RC005_fires_just_past_the_end_of_ram_and_not_inside_it_or_far_away()
    {
        var ram = R(RegionRole.Ram, "memory", 0x40000000, 0x40000000);
        var past = Run(Fault("paging request", Po + 0x80001000, 0x96000006), 0, ram);
        var f = Assert.Single(past.Findings, x => x.Id == "RC005");
        Assert.Contains("4 KiB past the end", f.Statement, StringComparison.Ordinal);
        Assert.DoesNotContain("RC005", Ids(Run(Fault("paging request", Po + 0x7ff00000, 0x96000006), 0, ram)));
        Assert.DoesNotContain("RC005", Ids(Run(Fault("paging request", Po + 0x4_0000_0000, 0x96000006), 0, ram)));
    }

    [Fact]
    public void RC006_names_a_null_dereference_and_does_not_fire_for_a_real_address()
    {
        var r = Run(Data("oops/arm64-6.12-container-null-interleaved.log"), 0);
        var f = Assert.Single(r.Findings, x => x.Id == "RC006");
        Assert.Equal(Confidence.High, f.Confidence);
        Assert.DoesNotContain("RC006", Ids(Run(Fault("paging request", Po + 0x40001000, 0x96000006), 0, R(RegionRole.Ram, "m", 0x40000000, 0x40000000))));
    }

    [Fact]
    public void Seed_oops_with_its_iomem_and_memblock_lines_alone_gives_RC001_from_boot_evidence()
    {
        var report = Diagnoser.Run(new DiagnosisInputs
        {
            Log = LogEvidence.Parse(Data("oops/arm64-5.4-rk3566-seed-cma-ro-write.log"), "crash.log"),
            Boot =
            [
                IomemParser.Parse(Data("boot/rk3566-5.4-seed-iomem.txt"), "iomem.txt"),
                BootLogParser.Parse(Data("boot/rk3566-5.4-seed-memblock-debug.log"), "memblock.log"),
            ],
        });
        Assert.Equal(0x10080000UL, report.FaultPhysical);
        var f = report.Findings[0];
        Assert.Equal("RC001", f.Id);
        Assert.Equal(Confidence.High, f.Confidence);
        Assert.Equal("linux,cma", f.Culprit!.Name);
        Assert.Equal("memblock.log", f.Culprit.Source.Line!.File);
        Assert.Equal(14, f.Culprit.Source.Line.Line);
        Assert.Contains(f.Evidence, e => e.Source?.Line is { File: "iomem.txt", Line: 4 });
        Assert.Contains(report.Hits, h => h.Role == RegionRole.KernelCode);
        Assert.Contains(report.Findings, x => x.Id == "RC101");
        Assert.Contains(report.Findings, x => x.Id == "RC102");
    }

    [Fact]
    public void RC101_and_RC102_stay_silent_on_a_healthy_real_boot()
    {
        var report = Diagnoser.Run(new DiagnosisInputs { Log = LogEvidence.Parse(Data("boot/qemu-virt-6.12.117-memblock-debug.log"), "boot.log") });
        Assert.Contains(report.Regions.Regions, r => r.Role == RegionRole.KernelCode);
        Assert.Contains(report.Regions.Regions, r => r.IsCma);
        Assert.Empty(report.Findings);
    }

    [Fact]
    public void RC101_and_RC102_fire_on_the_real_6_12_boot_with_the_pool_over_the_kernel()
    {
        var report = Diagnoser.Run(new DiagnosisInputs { Log = LogEvidence.Parse(Data("boot/qemu-virt-6.12.117-seed-cma-over-kernel.log"), "boot.log") });
        var f = Assert.Single(report.Findings, x => x.Id == "RC101");
        Assert.Equal("linux,cma", f.Culprit!.Name);
        Assert.Contains(report.Findings, x => x.Id == "RC102");
    }

    [Fact]
    public void RC103_reads_a_memory_line_whose_reserved_figure_is_below_the_kernel_image()
    {
        const string shortLine = "[    0.000000] Memory: 2000000K/2095104K available (16000K kernel code, 2000K rwdata, 6000K rodata, 3000K init, 500K bss, 20000K reserved, 8192K cma-reserved)";
        const string okLine = "[    0.000000] Memory: 2000000K/2095104K available (16000K kernel code, 2000K rwdata, 6000K rodata, 3000K init, 500K bss, 40000K reserved, 8192K cma-reserved)";
        var bad = Diagnoser.Run(new DiagnosisInputs { Log = LogEvidence.Parse(shortLine, "boot.log") });
        var f = Assert.Single(bad.Findings, x => x.Id == "RC103");
        Assert.Contains("7500K", f.Statement, StringComparison.Ordinal);
        var ok = Diagnoser.Run(new DiagnosisInputs { Log = LogEvidence.Parse(okLine, "boot.log") });
        Assert.DoesNotContain(ok.Findings, x => x.Id == "RC103");
    }

    [Fact]
    public void Rule_ids_are_unique()
    {
        Assert.Equal(RootCauseRules.All.Count, RootCauseRules.All.Select(r => r.Id).Distinct().Count());
    }
}

/// <summary>The boot-evidence rules that need no oops, each on a log that shows the problem and one that does not.</summary>
public class BootEvidenceRuleTests
{
    private static IReadOnlyList<RootCauseFinding> Findings(string log) =>
        Diagnoser.Run(new DiagnosisInputs { Log = LogEvidence.Parse(log, "boot.log") }).Findings;

    private const string Initrd = """
        [    0.000000] memblock_remove: [0x0000000048000000-0x00000000487fffff] arm64_memblock_init+0x1b8/0x44c
        [    0.000000] memblock_add: [0x0000000048000000-0x00000000487fffff] arm64_memblock_init+0x1c4/0x44c
        [    0.000000] memblock_reserve: [0x0000000048000000-0x00000000487fffff] arm64_memblock_init+0x1d0/0x44c
        [    0.000000] memblock_reserve: [0x0000000040200000-0x00000000421fffff] arm64_memblock_init+0x240/0x44c
        """;

    [Fact]
    public void RC104_fires_when_a_cma_pool_covers_the_initrd_and_not_when_it_sits_apart()
    {
        var over = Findings(Initrd + "\n[    0.000000] Reserved memory: created CMA memory pool at 0x0000000048000000, size 16 MiB\n[    0.000000] OF: reserved mem: initialized node linux,cma, compatible id shared-dma-pool\n");
        var f = Assert.Single(over, x => x.Id == "RC104");
        Assert.Equal("linux,cma", f.Culprit!.Name);
        Assert.DoesNotContain(over, x => x.Id == "RC101"); // the kernel reservation [0x40200000..] is not touched
        var apart = Findings(Initrd + "\n[    0.000000] Reserved memory: created CMA memory pool at 0x0000000050000000, size 16 MiB\n");
        Assert.DoesNotContain(apart, x => x.Id == "RC104");
    }

    [Fact]
    public void RC105_reports_the_kernels_own_overlap_line()
    {
        var f = Assert.Single(Findings("""
            [    0.000000] OF: reserved mem: OVERLAP DETECTED!
            [    0.000000] foo@10000000 (0x0000000010000000--0x0000000010800000) overlaps with linux,cma (0x0000000010400000--0x0000000010c00000)
            """), x => x.Id == "RC105");
        Assert.Contains("foo@10000000", f.Statement, StringComparison.Ordinal);
        Assert.Contains("linux,cma", f.Statement, StringComparison.Ordinal);
        Assert.DoesNotContain(Findings("[    0.000000] OF: reserved mem: initialized node linux,cma, compatible id shared-dma-pool\n"), x => x.Id == "RC105");
    }

    [Fact]
    public void RC106_reports_a_failed_reservation_with_a_size_but_not_an_empty_placeholder()
    {
        var real = Findings("[    0.000000] OF: fdt: Reserved memory: failed to reserve memory for node 'ramoops@8f000000': base 0x000000008f000000, size 1 MiB\n");
        var f = Assert.Single(real, x => x.Id == "RC106");
        Assert.Contains("ramoops@8f000000", f.Statement, StringComparison.Ordinal);
        // The seed's drm-logo nodes have size 0: U-Boot fills them in later; nothing is lost.
        var seed = Findings(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "data", "boot", "rk3566-5.4-seed-memblock-debug.log")));
        Assert.DoesNotContain(seed, x => x.Id == "RC106");
    }

    [Fact]
    public void RC106_reports_a_cma_alignment_failure()
    {
        Assert.Contains(Findings("[    0.000000] Reserved memory: incorrect alignment of CMA region\n"), x => x.Id == "RC106");
    }

    [Fact]
    public void A_memblock_add_node_line_with_nid_and_flags_is_read_as_dt_memory()
    {
        var report = Diagnoser.Run(new DiagnosisInputs { Log = LogEvidence.Parse("[    0.000000] memblock_add_node: [0x0000000000200000-0x000000007fffffff] nid=0 flags=0 early_init_dt_add_memory_arch+0x54/0x60\n", "boot.log") });
        var ram = Assert.Single(report.Regions.Regions);
        Assert.Equal(RegionRole.Ram, ram.Role);
        Assert.Equal(0x200000UL, ram.Range.Start);
    }
}
