using Dtmem.Diagnosis.Boot;
using Dtmem.Diagnosis.Logs;
using Dtmem.Diagnosis.Translation;
using Dtmem.Kernel;
using Dtmem.Kernel.Versions;

namespace Dtmem.Diagnosis.Tests.Diagnose;

public class TranslationTests
{
    private static string Data(string path) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "data", path));

    private static Dtmem.Diagnosis.Oops.Oops FirstOops(string text, string name = "t.log") => LogEvidence.Parse(text, name).Oopses[0];

    [Fact]
    public void Seed_linear_address_translates_through_the_printed_offsets_and_agrees_with_the_walk()
    {
        var oops = FirstOops(Data("oops/arm64-5.4-rk3566-seed-cma-ro-write.log"));
        var boot = BootLogParser.Parse(Data("boot/rk3566-5.4-seed-memblock-debug.log"), "memblock.log");
        var p = AddressTranslator.Derive(oops, boot, new TranslationHints());
        Assert.Equal(0xffff000000000000UL, p.PageOffset.Value);
        Assert.Contains("memblock.log:1", p.PageOffset.Origin);
        Assert.Equal(0UL, p.PhysOffset!.Value);
        Assert.Equal(48, p.VaBits.Value);

        var t = AddressTranslator.Translate(oops.FaultAddress!.Value, p, oops);
        Assert.Equal(VaRegion.Linear, t.Region);
        Assert.Equal(0x10080000UL, t.PhysicalAddress);
        Assert.Equal("linear map", t.Method);
        Assert.True(t.AgreesWithWalk);
        Assert.Contains(t.Steps, s => s.Contains("0xffff000010080000 - 0xffff000000000000 + 0x0 = 0x10080000", StringComparison.Ordinal));
    }

    [Fact]
    public void Without_printed_offsets_the_version_and_the_ram_base_rounded_to_1GiB_give_the_same_answer()
    {
        var oops = FirstOops(Data("oops/arm64-5.4-rk3566-seed-cma-ro-write.log"));
        var hints = new TranslationHints { DramStart = Fact<ulong>.Known(0x200000, "test") };
        var p = AddressTranslator.Derive(oops, null, hints);
        Assert.True(p.FlippedLayout.Value); // no version passed: the ≥5.4 layout is assumed
        Assert.Equal(0UL, p.PhysOffset!.Value);
        Assert.Contains("rounded down to 1 GiB", p.PhysOffset.Origin);
        Assert.Equal(0x10080000UL, AddressTranslator.Translate(oops.FaultAddress!.Value, p, oops).PhysicalAddress);
    }

    [Fact]
    public void A_randomised_linear_map_disagrees_with_the_ram_base_and_the_walk_wins_with_a_note()
    {
        // 6.15 Qualcomm: linear-map KASLR; the walk says the PA is 0x100abd400.
        var oops = FirstOops(Data("oops/arm64-6.15-qcs9100-iabt-exec-nx.log"));
        var hints = new TranslationHints { DramStart = Fact<ulong>.Known(0x80000000, "test"), Version = Fact<KernelVersion>.Known(KernelVersion.Parse("6.15"), "test") };
        var t = AddressTranslator.Translate(oops.FaultAddress!.Value, AddressTranslator.Derive(oops, null, hints), oops);
        Assert.Equal(VaRegion.Linear, t.Region);
        Assert.Equal(0x100abd400UL, t.PhysicalAddress);
        Assert.False(t.AgreesWithWalk);
        Assert.Equal("page-table walk", t.Method);
        Assert.Contains(t.Notes, n => n.Contains("PHYS_OFFSET", StringComparison.Ordinal));
    }

    [Fact]
    public void Pre_5_4_layout_puts_the_linear_map_in_the_upper_half()
    {
        const string log = """
            Unable to handle kernel paging request at virtual address ffffffc000080010
            Mem abort info:
              ESR = 0x96000007
            swapper pgtable: 4k pages, 39-bit VAs, pgdp=0000000081234000
            Internal error: Oops: 96000007 [#1] PREEMPT SMP
            CPU: 1 PID: 77 Comm: sh Not tainted 4.19.100 #1
            """;
        var oops = FirstOops(log);
        var hints = new TranslationHints { Version = Fact<KernelVersion>.Known(KernelVersion.Parse("4.19.100"), "test"), DramStart = Fact<ulong>.Known(0x80000000, "dt") };
        var p = AddressTranslator.Derive(oops, null, hints);
        Assert.False(p.FlippedLayout.Value);
        Assert.Equal(39, p.VaBits.Value);
        Assert.Equal(0xffffffc000000000UL, p.PageOffset.Value);
        var t = AddressTranslator.Translate(oops.FaultAddress!.Value, p, oops);
        Assert.Equal(VaRegion.Linear, t.Region);
        Assert.Equal(0x80080010UL, t.PhysicalAddress);
    }

    [Fact]
    public void Overrides_win_over_everything_and_are_named_as_the_origin()
    {
        var oops = FirstOops(Data("oops/arm64-5.4-rk3566-seed-cma-ro-write.log"));
        var boot = BootLogParser.Parse(Data("boot/rk3566-5.4-seed-memblock-debug.log"), "memblock.log");
        var p = AddressTranslator.Derive(oops, boot, new TranslationHints { Overrides = new TranslationOverrides { PhysOffset = 0x40000000 } });
        Assert.Equal("--phys-offset", p.PhysOffset!.Origin);
        var t = AddressTranslator.Translate(oops.FaultAddress!.Value, p, oops);
        // The formula now says 0x50080000; the printed walk says 0x10080000 and is the kernel's own answer.
        Assert.False(t.AgreesWithWalk);
        Assert.Equal(0x10080000UL, t.PhysicalAddress);
    }

    [Fact]
    public void Kernel_image_addresses_use_kimage_voffset_from_the_kernel_offset_line_and_the_physical_text()
    {
        const string log = """
            Unable to handle kernel paging request at virtual address ffff800008201000
            Mem abort info:
              ESR = 0x9600004f
            Internal error: Oops: 9600004f [#1] SMP
            CPU: 0 PID: 1 Comm: init Not tainted 6.1.0 #1
            Kernel Offset: disabled
            """;
        var oops = FirstOops(log);
        var hints = new TranslationHints
        {
            Version = Fact<KernelVersion>.Known(KernelVersion.Parse("6.1.0"), "test"),
            KernelTextVirt = Fact<ulong>.Known(0xffff800008000000, "System.map"),
            KernelTextPhys = Fact<ulong>.Known(0x40200000, "iomem"),
            KernelSize = Fact<ulong>.Known(0x2000000, "iomem"),
        };
        var p = AddressTranslator.Derive(oops, null, hints);
        Assert.Equal(0xffff800008000000UL - 0x40200000UL, p.KimageVoffset!.Value);
        var t = AddressTranslator.Translate(oops.FaultAddress!.Value, p, oops);
        Assert.Equal(VaRegion.KernelImage, t.Region);
        Assert.Equal(0x40401000UL, t.PhysicalAddress);
    }

    [Theory]
    [InlineData(0x10UL, VaRegion.Null)]
    [InlineData(0x0000aaaad0000000UL, VaRegion.User)]
    [InlineData(0x00ff000000000000UL, VaRegion.NonCanonical)]
    [InlineData(0xffff000012345678UL, VaRegion.Linear)]
    [InlineData(0xffff800010080000UL, VaRegion.OtherKernel)]
    public void Addresses_are_classified_by_the_48_bit_post_5_4_layout(ulong va, VaRegion expected)
    {
        var p = AddressTranslator.Derive(null, null, new TranslationHints { Version = Fact<KernelVersion>.Known(KernelVersion.Parse("6.1"), "t"), Overrides = new() { VaBits = 48 } });
        Assert.Equal(expected, AddressTranslator.Translate(va, p).Region);
    }
}
