using System.Diagnostics;
using System.Text.RegularExpressions;
using Dtmem.DeviceTree.Model;
using Dtmem.DeviceTree.Preprocessing;

// cpp-compare compare <kernel-root> <list> <cpp-out-dir> [shown]
//     <list>: lines "ARCH RELPATH"; <cpp-out-dir>/<line-number>.i holds real cpp's output for that line
//     (missing or empty when cpp failed). Preprocesses every board in one process on 2 threads with a shared
//     cache, times it, and compares token streams with linemarkers dropped.
// cpp-compare bench <kernel-root> <list> <passes>     time repeated passes over the list with one shared cache
// cpp-compare run <kernel-root> <arch> <relpath>       print dtmem's output for one board
// cpp-compare tokens <file>                            print the comparison tokens of a cpp output file
return args switch
{
    ["compare", var root, var list, var outDir, ..] => Compare(root, File.ReadAllLines(list), outDir, args.Length > 4 ? int.Parse(args[4]) : 5),
    ["run", var root, var arch, var rel] => RunOne(root, arch, rel),
    ["bench", var root, var list, var passes] => Bench(root, File.ReadAllLines(list), int.Parse(passes)),
    ["tokens", var file] => PrintTokens(file),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: cpp-compare compare <kernel-root> <list> <cpp-out-dir> [shown] | run <kernel-root> <arch> <relpath> | tokens <file>");
    return 2;
}

static int RunOne(string root, string arch, string rel)
{
    Directory.SetCurrentDirectory(root);
    try
    {
        Console.Write(Preprocessor.KernelDefaults(rel, ".", arch).Run(rel).Text);
        return 0;
    }
    catch (DtException e)
    {
        Console.Error.WriteLine(e.ToString());
        return 1;
    }
}

static int Bench(string root, string[] list, int passes)
{
    Directory.SetCurrentDirectory(root);
    var boards = list.Where(l => l.Length > 0).Select(l => l.Split(' ', 2)).ToArray();
    var cache = new SourceCache();
    for (var p = 0; p < passes; p++)
    {
        var sw = Stopwatch.StartNew();
        long chars = 0;
        Parallel.For(0, boards.Length, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i =>
        {
            var r = Preprocessor.KernelDefaults(boards[i][1], ".", boards[i][0], cache).Run(boards[i][1]);
            Interlocked.Add(ref chars, r.Text.Length);
        });
        Console.WriteLine($"pass {p + 1}: {boards.Length} files, {chars / 1e6:F1} M chars out, {sw.Elapsed.TotalSeconds:F2} s; GCs {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}, pause {GC.GetTotalPauseDuration().TotalSeconds:F2} s, heap {GC.GetTotalMemory(false) / 1e6:F0} MB");
    }
    return 0;
}

static int PrintTokens(string file)
{
    foreach (var t in Tok.Tokens(File.ReadAllText(file)))
        Console.WriteLine(t);
    return 0;
}

static int Compare(string root, string[] list, string outDir, int shown)
{
    Directory.SetCurrentDirectory(root);
    var boards = list.Where(l => l.Length > 0).Select(l => l.Split(' ', 2)).ToArray();
    var results = new (string? Text, string? Error)[boards.Length];
    var cache = new SourceCache();
    var sw = Stopwatch.StartNew();
    Parallel.For(0, boards.Length, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i =>
    {
        var (arch, rel) = (boards[i][0], boards[i][1]);
        try
        {
            results[i] = (Preprocessor.KernelDefaults(rel, ".", arch, cache).Run(rel).Text, null);
        }
        catch (DtException e)
        {
            results[i] = (null, e.ToString());
        }
    });
    sw.Stop();
    Console.WriteLine($"dtmem: {boards.Length} files preprocessed in {sw.Elapsed.TotalSeconds:F2} s (1 process, 2 threads, {cache.Count} paths cached)");

    int same = 0, differ = 0, bothFail = 0;
    foreach (var (i, b) in boards.Index())
    {
        var cppFile = Path.Combine(outDir, $"{i + 1}.i");
        var cppText = File.Exists(cppFile) ? File.ReadAllText(cppFile) : "";
        var mine = results[i];
        string? why = null;
        if (cppText.Length == 0)
        {
            if (mine.Text is null)
            {
                bothFail++;
                continue;
            }
            why = "cpp failed, dtmem did not";
        }
        else if (mine.Text is null)
            why = "dtmem failed: " + mine.Error;
        else
        {
            var a = Tok.Tokens(cppText);
            var m = Tok.Tokens(mine.Text);
            var k = 0;
            while (k < a.Count && k < m.Count && a[k] == m[k])
                k++;
            if (k < a.Count || k < m.Count)
            {
                var ctxA = string.Join(' ', a.Skip(Math.Max(0, k - 8)).Take(16));
                var ctxM = string.Join(' ', m.Skip(Math.Max(0, k - 8)).Take(16));
                why = $"token {k} of {a.Count}/{m.Count}\n    cpp:   {ctxA}\n    dtmem: {ctxM}";
            }
        }
        if (why is null)
        {
            same++;
            continue;
        }
        if (differ++ < shown)
            Console.WriteLine($"DIFF {b[0]} {b[1]}: {why}");
    }
    Console.WriteLine($"{same} identical token streams, {differ} differ, {bothFail} rejected by both");
    return differ == 0 ? 0 : 1;
}

/// <summary>Splits preprocessed text into C tokens for comparison, independently of dtmem's lexer:
/// linemarker lines are dropped and whitespace only separates.</summary>
internal static partial class Tok
{
    [GeneratedRegex("""
        [A-Za-z_$][A-Za-z0-9_$]*
        | \.?[0-9](?:[eEpP][+-]|[A-Za-z0-9_.])*
        | "(?:\\.|[^"\\\n])*"
        | '(?:\\.|[^'\\\n])*'
        | ["'][^\n]*
        | \.\.\.|<<=|>>=|->|\+\+|--|<<|>>|<=|>=|==|!=|&&|\|\||\*=|/=|%=|\+=|-=|&=|\^=|\|=|\#\#
        | \S
        """, RegexOptions.IgnorePatternWhitespace)]
    private static partial Regex TokenRe();

    [GeneratedRegex("^# [0-9]+ \".*$", RegexOptions.Multiline)]
    private static partial Regex MarkerRe();

    public static List<string> Tokens(string text)
    {
        var list = new List<string>();
        foreach (Match m in TokenRe().Matches(MarkerRe().Replace(text, "")))
            list.Add(m.Value);
        return list;
    }
}
