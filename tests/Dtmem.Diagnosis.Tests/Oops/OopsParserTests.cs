using Dtmem.Diagnosis.Oops;

namespace Dtmem.Diagnosis.Tests.Oops;

public class OopsParserTests
{
    private static string Corpus(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "data", "oops", name + ".log"));

    [Fact]
    public void SeedOopsFactsAndTheirSources()
    {
        var o = Assert.Single(OopsParser.Parse(Corpus("arm64-5.4-rk3566-seed-cma-ro-write"), "seed.log"));
        Assert.Equal(OopsArch.Arm64, o.Arch);
        Assert.Equal(0xffff000010080000ul, o.FaultAddress!.Value);
        Assert.Equal(1, o.FaultAddress.Source.Line);
        Assert.Equal("[ 1166.931586] Unable to handle kernel write to read-only memory at virtual address ffff000010080000", o.FaultAddress.Source.Raw);
        Assert.Equal("seed.log", o.FaultAddress.Source.File);
        Assert.Equal(new PageTableInfo("swapper", Dtmem.Diagnosis.Pte.PageGranule.Size4K, 48, 0x112a0000), o.PageTable!.Value);
        Assert.Equal(["pgd", "pud", "pmd", "pte"], o.Walk.Select(w => w.Level));
        Assert.Equal(0x10080000ul, o.Walk[^1].Decoded!.OutputAddress);
        Assert.True(o.Walk[^1].Decoded!.ReadOnly);
        Assert.Equal(1, o.OopsNumber!.Value);
        Assert.Equal("SMP", o.DieFlags!.Value);
        Assert.Equal(0x9600004ful, o.DieCode!.Value);
        Assert.Equal("Rockchip RK3566 EVB2 LP4X V10 Board (DT)", o.Hardware!.Value);
        Assert.Equal("20400009 (nzCv daif +PAN -UAO)", o.Pstate!.Value);
        Assert.Equal(new CodeLocation("__arch_copy_from_user", 0x1b0, 0xac0, null, null), o.Pc!.Value);
        Assert.Equal(0xffff800018e67b90ul, o.Sp!.Value);
        Assert.Equal(0xffff000010080000ul, o.Registers["x0"].Value);
        Assert.Equal(0xa0f007787ef15132ul, o.Registers["x9"].Value);
        Assert.Equal(30, o.Registers.Count(r => r.Key.StartsWith('x')));
        Assert.Equal(13, o.CallTrace.Count);
        Assert.Equal("el0_svc", o.CallTrace[^1].Location.Symbol);
        Assert.Equal("el0_svc_common.constprop.3", o.CallTrace[^3].Location.Symbol);
        Assert.Equal("Tainted: GO", o.Taint!.Value);
        Assert.NotNull(o.KdbEntry);
        // the kernel's own Mem/Data abort lines agree with the decoder
        Assert.Empty(o.Notes);
        Assert.Equal(["ESR", "EC", "IL", "SET", "FnV", "EA", "S1PTW", "ISV", "ISS", "CM", "WnR"], o.AbortInfo.Select(a => a.Value.Key));
    }

    [Fact]
    public void MismatchBetweenPrintedFieldsAndEsrIsReported()
    {
        var text = Corpus("arm64-5.4-rk3566-seed-cma-ro-write").Replace("CM = 0, WnR = 1", "CM = 0, WnR = 0", StringComparison.Ordinal);
        var o = Assert.Single(OopsParser.Parse(text, "bad.log"));
        var note = Assert.Single(o.Notes);
        Assert.Equal("esr-field-mismatch", note.Code);
        Assert.Equal(9, note.Source!.Line);
        Assert.Contains("WnR", note.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DieCodeDifferentFromPrintedEsrIsReported()
    {
        var text = Corpus("arm64-5.4-rk3566-seed-cma-ro-write").Replace("Oops: 9600004f [#1]", "Oops: 96000047 [#1]", StringComparison.Ordinal);
        var o = Assert.Single(OopsParser.Parse(text, "bad.log"));
        Assert.Contains(o.Notes, n => n.Code == "esr-die-mismatch");
    }

    [Fact]
    public void SeveralOopsesInOneFileAreSeparated()
    {
        var one = Corpus("arm64-5.4-rk3566-seed-cma-ro-write");
        var two = Corpus("arm64-6.15-qcs9100-iabt-exec-nx");
        var all = OopsParser.Parse(one + "\n---[ end trace 0000000000000000 ]---\n" + two + "\n" + one, "many.log");
        Assert.Equal(3, all.Count);
        Assert.Equal([0x9600004ful, 0x8600000ful, 0x9600004ful], all.Select(o => o.Esr!.Value));
        Assert.Equal("udevd", all[1].Comm!.Value);
        Assert.True(all[2].Start.Line > all[1].End.Line);
    }

    [Fact]
    public void LinesFromOtherCallersDoNotJoinTheReport()
    {
        const string log = """
            [    1.000000][  T100] Unable to handle kernel paging request at virtual address ffff000000001000
            [    1.000001][  T100] Internal error: Oops: 0000000096000007 [#1] SMP
            [    1.000002][  T200] CPU: 3 PID: 200 Comm: other Not tainted 6.6.0 #1
            [    1.000003][  T100] CPU: 1 PID: 100 Comm: victim Not tainted 6.6.0 #1
            [    1.000004][  T200] pc : wrong+0x0/0x4
            [    1.000005][  T100] pc : right+0x10/0x40
            """;
        var o = Assert.Single(OopsParser.Parse(log, "ids.log"));
        Assert.Equal("victim", o.Comm!.Value);
        Assert.Equal("right", o.Pc!.Value.Symbol);
    }

    [Fact]
    public void TruncatedReportKeepsWhatWasPrinted()
    {
        var o = Assert.Single(OopsParser.Parse("[ 1.0] Unable to handle kernel NULL pointer dereference at virtual address 0000000000000008\n[ 1.1] Mem abort info:\n[ 1.2]   ESR = 0x96000006", "cut.log"));
        Assert.Equal(OopsKind.NullPointer, o.Kind);
        Assert.Equal(8ul, o.FaultAddress!.Value);
        Assert.Equal(0x96000006ul, o.Esr!.Value);
        Assert.Equal("level 2 translation fault", o.EsrDecoded!.FaultStatusName);
        Assert.Null(o.Pc);
        Assert.Empty(o.CallTrace);
    }

    [Fact]
    public void DumpStackWithoutAReportIsIgnored()
    {
        // The seed write-up's debug dump_stack(): CPU/Call trace lines with no fault, BUG, WARNING or die line.
        const string log = """
            [    0.416939] [__free_one_page 924] pfn 0x10080, page 0xfffffe0000202000
            [    0.424583] CPU: 0 PID: 1 Comm: swapper/0 Not tainted 5.4.74 #1
            [    0.437950] Call trace:
            [    0.440730]  dump_backtrace+0x0/0x160
            """;
        Assert.Empty(OopsParser.Parse(log, "dump.log"));
    }

    [Fact]
    public void PanicTailAttachesToTheOops()
    {
        var text = Corpus("arm64-5.4-rk3566-seed-cma-ro-write")
            + "\n---[ end trace 1234 ]---\nKernel panic - not syncing: Fatal exception\nSMP: stopping secondary CPUs\nKernel Offset: 0x10000 from 0xffff800010000000\nPHYS_OFFSET: 0x0\nCPU features: 0x0002,2000200c\nMemory Limit: none\n---[ end Kernel panic - not syncing: Fatal exception ]---";
        var o = Assert.Single(OopsParser.Parse(text, "p.log"));
        Assert.Equal("Fatal exception", o.PanicMessage!.Value);
        Assert.Equal("0x10000 from 0xffff800010000000", o.KernelOffset!.Value);
        Assert.Equal(0ul, o.PhysOffset!.Value);
        Assert.Equal("none", o.MemoryLimit!.Value);
        Assert.Equal("0x0002,2000200c", o.CpuFeatures!.Value);
        Assert.Equal("---[ end trace 1234 ]---", o.EndTrace!.Value);
    }
}

public class OopsParserMoreTests
{
    private static string Corpus(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "data", "oops", name + ".log"));

    [Fact]
    public void WalkTranslatesTheSeedFaultToTheKernelTextPage()
    {
        // pte=0060000010080793 maps the 4 KiB page at PA 0x10080000; FAR offset 0 -> PA 0x10080000 (the seed's Kernel code start)
        var o = Assert.Single(OopsParser.Parse(Corpus("arm64-5.4-rk3566-seed-cma-ro-write"), "seed.log"));
        Assert.Equal(0x10080000ul, o.WalkPhysicalAddress!.Value);
        Assert.Equal(11, o.WalkPhysicalAddress.Source.Line);
    }

    [Fact]
    public void WalkTranslationKeepsTheOffsetInsideABlock()
    {
        // ubicloud: pmd=00680007f8e00f01 is a 2 MiB block at 0x7f8e00000; FAR ffffbd2fe97a3ba0 -> offset 0x1a3ba0
        var o = Assert.Single(OopsParser.Parse(Corpus("arm64-6.x-ubicloud-iabt-level2"), "u.log"));
        Assert.Equal(0x7f8e00000ul + 0x1a3ba0, o.WalkPhysicalAddress!.Value);
    }

    [Fact]
    public void NoTranslationWhenTheWalkEndsInAHole()
    {
        var o = Assert.Single(OopsParser.Parse(Corpus("arm64-6.12-container-null-interleaved"), "c.log"));
        Assert.Null(o.WalkPhysicalAddress);
    }

    [Fact]
    public void SecondBacktraceAndOtherCpusDumpsAreNotMixedIn()
    {
        var text = Corpus("arm64-5.4-rk3566-seed-cma-ro-write") + """

            [0]kdb> bt
            Stack traceback for pid 16929
            Call trace:
             dump_backtrace+0x0/0x160
             kdb_show_stack+0x4c/0x70
            CPU1: stopping
            CPU: 1 PID: 0 Comm: swapper/1 Tainted: G      D    O      5.4.74 #1
            """;
        var o = Assert.Single(OopsParser.Parse(text, "kdb.log"));
        Assert.Equal(13, o.CallTrace.Count);
        Assert.Equal("cp", o.Comm!.Value);
        Assert.Equal(0, o.Cpu!.Value);
    }

    [Fact]
    public void LogEvidenceReadsOopsesAndBootLinesInOnePass()
    {
        var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "data", "boot", "rk3566-5.4-seed-memblock-debug.log"))
            + Corpus("arm64-5.4-rk3566-seed-cma-ro-write");
        var ev = Dtmem.Diagnosis.Logs.LogEvidence.Parse(text, "all.log");
        Assert.Single(ev.Oopses);
        Assert.Single(ev.Boot.OfKind(Dtmem.Diagnosis.Boot.BootRangeKind.CmaPool));
        Assert.Equal(text.TrimEnd('\n').Split('\n').Length, ev.Document.Lines.Count);
    }
}

public class OldFormatCrossCheckTests
{
    [Fact]
    public void FourFourteenExceptionClassLineAgreesWithTheDieCode()
    {
        // 4.14 printed "Exception class = DABT (current EL)" and no ESR line; the die code supplies the ESR.
        var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "data", "oops", "arm64-4.14-blog-zsmalloc-exception-class.log"));
        var o = Assert.Single(OopsParser.Parse(text, "b.log"));
        Assert.Contains(o.AbortInfo, a => a.Value.Key == "Exception class" && a.Value.Value == "DABT (current EL)");
        Assert.Equal(0x96000004ul, o.Esr!.Value);
        Assert.Empty(o.Notes);
        var bad = Assert.Single(OopsParser.Parse(text.Replace("Exception class = DABT", "Exception class = IABT", StringComparison.Ordinal), "b.log"));
        Assert.Contains(bad.Notes, n => n.Code == "esr-field-mismatch" && n.Message.Contains("IABT", StringComparison.Ordinal));
    }
}
