using System.CommandLine;
using Dtmem.Diagnosis;
using Dtmem.Diagnosis.Boot;
using Dtmem.Diagnosis.Esr;
using Dtmem.Diagnosis.Logs;
using Dtmem.Diagnosis.RootCause;
using Dtmem.Diagnosis.Translation;
using Dtmem.Kernel.Placement;
using Dtmem.Kernel.Versions;
using Dtmem.Reports.Diagnosis;
using Dtmem.Reports.Findings;

namespace Dtmem.Cli;

/// <summary><c>esr</c>, <c>diagnose</c> and <c>bootlog</c>: crash and boot-log diagnosis.</summary>
internal static partial class Commands
{
    /// <summary>Logs and dumps larger than this are refused rather than read whole (docs/limits.md).</summary>

    private static Command Esr()
    {
        var value = new Argument<string>("value") { Description = "The ESR as the kernel prints it, e.g. 0x9600004f (from 'Internal error: Oops: 9600004f' or 'ESR = 0x...')" };
        var cmd = new Command("esr", "Decode an arm64 ESR_ELx value into its fields: exception class, ISS fields, fault status and level") { value };
        cmd.SetAction(r => Program.Guard(() =>
        {
            var text = r.GetValue(value)!.Trim();
            // "Oops: 9600004f" prints the ESR in hex without a prefix; accept both forms.
            var hex = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text : "0x" + text;
            var esr = NumberArg.Parse("esr", hex);
            EsrText.Write(Console.Out, EsrDecoder.Decode(esr));
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    /// <summary>The evidence files diagnose, bootlog and map accept; <paramref name="report"/> adds the report options.</summary>
    private sealed class EvidenceOptions(bool report = true)
    {
        public Option<string[]> Iomem { get; } = new("--iomem") { Description = "A /proc/iomem dump (read as root; non-root readers see zeros); repeatable", HelpName = "FILE" };
        public Option<string[]> Bootlog { get; } = new("--bootlog") { Description = "A boot log (dmesg, ideally with memblock=debug); repeatable", HelpName = "FILE" };
        public Option<string?> MemblockMemory { get; } = new("--memblock-memory") { Description = "/sys/kernel/debug/memblock/memory", HelpName = "FILE" };
        public Option<string?> MemblockReserved { get; } = new("--memblock-reserved") { Description = "/sys/kernel/debug/memblock/reserved", HelpName = "FILE" };
        public Option<string> Format { get; } = new("--format") { Description = "Output format", DefaultValueFactory = _ => "text" };
        public Option<string?> Output { get; } = new("--out", "-o") { Description = "Write the report here (default: standard output)", HelpName = "FILE" };
        public MapOutputs Maps { get; } = new();

        public void AddTo(Command c)
        {
            foreach (var o in new Option[] { Iomem, Bootlog, MemblockMemory, MemblockReserved }) c.Options.Add(o);
            if (!report) return;
            Format.AcceptOnlyFromAmong("text", "json", "sarif");
            c.Options.Add(Format);
            c.Options.Add(Output);
            Maps.AddTo(c);
        }

        public bool Any(ParseResult r) =>
            (r.GetValue(Iomem) ?? []).Length + (r.GetValue(Bootlog) ?? []).Length > 0
            || r.GetValue(MemblockMemory) is not null || r.GetValue(MemblockReserved) is not null;

        public List<BootEvidence> Read(ParseResult r)
        {
            var list = new List<BootEvidence>();
            foreach (var f in r.GetValue(Iomem) ?? []) list.Add(IomemParser.Parse(ReadText(f), f, LineLength));
            foreach (var f in r.GetValue(Bootlog) ?? []) list.Add(BootLogParser.Parse(ReadText(f), f, LineLength));
            if (r.GetValue(MemblockMemory) is { } mm) list.Add(MemblockDebugfsParser.Parse(ReadText(mm), mm, reserved: false, LineLength));
            if (r.GetValue(MemblockReserved) is { } mr) list.Add(MemblockDebugfsParser.Parse(ReadText(mr), mr, reserved: true, LineLength));
            return list;
        }
    }

    private static Command Diagnose()
    {
        var log = new Argument<string>("log") { Description = "The console log with the oops, panic, BUG or WARNING (raw capture, dmesg, journalctl, kdb)" };
        var board = new BoardInputs(treeOption: "--dt");
        var evidence = new EvidenceOptions();
        var vaBits = new Option<int?>("--va-bits") { Description = "Override the kernel's VA size (default: the 'pgtable: 4k pages, 48-bit VAs' line)", HelpName = "N" };
        var pageOffset = new Option<string?>("--page-offset") { Description = "Override PAGE_OFFSET, the linear map's virtual base", HelpName = "ADDR" };
        var physOffset = new Option<string?>("--phys-offset") { Description = "Override PHYS_OFFSET (memstart_addr), the physical address the linear map starts at", HelpName = "ADDR" };
        var kimage = new Option<string?>("--kimage-voffset") { Description = "Override kimage_voffset (kernel image VA - PA)", HelpName = "ADDR" };
        var cmd = new Command("diagnose", "Explain a kernel crash: the fault, its ESR, the faulting physical address, the regions that hold it and the root cause, joined with the board's DT and boot evidence") { log };
        board.AddTo(cmd);
        evidence.AddTo(cmd);
        foreach (var o in new Option[] { vaBits, pageOffset, physOffset, kimage }) cmd.Options.Add(o);
        cmd.SetAction(r => Program.Guard(() =>
        {
            var logPath = r.GetValue(log)!;
            var logEvidence = LogEvidence.Parse(ReadText(logPath), logPath, LineLength);
            var boots = evidence.Read(r);
            var version = Diagnoser.VersionOf(logEvidence.Oopses.Count > 0 ? logEvidence.Oopses[0] : null, [logEvidence.Boot, .. boots]);
            Layout.Model.BootResult? model = null;
            if (board.Tree.InputPath(r) is not null)
                model = board.Run(r, version, PlacementFromIomem([logEvidence.Boot, .. boots], version)).Boot;
            var overrides = new TranslationOverrides
            {
                VaBits = r.GetValue(vaBits) is { } vb and (< 32 or > 52) ? throw new CliException($"--va-bits: error: {vb} is not an arm64 VA size; arm64 kernels use 36 to 52 bits (the 'pgtable: 4k pages, 48-bit VAs' line)") : r.GetValue(vaBits),
                PageOffset = r.GetValue(pageOffset) is { } po ? NumberArg.Parse("--page-offset", po) : null,
                PhysOffset = r.GetValue(physOffset) is { } ph ? NumberArg.Parse("--phys-offset", ph) : null,
                KimageVoffset = r.GetValue(kimage) is { } kv ? NumberArg.Parse("--kimage-voffset", kv) : null,
            };
            var report = Diagnoser.Run(new DiagnosisInputs
            {
                Log = logEvidence,
                Boot = boots,
                Model = model,
                Version = ExplicitVersion(r, board) ?? version,
                KernelTextVirt = board.Kernel.TextVirtual(r),
                Overrides = overrides,
            });
            Write(r, evidence, logPath, w => DiagnosisText.Write(w, report, logPath), report);
            return report.Findings.Any(f => f.ExplainsFault || f.Confidence == Confidence.High) ? ExitCodes.Findings : ExitCodes.Ok;
        }));
        return cmd;
    }

    private static Command Bootlog()
    {
        var file = new Argument<string>("file") { Description = "A boot log (dmesg, ideally with memblock=debug) or a /proc/iomem dump" };
        var evidence = new EvidenceOptions();
        var cmd = new Command("bootlog", "Rebuild the physical memory layout from a boot log or /proc/iomem alone and report what overlaps") { file };
        evidence.AddTo(cmd);
        cmd.SetAction(r => Program.Guard(() =>
        {
            var path = r.GetValue(file)!;
            var main = LogEvidence.Parse(ReadText(path), path, LineLength);
            var report = Diagnoser.Run(new DiagnosisInputs { Log = main with { Oopses = [] }, Boot = evidence.Read(r) });
            Write(r, evidence, path, w => BootLayoutText.Write(w, report, path), report);
            return report.Findings.Any(f => f.Confidence == Confidence.High) ? ExitCodes.Findings : ExitCodes.Ok;
        }));
        return cmd;
    }

    private static void Write(ParseResult r, EvidenceOptions o, string input, Action<TextWriter> text, DiagnosisReport report)
    {
        var ctx = new ReportContext { Input = input };
        var body = r.GetValue(o.Format) switch
        {
            "json" => DiagnosisJson.ToString(report, ctx),
            "sarif" => DiagnosisSarif.ToString(report, ctx),
            _ => RenderText(text),
        };
        o.Maps.Write(r, () => Reports.Map.MapModel.FromDiagnosis(report, input));
        Emit(r.GetValue(o.Output), System.Text.Encoding.UTF8.GetBytes(body));
    }

    private static Fact<KernelVersion>? ExplicitVersion(ParseResult r, BoardInputs board) =>
        r.GetValue(board.Kernel.Version) is { } v ? Fact<KernelVersion>.Known(KernelVersion.Parse(v, "--kernel-version"), "--kernel-version") : null;

    /// <summary>The booted kernel's place from iomem `Kernel code`/`Kernel data`, for the DT model when no option places it.</summary>
    private static KernelImage? PlacementFromIomem(IReadOnlyList<BootEvidence> boots, Fact<KernelVersion>? version)
    {
        foreach (var b in boots)
        {
            var code = b.Ranges.FirstOrDefault(x => x.Kind == BootRangeKind.Iomem && x.Name == "Kernel code");
            var data = b.Ranges.FirstOrDefault(x => x.Kind == BootRangeKind.Iomem && x.Name == "Kernel data");
            if (code is null || data is null) continue;
            return KernelPlacement.FromIomem(code.Range.Start, code.Range.EndInclusive, data.Range.Start, data.Range.EndInclusive,
                $"{code.Source.File}:{code.Source.Line}", version);
        }
        return null;
    }

    private static int LineLength => (int)Limits.Get("line-length");

    /// <summary>A text input read whole, refusing devices and files over the limit (an endless /dev/zero must not hang us).</summary>
    private static string ReadText(string path)
    {
        if (Directory.Exists(path)) throw new CliException($"{path}: error: is a folder; pass the log file inside it");
        try
        {
            var max = Limits.Get("log-size");
            return Dtmem.Io.BoundedFile.ReadText(path, max)
                ?? throw new CliException($"{path}: error: larger than {Dtmem.Io.BoundedFile.Describe(max)}, the 'log-size' limit; cut the log to the boot and the crash, or raise it with --limit log-size=N");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"{path}: error: cannot read: {Dtmem.Io.BoundedFile.Reason(path, e)}");
        }
    }
}
