using System.Diagnostics;
using Dtmem.DeviceTree.Decompile;
using Dtmem.DeviceTree.Fdt;
using Dtmem.DeviceTree.Model;

// dtb-batch roundtrip <list-of-dtbs> [shown-differences]   compare with dtc, measure reader throughput
// dtb-batch decompile <file.dtb>                           print dtmem's decompile
return args switch
{
    ["roundtrip", var list, ..] => Roundtrip(File.ReadAllLines(list), args.Length > 2 ? int.Parse(args[2]) : 5),
    ["decompile", var file] => Decompile(file),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: dtb-batch roundtrip <list-file> [shown] | decompile <file.dtb>");
    return 2;
}

static int Decompile(string file)
{
    try
    {
        Console.Out.Write(DtsWriter.Write(FdtReader.ReadTree(File.ReadAllBytes(file), file)));
        return 0;
    }
    catch (DtException e)
    {
        Console.Error.WriteLine(e);
        return 2;
    }
}

static int Roundtrip(string[] files, int shown)
{
    var blobs = files.Select(File.ReadAllBytes).ToArray();
    var tmp = Directory.CreateTempSubdirectory("dtb-batch");
    int textSame = 0, bytesSame = 0;
    var textDiffs = new List<string>();
    var byteDiffs = new List<string>();
    // Blobs whose recompiled bytes differ exactly as dtc's own dtb -> dts -> dtb round trip does: dtc 1.6.1's
    // text loses information (a string "0\01" re-reads as octal \01), so no decompiler matching it can do better.
    var formatLimited = new List<string>();
    for (var i = 0; i < files.Length; i++)
    {
        var name = files[i];
        string ours;
        try
        {
            ours = DtsWriter.Write(FdtReader.ReadTree(blobs[i], name));
        }
        catch (DtException e)
        {
            textDiffs.Add($"{name}: dtmem rejected it: {e}");
            byteDiffs.Add($"{name}: not decompiled");
            continue;
        }
        var (rc, theirs) = Run("dtc", $"-q -I dtb -O dts \"{name}\"");
        if (rc == 0 && ours == theirs) textSame++;
        else textDiffs.Add($"{name}: {FirstDifference(ours, theirs)}");

        var dts = Path.Combine(tmp.FullName, "x.dts");
        var dtb = Path.Combine(tmp.FullName, "x.dtb");
        File.WriteAllText(dts, ours);
        var (rc2, err) = Run("dtc", $"-q -I dts -O dtb -o \"{dtb}\" \"{dts}\"");
        var recompiled = rc2 == 0 ? File.ReadAllBytes(dtb) : null;
        if (recompiled is not null && recompiled.AsSpan().SequenceEqual(blobs[i]))
        {
            bytesSame++;
            continue;
        }
        if (recompiled is not null && rc == 0)
        {
            File.WriteAllText(dts, theirs);
            var (rc3, _) = Run("dtc", $"-q -I dts -O dtb -o \"{dtb}\" \"{dts}\"");
            if (rc3 == 0 && File.ReadAllBytes(dtb).AsSpan().SequenceEqual(recompiled))
            {
                formatLimited.Add($"{name}: {FirstByteDifference(recompiled, blobs[i])}");
                continue;
            }
        }
        byteDiffs.Add($"{name}: {(recompiled is null ? "dtc failed: " + err.Trim() : FirstByteDifference(recompiled, blobs[i]))}");
    }
    tmp.Delete(true);

    Report("decompile text (dtmem vs dtc -I dtb -O dts)", textSame, textDiffs, shown);
    Console.WriteLine($"recompiled bytes (dtmem decompile -> dtc -O dtb vs original): {bytesSame} identical, "
        + $"{byteDiffs.Count + formatLimited.Count} differ ({formatLimited.Count} exactly as dtc's own dtb -> dts -> dtb "
        + $"round trip does, a limit of dtc 1.6.1's text format; {byteDiffs.Count} dtmem-specific)");
    foreach (var d in byteDiffs.Take(shown)) Console.WriteLine("  dtmem-specific: " + d);
    foreach (var d in formatLimited.Take(shown)) Console.WriteLine("  as dtc: " + d);
    Throughput(files, blobs);
    return textDiffs.Count + byteDiffs.Count == 0 ? 0 : 1;
}

static void Report(string what, int same, List<string> diffs, int shown)
{
    Console.WriteLine($"{what}: {same} identical, {diffs.Count} differ");
    foreach (var d in diffs.Take(shown)) Console.WriteLine("  " + d);
}

static void Throughput(string[] files, byte[][] blobs)
{
    long bytes = blobs.Sum(b => (long)b.Length);
    // Warm up, then time whole passes until at least two seconds have gone by.
    foreach (var b in blobs) FdtReader.ReadTree(b, "x");
    var sw = Stopwatch.StartNew();
    var passes = 0;
    do
    {
        foreach (var b in blobs) FdtReader.ReadTree(b, "x");
        passes++;
    } while (sw.Elapsed.TotalSeconds < 2);
    var treeMbs = bytes * passes / sw.Elapsed.TotalSeconds / 1e6;

    sw.Restart();
    passes = 0;
    long tokens = 0;
    do
    {
        foreach (var b in blobs)
        {
            var r = new FdtReader(b, "x");
            while (r.Read()) tokens++;
        }
        passes++;
    } while (sw.Elapsed.TotalSeconds < 2);
    var tokenMbs = bytes * passes / sw.Elapsed.TotalSeconds / 1e6;

    var tmp = Path.GetTempFileName();
    sw.Restart();
    foreach (var f in files) Run("dtc", $"-q -I dtb -O dtb -o \"{tmp}\" \"{f}\"");
    var dtcSeconds = sw.Elapsed.TotalSeconds;
    File.Delete(tmp);

    Console.WriteLine($"reader throughput over {files.Length} DTBs ({bytes / 1e6:F1} MB):");
    Console.WriteLine($"  FdtReader tokens only:     {tokenMbs,8:F0} MB/s");
    Console.WriteLine($"  FdtReader.ReadTree:        {treeMbs,8:F0} MB/s");
    Console.WriteLine($"  dtc -I dtb -O dtb (1 process per file, incl. start-up): {bytes / dtcSeconds / 1e6:F1} MB/s ({dtcSeconds:F1} s)");
}

static (int, string) Run(string exe, string arguments)
{
    var psi = new ProcessStartInfo(exe, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
    using var p = Process.Start(psi)!;
    var err = p.StandardError.ReadToEndAsync();
    var output = p.StandardOutput.ReadToEnd();
    p.WaitForExit();
    return (p.ExitCode, p.ExitCode == 0 ? output : err.Result);
}

static string FirstDifference(string a, string b)
{
    var la = a.Split('\n');
    var lb = b.Split('\n');
    for (var i = 0; i < Math.Max(la.Length, lb.Length); i++)
    {
        var x = i < la.Length ? la[i] : "<end>";
        var y = i < lb.Length ? lb[i] : "<end>";
        if (x != y) return $"line {i + 1}: dtmem `{x.Trim()}` vs dtc `{y.Trim()}`";
    }
    return "identical text, dtc failed";
}

static string FirstByteDifference(byte[] a, byte[] b)
{
    var n = a.AsSpan().CommonPrefixLength(b);
    return $"first differing byte at 0x{n:x} (lengths {a.Length} vs {b.Length})";
}
