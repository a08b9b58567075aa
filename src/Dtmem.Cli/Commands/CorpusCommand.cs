using System.Collections.Concurrent;
using System.CommandLine;
using System.Text.Json;
using Dtmem.DeviceTree;
using Dtmem.DeviceTree.Dts;
using Dtmem.DeviceTree.Model;
using Dtmem.DeviceTree.Preprocessing;
using Dtmem.Layout.Checks;
using Dtmem.Layout.Inputs;
using Dtmem.Layout.Model;
using Dtmem.Reports.Findings;

namespace Dtmem.Cli;

/// <summary><c>corpus</c>: every board of a kernel tree, compiled the kernel's way and checked, in one process.</summary>
internal static partial class Commands
{
    private sealed record BoardOutcome(string Board, IReadOnlyList<Finding> Findings, string? Error);

    private static Command Corpus()
    {
        var tree = new Argument<string>("kernel-tree") { Description = "An unpacked kernel source tree (its arch/*/boot/dts, include/ and scripts/dtc/include-prefixes are used)" };
        var arches = new Option<string>("--arch") { Description = "Comma-separated architectures to cover", DefaultValueFactory = _ => "arm64,arm,riscv" };
        var version = new Option<string?>("--kernel-version") { Description = "Kernel version to model (default: the tree's Makefile)", HelpName = "VER" };
        var format = new Option<string>("--format") { Description = "Output format", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");
        var jobs = new Option<int>("--jobs", "-j") { Description = "Boards checked in parallel", DefaultValueFactory = _ => Environment.ProcessorCount };
        var output = new Option<string?>("--out", "-o") { Description = "Write the report here (default: standard output)", HelpName = "FILE" };
        var cmd = new Command("corpus", "Compile and check every board of a kernel source tree; print findings per check ID and the boards with errors")
        {
            tree, arches, version, format, jobs, output,
        };
        cmd.SetAction(r => Program.Guard(() =>
        {
            var root = Path.GetFullPath(r.GetValue(tree)!);
            if (!Directory.Exists(Path.Combine(root, "include", "dt-bindings")))
                throw new CliException($"{root}: not a kernel source tree (no include/dt-bindings); unpack linux-source first");
            var kernel = new KernelFacts { Version = TreeVersion(root, r.GetValue(version)) };
            var boards = new List<(string Arch, string Path)>();
            foreach (var arch in r.GetValue(arches)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var dir = Path.Combine(root, "arch", arch, "boot", "dts");
                if (!Directory.Exists(dir)) throw new CliException($"--arch {arch}: {dir} does not exist");
                boards.AddRange(Directory.EnumerateFiles(dir, "*.dts", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(p => (arch, p)));
            }

            var cache = new SourceCache();
            var results = new ConcurrentBag<BoardOutcome>();
            Parallel.ForEach(boards, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, r.GetValue(jobs)) }, b =>
            {
                var rel = Path.GetRelativePath(root, b.Path);
                var pp = PreprocessorOptions.KernelDefaults(b.Path, root, b.Arch);
                var options = new DtsCompileOptions { Preprocess = true, PreprocessorCache = cache };
                options.IncludePaths.AddRange(pp.IncludePaths);
                try
                {
                    var t = TreeLoader.Load(b.Path, options);
                    var boot = BootSimulator.Run(LayoutInputReader.FromTree(t, kernel));
                    results.Add(new BoardOutcome(rel, CheckRegistry.Run(boot), null));
                }
                catch (DtException e)
                {
                    results.Add(new BoardOutcome(rel, [], e.ToString()));
                }
            });

            var ordered = results.OrderBy(x => x.Board, StringComparer.Ordinal).ToList();
            var text = r.GetValue(format) == "json" ? CorpusJson(ordered, kernel, root) : CorpusText(ordered, kernel);
            Emit(r.GetValue(output), System.Text.Encoding.UTF8.GetBytes(text));
            return ordered.Any(o => o.Findings.Any(f => f.Severity == Severity.Error)) ? ExitCodes.Findings : ExitCodes.Ok;
        }));
        return cmd;
    }

    private static Fact<Version> TreeVersion(string root, string? option)
    {
        if (option is not null) return Fact<Version>.Known(KernelOptions.ParseVersion(option), "--kernel-version");
        var makefile = Path.Combine(root, "Makefile");
        int? Field(string name) => File.Exists(makefile)
            ? File.ReadLines(makefile).Take(10).Where(l => l.StartsWith(name + " =", StringComparison.Ordinal))
                .Select(l => int.TryParse(l[(name.Length + 2)..].Trim(), out var n) ? n : (int?)null).FirstOrDefault()
            : null;
        if (Field("VERSION") is { } v && Field("PATCHLEVEL") is { } p)
            return Fact<Version>.Known(new Version(v, p, Field("SUBLEVEL") ?? 0), $"{makefile}");
        throw new CliException($"{makefile}: no VERSION/PATCHLEVEL lines; pass --kernel-version");
    }

    private static IEnumerable<(string Id, string Name, Severity Severity, int Findings, int Boards)> PerCheck(IReadOnlyList<BoardOutcome> outcomes) =>
        outcomes.SelectMany(o => o.Findings.Select(f => (o.Board, f)))
            .GroupBy(x => (x.f.Id, x.f.Name, x.f.Severity))
            .OrderBy(g => g.Key.Id, StringComparer.Ordinal).ThenByDescending(g => g.Key.Severity)
            .Select(g => (g.Key.Id, g.Key.Name, g.Key.Severity, g.Count(), g.Select(x => x.Board).Distinct().Count()));

    private static string CorpusText(IReadOnlyList<BoardOutcome> outcomes, KernelFacts kernel)
    {
        using var w = new StringWriter();
        var failed = outcomes.Where(o => o.Error is not null).ToList();
        w.WriteLine($"dtmem corpus: {outcomes.Count} boards, {outcomes.Count - failed.Count} checked, {failed.Count} failed to compile; Linux {kernel.Version.Value} ({kernel.Version.Origin})");
        w.WriteLine();
        w.WriteLine($"{"check",-7} {"name",-36} {"severity",-8} {"findings",8} {"boards",7}");
        foreach (var (id, name, sev, findings, boards) in PerCheck(outcomes))
            w.WriteLine($"{id,-7} {name,-36} {TextFindings.Word(sev),-8} {findings,8} {boards,7}");
        var errors = outcomes.Where(o => o.Findings.Any(f => f.Severity == Severity.Error)).ToList();
        w.WriteLine();
        w.WriteLine($"Boards with error-level findings: {errors.Count}");
        foreach (var o in errors)
            foreach (var f in o.Findings.Where(f => f.Severity == Severity.Error))
                w.WriteLine($"  {o.Board}: {f.Id} {f.Name}: {f.Message}");
        if (failed.Count > 0)
        {
            w.WriteLine();
            w.WriteLine($"Boards that failed to compile: {failed.Count}");
            foreach (var o in failed) w.WriteLine($"  {o.Board}: {o.Error}");
        }
        return w.ToString();
    }

    private static string CorpusJson(IReadOnlyList<BoardOutcome> outcomes, KernelFacts kernel, string root) => JsonText.Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("schema", "dtmem-corpus/1");
        w.WriteString("kernelVersion", kernel.Version.Value.ToString());
        w.WriteNumber("boards", outcomes.Count);
        w.WriteStartArray("perCheck");
        foreach (var (id, name, sev, findings, boards) in PerCheck(outcomes))
        {
            w.WriteStartObject();
            w.WriteString("id", id);
            w.WriteString("name", name);
            w.WriteString("severity", TextFindings.Word(sev));
            w.WriteNumber("findings", findings);
            w.WriteNumber("boards", boards);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("results");
        foreach (var o in outcomes.Where(o => o.Findings.Count > 0 || o.Error is not null))
        {
            w.WriteStartObject();
            w.WriteString("board", o.Board);
            if (o.Error is { } e) w.WriteString("error", e);
            w.WriteStartArray("findings");
            foreach (var f in o.Findings)
            {
                w.WriteStartObject();
                w.WriteString("id", f.Id);
                w.WriteString("severity", TextFindings.Word(f.Severity));
                w.WriteString("message", f.Message);
                if (f.Span is { } s) { w.WritePropertyName("location"); JsonFindings.WriteSpan(w, s, root); }
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    });
}
