using Dtmem.Diagnosis;
using System.CommandLine;
using Dtmem.Kernel.Placement;
using Dtmem.Layout.Checks;
using Dtmem.Layout.Model;
using Dtmem.Reports.Map;

namespace Dtmem.Cli;

/// <summary><c>map</c>: the physical memory map after boot, drawn in the terminal, as SVG or as an HTML report.</summary>
internal static partial class Commands
{
    /// <summary>The --svg and --html files that <c>map</c> and <c>check</c> write.</summary>
    internal sealed class MapOutputs
    {
        public Option<string?> Svg { get; } = new("--svg") { Description = "Also write the memory map as a standalone SVG file", HelpName = "FILE" };
        public Option<string?> Html { get; } = new("--html") { Description = "Also write a self-contained HTML report: the map (zoom, hover), the findings with fixes, the simulated events", HelpName = "FILE" };

        public void AddTo(Command c)
        {
            c.Options.Add(Svg);
            c.Options.Add(Html);
        }

        public bool Any(ParseResult r) => r.GetValue(Svg) is not null || r.GetValue(Html) is not null;

        public void Write(ParseResult r, KernelOptions kernel, BootResult boot, IReadOnlyList<Finding> findings) =>
            Write(r, () => MapModel.FromBoot(boot, findings, kernelSections: KernelSections(r, kernel, boot)));

        public void Write(ParseResult r, Func<MapModel> model)
        {
            if (!Any(r)) return;
            var m = model();
            if (r.GetValue(Svg) is { } svg) AtomicFile.WriteText(svg, SvgMap.ToString(m));
            if (r.GetValue(Html) is { } html) AtomicFile.WriteText(html, HtmlReport.ToString(m));
        }
    }

    private static Command Map()
    {
        var inputs = new BoardInputs();
        // Without a DT the map is drawn from boot evidence alone (a boot log, /proc/iomem, debugfs memblock).
        inputs.Tree.Input.Arity = ArgumentArity.ZeroOrOne;
        var evidence = new EvidenceOptions(report: false);
        var outputs = new MapOutputs();
        var severity = new Option<string[]>("--severity") { Description = "Override a check's severity: ID=error|warning|info|off; repeatable", HelpName = "ID=LEVEL" };
        var width = new Option<int?>("--width") { Description = "Terminal columns to fit the map in (default: the terminal's width, or 100)", HelpName = "N" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Do not print the terminal map (only write --svg/--html)" };
        var cmd = new Command("map", "Draw the physical memory map after boot: one lane per kind of owner (RAM, kernel, initrd/DTB, /memreserve/, no-map, reserved, CMA), overlaps in red");
        inputs.AddTo(cmd);
        evidence.AddTo(cmd);
        outputs.AddTo(cmd);
        cmd.Options.Add(severity);
        cmd.Options.Add(width);
        cmd.Options.Add(quiet);
        cmd.SetAction(r => Program.Guard(() =>
        {
            MapModel model;
            if (inputs.Tree.InputPath(r) is null)
            {
                if (!evidence.Any(r))
                    throw new CliException("map: error: map needs a board (.dts or .dtb) or boot evidence (--bootlog, --iomem, --memblock-memory, --memblock-reserved)");
                var report = Diagnoser.Run(new DiagnosisInputs { Boot = evidence.Read(r) });
                var first = r.GetValue(evidence.Bootlog)?.FirstOrDefault() ?? r.GetValue(evidence.Iomem)?.FirstOrDefault() ?? "boot evidence";
                model = MapModel.FromDiagnosis(report, first);
            }
            else
            {
                var (_, boot) = inputs.Run(r);
                var findings = CheckRegistry.Run(boot, SeverityOverrides(r.GetValue(severity) ?? []));
                model = MapModel.FromBoot(boot, findings, kernelSections: KernelSections(r, inputs.Kernel, boot));
            }
            outputs.Write(r, () => model);
            if (!r.GetValue(quiet))
            {
                var text = RenderText(w => TerminalMap.Write(w, model, TerminalOptions(r.GetValue(width))));
                Emit(null, System.Text.Encoding.UTF8.GetBytes(text));
            }
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    /// <summary>The kernel's text/rodata/init/data/bss at its simulated place, when --system-map or --vmlinux gives the symbols.</summary>
    private static IReadOnlyList<KernelSection> KernelSections(ParseResult r, KernelOptions kernel, BootResult boot)
    {
        if (boot.KernelImage is not { } owner) return [];
        var symbols = kernel.Symbols(r);
        if (symbols is null) return [];
        var image = new KernelImage
        {
            Start = new Fact<ulong>(owner.Range.Start, owner.Origin, owner.IsAssumed),
            End = new Fact<ulong>(owner.Range.End, owner.Origin, owner.IsAssumed),
        };
        return KernelPlacement.WithSections(image, symbols).Sections;
    }

    /// <summary>Colour only on a terminal without NO_COLOR (https://no-color.org); width from the terminal unless given.</summary>
    private static TerminalMapOptions TerminalOptions(int? width)
    {
        var tty = !Console.IsOutputRedirected;
        var color = tty && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"));
        var columns = width ?? (tty && Console.WindowWidth > 40 ? Console.WindowWidth : 100);
        if (columns < 60) throw new CliException($"--width: error: {columns} columns are too few; the map needs at least 60");
        return new TerminalMapOptions { Color = color, Width = columns };
    }
}
