using System.Diagnostics;
using Xunit.Abstractions;

namespace Dtmem.Cli.Tests;

/// <summary>
/// dtmem killed (SIGKILL) or interrupted (SIGINT) while it writes the -o file of a large compile leaves the old file
/// byte for byte or the whole new one, never a half-written one. The signal is sent the moment the temporary file AtomicFile writes appears,
/// and the test only counts a run whose temporary file survives the signal, so it proves the write was cut short.
/// </summary>
public sealed class InterruptedWriteTests(ITestOutputHelper log) : IDisposable
{
    private const int BlobBytes = 24 << 20; // four /incbin/ copies: a 96 MiB DTB, which takes a while to write and sync
    private static readonly byte[] Old = "the previous output"u8.ToArray();
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("dtmem-interrupt-");

    public void Dispose() => _dir.Delete(recursive: true);

    private string At(string name) => Path.Combine(_dir.FullName, name);

    [Theory]
    [InlineData("KILL")]
    [InlineData("INT")]
    public void Signal_during_the_output_write_leaves_the_old_file(string signal)
    {
        var blob = new byte[BlobBytes];
        new Random(7).NextBytes(blob);
        File.WriteAllBytes(At("blob.bin"), blob);
        File.WriteAllText(At("in.dts"), "/dts-v1/;\n/ { a = /incbin/(\"blob.bin\"); b = /incbin/(\"blob.bin\"); c = /incbin/(\"blob.bin\"); d = /incbin/(\"blob.bin\"); };\n");
        var full = DtmemProcess.RunIn(_dir.FullName, "compile", "in.dts", "-o", "new.dtb");
        Assert.Equal(0, full.ExitCode);
        var newLength = new FileInfo(At("new.dtb")).Length;
        Assert.True(newLength > 4L * BlobBytes);

        for (var attempt = 1; attempt <= 5; attempt++)
        {
            File.WriteAllBytes(At("out.dtb"), Old);
            var (tmpLeft, tmpLength) = RunAndInterrupt(signal);
            var now = File.ReadAllBytes(At("out.dtb"));
            if (!now.AsSpan().SequenceEqual(Old))
            {
                // The rename beat the signal: then the file must be the new output, whole.
                Assert.Equal(newLength, now.LongLength);
                Assert.Equal(File.ReadAllBytes(At("new.dtb")), now);
                Assert.False(tmpLeft, "a finished write left its temporary file");
                continue;
            }
            // Cut before the rename. SIGKILL cannot clean up, so its temporary file proves the write was under way;
            // SIGINT is caught and the temporary file deleted, so nothing may be left.
            if (signal == "KILL") Assert.True(tmpLeft, "killed before the write began");
            else Assert.False(tmpLeft, $"SIGINT left a {tmpLength}-byte temporary file behind");
            log.WriteLine($"SIG{signal}, attempt {attempt}: out.dtb kept its {now.Length} old bytes; temporary file {(tmpLeft ? $"{tmpLength} of {newLength} bytes left" : "removed")}");
            return;
        }
        // SIGINT may let a nearly finished write complete; that outcome was checked above. SIGKILL cannot be deferred.
        if (signal == "KILL") Assert.Fail("SIGKILL never landed inside the write in 5 attempts");
        log.WriteLine($"SIG{signal}: the write completed before the signal in all 5 attempts; each left the whole new file");
    }

    /// <summary>Starts the compile, sends the signal as soon as the temporary output exists and reports whether the
    /// temporary file was left behind (the signal cut the write before the rename) and its length.</summary>
    private (bool Cut, long TmpLength) RunAndInterrupt(string signal)
    {
        foreach (var f in _dir.GetFiles(".out.dtb.*.tmp")) f.Delete();
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = _dir.FullName, UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "dtmem.dll"), "compile", "in.dts", "-o", "out.dtb" })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        _ = p.StandardError.ReadToEndAsync();
        _ = p.StandardOutput.ReadToEndAsync();
        var sw = Stopwatch.StartNew();
        while (!p.HasExited && _dir.GetFiles(".out.dtb.*.tmp").Length == 0)
        {
            if (sw.Elapsed > TimeSpan.FromSeconds(60)) { p.Kill(); throw new TimeoutException("no temporary output after 60 s"); }
        }
        if (!p.HasExited)
        {
            if (signal == "KILL") p.Kill();
            else Process.Start("kill", ["-s", signal, p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
        }
        Assert.True(p.WaitForExit(60_000), "dtmem did not end after the signal");
        var tmp = _dir.GetFiles(".out.dtb.*.tmp");
        return tmp.Length == 1 ? (true, tmp[0].Length) : (false, 0);
    }
}
