using System.Diagnostics;
using Dtmem.DeviceTree;
using Dtmem.DeviceTree.Dts;
using Dtmem.DeviceTree.Fdt;
using Dtmem.DeviceTree.Model;
using Dtmem.DeviceTree.Preprocessing;

// Compiles many boards in one process (for scripts/conformance and scripts/bench-compile). Each line of LIST is
// "INPUT<TAB>OUTPUT.dtb[<TAB>ORIGINAL.dts]" or just INPUT (written as OUTDIR/<name>.dtb).
//   --preprocessed  INPUT is cpp output; ORIGINAL names the .dts it came from (locations, /incbin/)
//   --kernel        include paths in the kernel's order for a board under arch/<arch>/boot/dts, relative to the
//                   current directory (include, the board's directory, arch/<arch>/boot/dts, include-prefixes),
//                   followed by any -I
var includes = new List<string>();
var defines = new List<string>();
string? outDir = null;
string? list = null;
var symbols = false;
uint? bootCpu = null;
var threads = 2;
var preprocessed = false;
var kernel = false;
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
        case "--kernel": kernel = true; break;
        default: list = args[i]; break;
    }
}
if (list is null || outDir is null)
{
    Console.Error.WriteLine("usage: dts-batch [--preprocessed] [--kernel] [-@] [-b N] [-j N] [-I DIR]... [-D X]... -o OUTDIR LIST");
    return 2;
}
Directory.CreateDirectory(outDir);
var jobs = File.ReadAllLines(list).Where(l => l.Length > 0).Select(l => l.Split('\t')).ToArray();
var cache = new SourceCache();
var failed = 0;
var sw = Stopwatch.StartNew();
Parallel.ForEach(jobs, new ParallelOptions { MaxDegreeOfParallelism = threads }, job =>
{
    var input = job[0];
    var output = job.Length > 1 ? job[1] : Path.Combine(outDir, Path.GetFileNameWithoutExtension(input) + ".dtb");
    var origin = job.Length > 2 ? job[2] : input;
    var dir = Path.GetDirectoryName(origin) is { Length: > 0 } d ? d : ".";
    var options = new DtsCompileOptions { Symbols = symbols, BootCpu = bootCpu, Preprocess = !preprocessed, PreprocessorCache = cache };
    if (kernel)
    {
        var parts = origin.Split('/');
        var arch = parts.Length > 2 && parts[0] == "arch" ? parts[1] : "arm64";
        options.IncludePaths.AddRange(["include", dir, $"arch/{arch}/boot/dts", "scripts/dtc/include-prefixes"]);
        options.IncludePaths.AddRange(includes);
    }
    else
    {
        options.IncludePaths.AddRange(includes);
        options.IncludePaths.Add(dir);
    }
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
