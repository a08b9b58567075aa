using System.CommandLine;
using Dtmem.DeviceTree.Model;
using Dtmem.Layout.Checks;
using Dtmem.Layout.Inputs;
using Dtmem.Layout.Model;
using Dtmem.Reports.Findings;

namespace Dtmem.Cli;

/// <summary><c>check</c> and <c>simulate</c>: the memory model run over a board.</summary>
internal static partial class Commands
{
    /// <summary>The inputs that <c>check</c>, <c>simulate</c> and <c>map</c> share, and the boot they produce.</summary>
    internal sealed class BoardInputs
    {
        public BoardInputs(string? treeOption = null) => Tree = new(overlays: true, treeOption);

        public TreeOptions Tree { get; }
        public KernelOptions Kernel { get; } = new();

        public void AddTo(Command c)
        {
            Tree.AddTo(c);
            Kernel.AddTo(c);
        }

        public (DtTree Tree, BootResult Boot) Run(ParseResult r, Fact<Kernel.Versions.KernelVersion>? fallbackVersion = null, Kernel.Placement.KernelImage? fallbackPlacement = null)
        {
            var (tree, data) = Tree.LoadWithInput(r);
            ulong? dtbSize = DeviceTree.TreeLoader.IsDtb(data) ? (ulong)data.Length : null;
            var layout = LayoutInputReader.FromTree(tree, Kernel.Facts(r, Kernel.FirstBank(r), fallbackVersion, fallbackPlacement), Kernel.Overrides(r, dtbSize));
            return (tree, BootSimulator.Run(layout));
        }
    }

    private static Command Check()
    {
        var inputs = new BoardInputs();
        var maps = new MapOutputs();
        var format = new Option<string>("--format") { Description = "Output format", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json", "sarif");
        var failOn = new Option<string>("--fail-on") { Description = "Exit 1 when a finding reaches this severity", DefaultValueFactory = _ => "error" };
        failOn.AcceptOnlyFromAmong("error", "warning", "info", "never");
        var output = new Option<string?>("--out", "-o") { Description = "Write the report here (default: standard output)", HelpName = "FILE" };
        var severity = new Option<string[]>("--severity") { Description = "Override a check's severity: ID=error|warning|info|off (e.g. DTM013=off); repeatable", HelpName = "ID=LEVEL" };
        var cmd = new Command("check", "Simulate the kernel's early memory setup for a board and report layouts that will fail or corrupt memory");
        inputs.AddTo(cmd);
        maps.AddTo(cmd);
        cmd.Options.Add(format);
        cmd.Options.Add(failOn);
        cmd.Options.Add(output);
        cmd.Options.Add(severity);
        cmd.SetAction(r => Program.Guard(() =>
        {
            var (_, boot) = inputs.Run(r);
            var findings = CheckRegistry.Run(boot, SeverityOverrides(r.GetValue(severity) ?? []));
            var ctx = Context(r.GetValue(inputs.Tree.Input)!, boot);
            var text = r.GetValue(format) switch
            {
                "json" => JsonFindings.ToString(findings, ctx),
                "sarif" => SarifFindings.ToString(findings, ctx),
                _ => RenderText(w => TextFindings.Write(w, findings, ctx)),
            };
            Emit(r.GetValue(output), System.Text.Encoding.UTF8.GetBytes(text));
            maps.Write(r, inputs.Kernel, boot, findings);
            return Fails(findings, r.GetValue(failOn)!) ? ExitCodes.Findings : ExitCodes.Ok;
        }));
        return cmd;
    }

    private static Command Simulate()
    {
        var inputs = new BoardInputs();
        var format = new Option<string>("--format") { Description = "Output format", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");
        var all = new Option<bool>("--debug-lines") { Description = "Also print the memblock=debug and pr_debug lines the kernel prints only when asked" };
        var output = new Option<string?>("--out", "-o") { Description = "Write the result here (default: standard output)", HelpName = "FILE" };
        var cmd = new Command("simulate", "Replay the kernel's early boot for a board: the log lines it would print (like a memblock=debug log) and the final owner of every range");
        inputs.AddTo(cmd);
        cmd.Options.Add(format);
        cmd.Options.Add(all);
        cmd.Options.Add(output);
        cmd.SetAction(r => Program.Guard(() =>
        {
            var (_, boot) = inputs.Run(r);
            var text = r.GetValue(format) == "json"
                ? Reports.Simulation.SimulationJson.ToString(boot)
                : RenderText(w => Reports.Simulation.SimulationText.Write(w, boot, r.GetValue(all)));
            Emit(r.GetValue(output), System.Text.Encoding.UTF8.GetBytes(text));
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private static ReportContext Context(string input, BootResult boot) => new()
    {
        Input = input,
        Assumptions = boot.Assumptions,
    };

    private static bool Fails(IReadOnlyList<Finding> findings, string failOn) => failOn switch
    {
        "never" => false,
        "info" => findings.Count > 0,
        "warning" => findings.Any(f => f.Severity >= Severity.Warning),
        _ => findings.Any(f => f.Severity == Severity.Error),
    };

    private static Dictionary<string, Severity?> SeverityOverrides(string[] specs)
    {
        var map = new Dictionary<string, Severity?>(StringComparer.OrdinalIgnoreCase);
        foreach (var s in specs)
        {
            var eq = s.IndexOf('=');
            var id = eq > 0 ? s[..eq] : "";
            if (eq <= 0 || CheckRegistry.Find(id) is null)
                throw new CliException($"--severity {s}: expected ID=LEVEL with a known check ID or name (see docs/checks/)");
            map[id] = s[(eq + 1)..].ToLowerInvariant() switch
            {
                "error" => Severity.Error,
                "warning" => Severity.Warning,
                "info" or "note" => Severity.Info,
                "off" => null,
                _ => throw new CliException($"--severity {s}: the level must be error, warning, info or off"),
            };
        }
        return map;
    }

    private static string RenderText(Action<TextWriter> body)
    {
        using var sw = new StringWriter();
        body(sw);
        return sw.ToString();
    }
}
