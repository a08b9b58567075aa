using Dtmem.Diagnosis.Logs;
using Dtmem.Diagnosis.Oops;

namespace Dtmem.Diagnosis.Tests.Oops;

/// <summary>Line formats seen in the session-2 held-out logs: vendor CPU fields after the timestamp, journal lines
/// without a host, "Kdump: loaded" in the CPU line and the 2.6/3.x CPU line.</summary>
public class VendorFormatTests
{
    [Theory]
    [InlineData("[  495.206811][ 1] Unable to handle", "Unable to handle")]
    [InlineData("[  495.206819][ 1]   ESR = 0x86000007", "  ESR = 0x86000007")]
    [InlineData("<1>[41740.112427] c1 pgd = e785c000", "pgd = e785c000")]
    [InlineData("        <4>[41740.125506] c1 ", "")]
    [InlineData("[    0.693542] c0 1 (swapper/0) pgd = c0104000", "pgd = c0104000")]
    [InlineData("Sep 21 17:06:49 kernel: Mem abort info:", "Mem abort info:")]
    [InlineData("Sep 21 17:06:49 kernel kernel: Mem abort info:", "Mem abort info:")]
    [InlineData("[ 1401.183318] [74736958] *pgd=00000000", "[74736958] *pgd=00000000")]
    [InlineData("[ 1401.183318][74736958] *pgd=00000000", "[74736958] *pgd=00000000")]
    [InlineData("[    1.000000] cfg80211: Loading", "cfg80211: Loading")]
    [InlineData("[    1.000000] c1x", "c1x")]
    [InlineData("c1 no timestamp, no vendor field", "c1 no timestamp, no vendor field")]
    public void VendorPrefixesAreSplitOff(string raw, string text) => Assert.Equal(text, LogReader.Read(raw, "t.log").Lines.Single().Text);

    [Fact]
    public void KdumpLoadedIsNotPartOfTheTaskName()
    {
        var o = Assert.Single(OopsParser.Parse(
            "kernel BUG at mm/slub.c:3035!\n" +
            "invalid opcode: 0000 [#1] PREEMPT SMP PTI\n" +
            "CPU: 1 PID: 26863 Comm: updatedb Kdump: loaded Tainted: G        W         5.14.11-hardened1 #1\n", "k.log"));
        Assert.Equal("updatedb", o.Comm!.Value);
        Assert.Equal("Tainted: GW", o.Taint!.Value);
        Assert.Equal("5.14.11-hardened1", o.KernelVersion!.Value);
    }

    [Fact]
    public void KdumpLoadedWithoutTaintStillEndsTheTaskName()
    {
        var o = Assert.Single(OopsParser.Parse("kernel BUG at mm/slub.c:1!\nCPU: 2 PID: 7 Comm: CPU 7/KVM Kdump: loaded\n", "k.log"));
        Assert.Equal("CPU 7/KVM", o.Comm!.Value);
    }

    [Theory]
    [InlineData("CPU: 1    Not tainted  (3.0.31-CM-ArchiKernel-base-g8c1c4c6 #1)", 1, "Not tainted", "3.0.31-CM-ArchiKernel-base-g8c1c4c6")]
    [InlineData("CPU: 0    Tainted: G        W   (3.4.0+ #2)", 0, "Tainted: G        W", "3.4.0+")]
    public void OldCpuLineGivesCpuTaintAndVersion(string cpuLine, int cpu, string taint, string version)
    {
        var o = Assert.Single(OopsParser.Parse(
            "Unable to handle kernel NULL pointer dereference at virtual address 00000000\n" +
            "Internal error: Oops: 5 [#1] PREEMPT SMP\n" + cpuLine + "\nPC is at f+0x1/0x2\n", "o.log"));
        Assert.Equal(cpu, o.Cpu!.Value);
        Assert.Equal(taint, o.Taint!.Value);
        Assert.Equal(version, o.KernelVersion!.Value);
        Assert.Null(o.Comm);
    }

    [Theory]
    [InlineData("pgd = ffffffc0edcf1000", OopsArch.Arm64)]
    [InlineData("pgd = cfb20000", OopsArch.Arm)]
    public void PgdPointerWidthTellsArmFromArm64(string pgdLine, OopsArch arch)
    {
        var o = Assert.Single(OopsParser.Parse(
            "Unable to handle kernel NULL pointer dereference at virtual address 00000000\n" + pgdLine + "\n" +
            "Internal error: Oops: 96000005 [#1] SMP\nPC is at f+0x1/0x2\n", "p.log"));
        Assert.Equal(arch, o.Arch);
        Assert.Equal(arch == OopsArch.Arm64 ? 0x96000005ul : null, o.Esr?.Value);
    }

    [Fact]
    public void ProcessLineNamesTheTaskWhenNoCpuLineDid()
    {
        var o = Assert.Single(OopsParser.Parse(
            " kernel:[  767.169269@0] Internal error: Oops: 9600004f [#1] PREEMPT SMP\n" +
            " kernel:[  767.934966@0] Process kworker/u8:0 (pid: 21682, stack limit = 0xffffffc0c85ac000)\n", "w.log"));
        Assert.Equal("kworker/u8:0", o.Comm!.Value);
        Assert.Equal(21682, o.Pid!.Value);
        Assert.Equal(2, o.Comm.Source.Line);
    }

    [Fact]
    public void CpuLineWinsOverTheProcessLine()
    {
        var o = Assert.Single(OopsParser.Parse(
            "Internal error: Oops: 5 [#1] ARM\nCPU: 0 PID: 6 Comm: ksoftirqd/0 Not tainted 4.10.5 #1\n" +
            "Process other (pid: 7, stack limit = 0x9e436188)\n", "a.log"));
        Assert.Equal(("ksoftirqd/0", 6), (o.Comm!.Value, o.Pid!.Value));
    }

    [Theory]
    [InlineData("Call trace:", OopsArch.Arm64)]
    [InlineData("Call Trace:", OopsArch.Unknown)]
    public void BareFramesUnderLowerCaseCallTraceAreArm64(string header, OopsArch arch)
    {
        var o = Assert.Single(OopsParser.Parse(
            "Kernel panic - not syncing: panic_on_set_idle set ...\nCPU: 2 PID: 1 Comm: swapper/0 Not tainted 6.1.75 #1\n" +
            header + "\n dump_backtrace+0xe4/0x108\n show_stack+0x20/0x30\n", "t.log"));
        Assert.Equal(arch, o.Arch);
        Assert.Equal(["dump_backtrace", "show_stack"], o.CallTrace.Select(f => f.Location.Symbol));
    }

    [Theory]
    [InlineData("Oops: general protection fault, probably for non-canonical address 0xbfff93fcd9822a28: 0000 [#1] PREEMPT SMP NOPTI", 0xbfff93fcd9822a28ul)]
    [InlineData("general protection fault, probably for non-canonical address 0xdffffc0000000000: 0000 [#1] SMP KASAN", 0xdffffc0000000000ul)]
    [InlineData("general protection fault: 0000 [#1] SMP", null)]
    public void GeneralProtectionFaultNamesTheFaultAndItsAddress(string dieLine, ulong? address)
    {
        var o = Assert.Single(OopsParser.Parse(dieLine + "\nRIP: 0010:f+0x1/0x2\n", "g.log"));
        Assert.Equal(OopsArch.X86_64, o.Arch);
        Assert.Equal(OopsKind.InternalError, o.Kind);
        Assert.Equal("general protection fault", o.FaultDescription!.Value);
        Assert.Equal(address, o.FaultAddress?.Value);
        Assert.Equal(0ul, o.DieCode!.Value);
    }
}
