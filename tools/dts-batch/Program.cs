using System.Diagnostics;
using Dtmem.DeviceTree;
using Dtmem.DeviceTree.Dts;
using Dtmem.DeviceTree.Fdt;
using Dtmem.DeviceTree.Model;

// Compiles many boards in one process: each line of LIST is "INPUT<TAB>OUTPUT.dtb" (or just INPUT, written as
// OUTDIR/<name>.dtb). With --preprocessed the input is cpp output and the optional third column names the
// original .dts (for locations and relative /incbin/).
var includes = new List<string>();
var defines = new List<string>();
string? outDir = null;
string? list = null;
var symbols = false;
uint? bootCpu = null;
var threads = 2;
var preprocessed = false;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "-I": includes.Add(args[++i]); break;
        case "-D": defines.Add(args[++i]); break;
        case "-@": symbols = true; break;
        case "-b": bootCpu = uint.Parse(args[++i]); break;
        case "-j": threads = int.Parse(args[++i]); break;
        case "-o": outDir = args[++i]; break;
        case "--preprocessed": preprocessed = true; break;
        default: list = args[i]; break;
    }
}
if (list is null || outDir is null)
{
    Console.Error.WriteLine("usage: dts-batch [--preprocessed] [-@] [-b N] [-j N] [-I DIR]... [-D X]... -o OUTDIR LIST");
    return 2;
}
Directory.CreateDirectory(outDir);
var jobs = File.ReadAllLines(list).Where(l => l.Length > 0).Select(l => l.Split('\t')).ToArray();
var failed = 0;
var sw = Stopwatch.StartNew();
Parallel.ForEach(jobs, new ParallelOptions { MaxDegreeOfParallelism = threads }, job =>
{
    var input = job[0];
    var output = job.Length > 1 ? job[1] : Path.Combine(outDir, Path.GetFileNameWithoutExtension(input) + ".dtb");
    var origin = job.Length > 2 ? job[2] : input;
    var options = new DtsCompileOptions { Symbols = symbols, BootCpu = bootCpu, Preprocess = !preprocessed };
    options.IncludePaths.AddRange(includes);
    options.IncludePaths.Add(Path.GetDirectoryName(origin) ?? ".");
    options.Defines.AddRange(defines);
    try
    {
        var tree = preprocessed
            ? DtsCompiler.CompileText(File.ReadAllText(input), origin, options)
            : DtsCompiler.Compile(input, options);
        File.WriteAllBytes(output, FdtWriter.Write(tree));
    }
    catch (DtException e)
    {
        Interlocked.Increment(ref failed);
        Console.Error.WriteLine($"FAIL {origin}: {e}");
        File.Delete(output);
    }
});
Console.Error.WriteLine($"dts-batch: {jobs.Length} inputs, {failed} failed, {sw.Elapsed.TotalSeconds:F2}s");
return failed == 0 ? 0 : 1;
