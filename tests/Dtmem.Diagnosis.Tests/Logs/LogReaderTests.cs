using Dtmem.Diagnosis.Logs;

namespace Dtmem.Diagnosis.Tests.Logs;

public class LogReaderTests
{
    private static LogLine One(string raw) => LogReader.Read(raw, "t.log").Lines.Single();

    [Theory]
    [InlineData("[ 1166.931586] Unable to handle", "Unable to handle", 1166.931586, null, null)]
    [InlineData("[    7.564337][  T103] Code: f100405f", "Code: f100405f", 7.564337, "T103", null)]
    [InlineData("[    0.000000][    C0] Booting", "Booting", 0.0, "C0", null)]
    [InlineData("<3>[   12.5] msg", "msg", 12.5, null, 3)]
    [InlineData("<6>plain", "plain", null, null, 6)]
    [InlineData("Apr 15 13:58:08.549417 raspberrypi kernel: pc : x+0x1/0x2", "pc : x+0x1/0x2", null, null, null)]
    [InlineData("May 02 10:57:39 r610.maze kernel: Oops: 0002 [#1] SMP NOPTI", "Oops: 0002 [#1] SMP NOPTI", null, null, null)]
    [InlineData("Feb 10 22:50:08 raspberrypi kernel: [ 4841.937321] BUG: x", "BUG: x", 4841.937321, null, null)]
    [InlineData("июл 27 14:08:04 laptop kernel: kernel BUG at lib/list_debug.c:51!", "kernel BUG at lib/list_debug.c:51!", null, null, null)]
    [InlineData("2024-01-02T03:04:05.123456+01:00 host kernel: hello", "hello", null, null, null)]
    [InlineData("[Tue Jan 24 19:21:10 2023] Mem abort info:", "Mem abort info:", null, null, null)]
    [InlineData("[    7.910564@0] WARNING: at x", "WARNING: at x", 7.910564, null, null)]
    [InlineData("16:56:35 [ 82.646346] pgd = 8cab8000", "pgd = 8cab8000", 82.646346, null, null)]
    [InlineData("root@debian:~# [  212.473177] Unhandled fault", "Unhandled fault", 212.473177, null, null)]
    [InlineData("[0]kdb> bt", "bt", null, null, null)]
    [InlineData("kdb> [   60.992349] ------------[ cut here ]", "------------[ cut here ]", 60.992349, null, null)]
    [InlineData("[    0.000000]   node   0: [mem 0x0-0x1]", "  node   0: [mem 0x0-0x1]", 0.0, null, null)]
    public void PrefixesAreSplitOff(string raw, string text, double? timestamp, string? caller, int? level)
    {
        var l = One(raw);
        Assert.Equal(text, l.Text);
        Assert.Equal(timestamp, l.Timestamp);
        Assert.Equal(caller, l.Caller);
        Assert.Equal(level, l.Level);
        Assert.Equal(raw, l.Raw);
    }

    [Theory]
    [InlineData("Apr 15 13:58:08 host systemd[1]: Started x.")] // not the kernel's identifier
    [InlineData("x [1.5] short fraction after junk")]
    [InlineData("see [ 1.2] here")]
    public void NonKernelTextIsLeftAlone(string raw) => Assert.Equal(raw, One(raw).Text);

    [Fact]
    public void LineEndingsAndNumbering()
    {
        var doc = LogReader.Read("\uFEFFa\r\nb\r\r\nc\rd\n\ne", "x");
        Assert.Equal(["a", "b", "c", "d", "", "e"], doc.Lines.Select(l => l.Text));
        Assert.Equal([1, 2, 3, 4, 5, 6], doc.Lines.Select(l => l.Number));
        Assert.Empty(doc.Issues);
    }

    [Fact]
    public void OverlongLineIsCutWithALocatedIssue()
    {
        var doc = LogReader.Read("ok\n" + new string('x', 100) + "\nnext", "big.log", maxLineLength: 40);
        Assert.Equal(3, doc.Lines.Count);
        Assert.True(doc.Lines[1].Truncated);
        Assert.Equal(40, doc.Lines[1].Raw.Length);
        var issue = Assert.Single(doc.Issues);
        Assert.Equal(("big.log", 2, 41), (issue.File, issue.Line, issue.Column));
        Assert.Contains("100 characters", issue.Message, StringComparison.Ordinal);
        Assert.Equal("next", doc.Lines[2].Text);
    }

    [Fact]
    public void NullAndEmptyInputGiveNoLines()
    {
        Assert.Empty(LogReader.Read(null, "x").Lines);
        Assert.Empty(LogReader.Read("", "x").Lines);
    }
}
