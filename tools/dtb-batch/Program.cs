using System.Diagnostics;
using Dtmem.DeviceTree;
using Dtmem.DeviceTree.Decompile;
using Dtmem.DeviceTree.Fdt;
using Dtmem.DeviceTree.Model;
using Dtmem.DeviceTree.Overlay;

// dtb-batch roundtrip <list-of-dtbs> [shown]   decompile vs dtc, recompile vs original, reader throughput
// dtb-batch overlays <list> [shown]            lines "expected.dtb base.dtb a.dtbo ...": apply, compare with fdtoverlay
// dtb-batch decompile <file.dtb>               print dtmem's decompile
// dtb-batch dts <file.dts>                     compile with dtmem and print as `dtc -I dts -O dts` would
return args switch
{
    ["roundtrip", var list, ..] => Roundtrip(File.ReadAllLines(list), Shown(args)),
    ["overlays", var list, ..] => Overlays(File.ReadAllLines(list), Shown(args)),
    ["decompile", var file] => Decompile(file),
    ["dts", var file] => Redecompile(file),
    _ => Usage(),
};

static int Shown(string[] args) => args.Length > 2 ? int.Parse(args[2]) : 5;

static int Usage()
{
    Console.Error.WriteLine("usage: dtb-batch roundtrip|overlays <list-file> [shown] | decompile <file.dtb>");
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

static int Redecompile(string file)
{
    try
    {
        Console.Out.Write(DtsWriter.Write(DtsCompiler.Compile(file, new Dtmem.DeviceTree.Dts.DtsCompileOptions())));
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
    var dts = Path.Combine(tmp.FullName, "x.dts");
    var dtb = Path.Combine(tmp.FullName, "x.dtb");
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

        byte[]? recompiled = null;
        var err = "";
        try
        {
            recompiled = FdtWriter.Write(DtsCompiler.CompileText(ours, name + ".dts", new Dtmem.DeviceTree.Dts.DtsCompileOptions()));
        }
        catch (DtException e)
        {
            err = e.ToString();
        }
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
        byteDiffs.Add($"{name}: {(recompiled is null ? "dtmem compile failed: " + err : FirstByteDifference(recompiled, blobs[i]))}");
    }
    tmp.Delete(true);

    Report("decompile text (dtmem vs dtc -I dtb -O dts)", textSame, textDiffs, shown);
    Console.WriteLine($"recompiled bytes (dtmem decompile -> dtmem compile -> dtb vs original): {bytesSame} identical, "
        + $"{byteDiffs.Count + formatLimited.Count} differ ({formatLimited.Count} exactly as dtc's own round trip "
        + $"`dtc -I dtb -O dts | dtc -O dtb` does, a limit of dtc 1.6.1's text format; {byteDiffs.Count} dtmem-specific)");
    foreach (var d in byteDiffs.Take(shown)) Console.WriteLine("  dtmem-specific: " + d);
    foreach (var d in formatLimited.Take(shown)) Console.WriteLine("  as dtc: " + d);
    Throughput(files, blobs);
    return textDiffs.Count + byteDiffs.Count == 0 ? 0 : 1;
}

static int Overlays(string[] lines, int shown)
{
    int same = 0, bytesSame = 0;
    var diffs = new List<string>();
    var byteDiffs = new List<string>();
    foreach (var line in lines.Where(l => l.Length > 0))
    {
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var expected = parts[0];
        if (File.Exists(expected))
        {
            try
            {
                var blob = OverlayApplier.ApplyToBlob(File.ReadAllBytes(parts[1]), parts[1],
                    parts[2..].Select(o => (o, File.ReadAllBytes(o))));
                var reference = ZeroPadding(File.ReadAllBytes(expected));
                if (blob.AsSpan().SequenceEqual(reference)) bytesSame++;
                else byteDiffs.Add($"{Path.GetFileName(expected)}: {FirstByteDifference(blob, reference)}");
            }
            catch (DtException e)
            {
                byteDiffs.Add($"{Path.GetFileName(expected)}: {e}");
            }
        }
        string ours;
        try
        {
            var tree = FdtReader.ReadTree(File.ReadAllBytes(parts[1]), parts[1]);
            foreach (var o in parts[2..]) OverlayApplier.Apply(tree, FdtReader.ReadTree(File.ReadAllBytes(o), o), o);
            ours = DtsWriter.Write(tree);
        }
        catch (DtException e)
        {
            ours = "error: " + e;
        }
        var (rc, theirs) = File.Exists(expected) ? Run("dtc", $"-q -I dtb -O dts \"{expected}\"") : (1, "fdtoverlay failed");
        if (rc == 0 && ours == theirs) same++;
        else diffs.Add($"{Path.GetFileName(expected)}: {(rc != 0 ? "reference: " + theirs.Trim() + "; dtmem: " + ours.Split('\n')[0] : FirstDifference(ours, theirs))}");
    }
    Report("overlays applied (dtmem vs fdtoverlay, compared as dtc decompiles)", same, diffs, shown);
    Report("overlays applied (OverlayApplier.ApplyToBlob vs fdtoverlay bytes, alignment padding zeroed)", bytesSame, byteDiffs, shown);
    return diffs.Count + byteDiffs.Count == 0 ? 0 : 1;
}

// libfdt 1.6.1 leaves stale bytes in the alignment padding of values and names it adds; dtc and dtmem write zeros.
static byte[] ZeroPadding(byte[] blob)
{
    var b = (byte[])blob.Clone();
    var r = new FdtReader(blob, "x");
    while (r.Read())
    {
        var end = r.TokenType switch
        {
            FdtTokenType.BeginNode => r.TokenOffset + 4 + r.Name.Length + 1,
            FdtTokenType.Property => r.ValueOffset + r.Value.Length,
            _ => -1,
        };
        for (var i = end; i > 0 && i % 4 != 0; i++) b[i] = 0;
    }
    return b;
}

static void Report(string what, int same, List<string> diffs, int shown)
{
    Console.WriteLine($"{what}: {same} identical, {diffs.Count} differ");
    foreach (var d in diffs.Take(shown)) Console.WriteLine("  " + d);
}

static void Throughput(string[] files, byte[][] blobs)
{
    long bytes = blobs.Sum(b => (long)b.Length);
    var treeMbs = Rate(bytes, () => { foreach (var b in blobs) FdtReader.ReadTree(b, "x"); });
    var tokenMbs = Rate(bytes, () =>
    {
        foreach (var b in blobs)
        {
            var r = new FdtReader(b, "x");
            while (r.Read()) { }
        }
    });
    var roundMbs = Rate(bytes, () => { foreach (var b in blobs) FdtWriter.Write(FdtReader.ReadTree(b, "x")); });

    // dtc runs one process per file; its start-up cost is measured on the smallest blob and reported apart.
    var tmp = Path.GetTempFileName();
    var sw = Stopwatch.StartNew();
    foreach (var f in files) Run("dtc", $"-q -I dtb -O dtb -o \"{tmp}\" \"{f}\"");
    var dtcSeconds = sw.Elapsed.TotalSeconds;
    var smallest = files[Array.IndexOf(blobs, blobs.MinBy(b => b.Length))];
    sw.Restart();
    foreach (var _ in files) Run("dtc", $"-q -I dtb -O dtb -o \"{tmp}\" \"{smallest}\"");
    var startup = sw.Elapsed.TotalSeconds;
    File.Delete(tmp);

    Console.WriteLine($"reader throughput over {files.Length} DTBs ({bytes / 1e6:F1} MB, single thread):");
    Console.WriteLine($"  FdtReader tokens only:                 {tokenMbs,8:F0} MB/s");
    Console.WriteLine($"  FdtReader.ReadTree (full DtTree):      {treeMbs,8:F0} MB/s");
    Console.WriteLine($"  ReadTree + FdtWriter.Write (dtb->dtb): {roundMbs,8:F0} MB/s");
    Console.WriteLine($"  dtc -I dtb -O dtb, one process a file: {bytes / dtcSeconds / 1e6,8:F1} MB/s ({dtcSeconds:F1} s; "
        + $"the same number of runs on the smallest blob take {startup:F1} s, so about "
        + $"{(dtcSeconds - startup > 0.05 ? $"{bytes / (dtcSeconds - startup) / 1e6:F0} MB/s" : "n/a")} without process start-up)");
}

// Warms up, then times whole passes until two seconds have gone by.
static double Rate(long bytes, Action pass)
{
    pass();
    var sw = Stopwatch.StartNew();
    var passes = 0;
    do
    {
        pass();
        passes++;
    } while (sw.Elapsed.TotalSeconds < 2);
    return bytes * passes / sw.Elapsed.TotalSeconds / 1e6;
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
