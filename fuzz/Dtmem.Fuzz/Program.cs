using System.Runtime.ExceptionServices;
using Dtmem.Cli.Tests.Fuzz;
using SharpFuzz;

// dtmem fuzz harness.
//   Dtmem.Fuzz --list                       target names
//   Dtmem.Fuzz TARGET                       AFL mode (run under afl-fuzz; input on stdin/file per AFL)
//   Dtmem.Fuzz TARGET --replay PATH...      classify files (or every file in directories); exit 1 on any bug
if (args.Length == 0 || args[0] == "--list")
{
    foreach (var t in FuzzTargets.All) Console.WriteLine(t.Name);
    return 0;
}

var target = FuzzTargets.Get(args[0]);

if (args.Length > 1 && args[1] == "--replay")
{
    var files = args.Skip(2).SelectMany(p => Directory.Exists(p) ? Directory.GetFiles(p, "*", SearchOption.AllDirectories) : [p]).Order();
    var bugs = 0;
    FuzzTargets.Judge(target, []); // JIT warm-up, so the first file's time is its own
    foreach (var f in files)
    {
        var v = FuzzTargets.Judge(target, File.ReadAllBytes(f));
        var bug = v.Outcome is FuzzTargets.Outcome.Crash or FuzzTargets.Outcome.OverBudget;
        if (bug) bugs++;
        Console.WriteLine($"{v.Outcome,-12} {v.Elapsed.TotalMilliseconds,8:F1} ms {v.Allocated / 1024,9} KiB  {f}"
            + (v.Error is { } e ? $"  {e.GetType().Name}: {FirstLine(e.Message)}" : ""));
        if (bug && v.Error is { } err && Environment.GetEnvironmentVariable("FUZZ_TRACE") == "1") Console.WriteLine(err);
    }
    return bugs == 0 ? 0 : 1;
}

// AFL mode: an exception escaping the action is reported to afl-fuzz as a crash. Time is policed by afl-fuzz -t.
Fuzzer.Run(stream =>
{
    using var ms = new MemoryStream();
    stream.CopyTo(ms);
    var v = FuzzTargets.Judge(target, ms.ToArray());
    if (v.Outcome == FuzzTargets.Outcome.Crash) ExceptionDispatchInfo.Throw(v.Error!);
    if (v.Allocated > FuzzTargets.AllocationBudget((int)ms.Length))
        throw new OverBudgetException($"allocated {v.Allocated} bytes, budget {FuzzTargets.AllocationBudget((int)ms.Length)}");
});
return 0;

static string FirstLine(string s) => s.Split('\n')[0];

/// <summary>Raised in AFL mode so an input that allocates beyond the budget is kept as a crash.</summary>
internal sealed class OverBudgetException(string message) : Exception(message);
