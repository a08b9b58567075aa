using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using Dtmem.DeviceTree;
using Dtmem.DeviceTree.Decompile;
using Dtmem.DeviceTree.Dts;
using Dtmem.DeviceTree.Fdt;
using Dtmem.DeviceTree.Model;
using Dtmem.DeviceTree.Overlay;
using Dtmem.DeviceTree.Preprocessing;
using Dtmem.Diagnosis;
using Dtmem.Diagnosis.Boot;
using Dtmem.Diagnosis.Esr;
using Dtmem.Diagnosis.Logs;
using Dtmem.Diagnosis.Oops;
using Dtmem.Kernel.Config;
using Dtmem.Kernel.Elf;
using Dtmem.Kernel.Cmdline;
using Dtmem.Kernel.Image;
using Dtmem.Kernel.Symbols;
using Dtmem.Kernel.Versions;
using Dtmem.Layout.Checks;
using Dtmem.Layout.Inputs;
using Dtmem.Layout.Model;
using Dtmem.Reports;
using Dtmem.Reports.Diagnosis;
using Dtmem.Reports.Findings;
using Dtmem.Reports.Map;

namespace Dtmem.Cli.Tests.Fuzz;

/// <summary>
/// Every parser entry point that reads untrusted bytes, by name. Shared (as a linked source file) by the fuzz
/// harness in fuzz/Dtmem.Fuzz and by the regression replay test, so both run exactly the same code.
/// </summary>
public static class FuzzTargets
{
    /// <summary>A fuzz target: the entry point and the exception type that counts as a located input error.</summary>
    public sealed record Target(string Name, Action<byte[]> Run, Type? LocatedError);

    private const string DtsName = "/nonexistent-fuzz-dir/input.dts";

    // A tiny base tree with a label and phandle so overlays can resolve fixups against it.
    private static readonly Lazy<byte[]> OverlayBase = new(() => FdtWriter.Write(DtsCompiler.CompileText(
        "/dts-v1/;\n/ { #address-cells = <2>; #size-cells = <2>;\n"
        + " uart: serial@1000 { compatible = \"ns16550a\"; reg = <0 0x1000 0 0x100>; status = \"disabled\"; };\n"
        + " reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges; };\n};\n",
        "base.dts", new DtsCompileOptions { Symbols = true })));

    private static string Text(byte[] b) => Encoding.UTF8.GetString(b);

    public static IReadOnlyList<Target> All { get; } =
    [
        // Device tree layer: DtException is the only acceptable failure.
        new("cpp", b => new Preprocessor(new PreprocessorOptions()).RunText(Text(b), DtsName), typeof(DtException)),
        new("dts", b => DtsCompiler.CompileText(Text(b), DtsName, new DtsCompileOptions()), typeof(DtException)),
        new("dts-cpp", b => DtsCompiler.CompileText(Text(b), DtsName, new DtsCompileOptions { Preprocess = true }), typeof(DtException)),
        new("dtb", b => FdtReader.ReadTree(b, "input.dtb"), typeof(DtException)),
        new("overlay", b => OverlayApplier.ApplyToBlob(OverlayBase.Value, "base.dtb", [("input.dtbo", b)]), typeof(DtException)),
        new("loader", b => TreeLoader.Load(b, DtsName), typeof(DtException)),
        new("overlay-apply", ApplyPair, typeof(DtException)),
        new("decompile", b => DtsWriter.Write(FdtReader.ReadTree(b, "input.dtb")), typeof(DtException)),
        // What `dtmem check --svg` does with a blob: only reading it may fail (located); the memory model, the checks
        // and the reports have no input error of their own, so any exception past the reader is a bug.
        new("model", RunModel, typeof(DtException)),
        // Diagnosis layer: it has no error type; any exception is a bug.
        new("log-evidence", b => LogEvidence.Parse(Text(b), "input.log"), null),
        new("oops", b => OopsParser.Parse(Text(b), "input.log"), null),
        new("bootlog", b => BootLogParser.Parse(Text(b), "input.log"), null),
        new("iomem", b => IomemParser.Parse(Text(b), "iomem"), null),
        new("memblock", b => MemblockDebugfsParser.Parse(Text(b), "memblock/reserved", b.Length > 0 && (b[0] & 1) == 1), null),
        // What `dtmem diagnose crash.log --bootlog crash.log --iomem crash.log --svg` does with one text: every parser,
        // the translation, attribution and root-cause rules, and every report of the diagnosis.
        new("diagnose", RunDiagnose, null),
        new("esr", b => EsrDecoder.Decode(b.Length >= 8 ? BinaryPrimitives.ReadUInt64LittleEndian(b) : 0), null),
        // Kernel layer: KernelInputException.
        new("image", b => KernelImageFile.Parse(b, "Image"), typeof(Dtmem.Kernel.KernelInputException)),
        new("image-header", b => ImageHeader.Parse(b, "Image"), typeof(Dtmem.Kernel.KernelInputException)),
        new("kconfig", b => KconfigFile.Parse(Text(b), ".config"), typeof(Dtmem.Kernel.KernelInputException)),
        new("system-map", b => SystemMap.Parse(Text(b), "System.map"), typeof(Dtmem.Kernel.KernelInputException)),
        new("cmdline", b => KernelCommandLine.Parse(Text(b), "bootargs"), typeof(Dtmem.Kernel.KernelInputException)),
        new("version", b => KernelVersion.Parse(Text(b), "version"), typeof(Dtmem.Kernel.KernelInputException)),
        new("vmlinux", ReadVmlinux, typeof(Dtmem.Kernel.KernelInputException)),
    ];

    /// <summary>
    /// Tree-level overlay application with both sides fuzzed: a big-endian 16-bit length, that many bytes of base DTB,
    /// the rest the overlay DTB. The merged tree is then written back out, as <c>dtmem overlay</c> does.
    /// </summary>
    private static void ApplyPair(byte[] b)
    {
        var n = b.Length < 2 ? 0 : Math.Min((b[0] << 8) | b[1], b.Length - 2);
        var rest = b.AsSpan(Math.Min(2, b.Length));
        var baseTree = FdtReader.ReadTree(rest[..n], "base.dtb");
        OverlayApplier.Apply(baseTree, FdtReader.ReadTree(rest[n..], "input.dtbo"), "input.dtbo");
        FdtWriter.Write(baseTree);
    }

    private const ulong MiB = 1 << 20;

    // Three kernels the model treats differently (5.4, 6.1 and 6.12 families; a known and an unknown placement).
    // Lazy: instrumented code must not run before the fuzzer has set up its coverage map (e.g. for --list).
    private static readonly Lazy<KernelFacts[]> ModelKernels = new(() =>
    [
        Kernel("5.4.74", 0x10080000, 24 * MiB),
        Kernel("6.1.0", 0x40200000, 0x2010000),
        Kernel("6.12.38", null, null),
    ]);

    private static KernelFacts Kernel(string version, ulong? text, ulong? size) => new()
    {
        Version = Dtmem.Kernel.Fact<Version>.Known(Version.Parse(version), "fuzz"),
        TextAddress = text is { } t ? Dtmem.Kernel.Fact<ulong>.Known(t, "fuzz") : null,
        ImageSize = size is { } z ? Dtmem.Kernel.Fact<ulong>.Known(z, "fuzz") : null,
    };

    private static void RunModel(byte[] b)
    {
        var tree = FdtReader.ReadTree(b, "input.dtb");
        var boot = BootSimulator.Run(LayoutInputReader.FromTree(tree, ModelKernels.Value[b.Length % ModelKernels.Value.Length]));
        var findings = CheckRegistry.Run(boot);
        var ctx = new ReportContext { Input = "input.dtb", Assumptions = boot.Assumptions };
        TextFindings.Write(TextWriter.Null, findings, ctx);
        JsonFindings.ToString(findings, ctx);
        SarifFindings.ToString(findings, ctx);
        var map = MapModel.FromBoot(boot, findings, baseDirectory: "/");
        TerminalMap.Write(TextWriter.Null, map);
        SvgMap.ToString(map);
    }

    private static void RunDiagnose(byte[] b)
    {
        var text = Text(b);
        var report = Diagnoser.Run(new DiagnosisInputs
        {
            Log = LogEvidence.Parse(text, "crash.log"),
            Boot = [BootLogParser.Parse(text, "crash.log"), IomemParser.Parse(text, "crash.log")],
        });
        var ctx = new ReportContext { Input = "crash.log" };
        DiagnosisText.Write(TextWriter.Null, report, "crash.log");
        BootLayoutText.Write(TextWriter.Null, report, "crash.log");
        DiagnosisJson.ToString(report, ctx);
        DiagnosisSarif.ToString(report, ctx);
        var map = MapModel.FromDiagnosis(report, "crash.log");
        TerminalMap.Write(TextWriter.Null, map);
        SvgMap.ToString(map);
    }

    /// <summary>VmlinuxFile reads a path (ELFSharp streams the file), so the input goes through a per-process file.</summary>
    private static void ReadVmlinux(byte[] b)
    {
        var path = Path.Combine(Path.GetTempPath(), $"dtmem-fuzz-{Environment.ProcessId}.vmlinux");
        File.WriteAllBytes(path, b);
        try { VmlinuxFile.Read(path); }
        finally { File.Delete(path); }
    }

    public static Target Get(string name) =>
        All.FirstOrDefault(t => t.Name == name) ?? throw new ArgumentException($"unknown fuzz target '{name}'; targets: {string.Join(' ', All.Select(t => t.Name))}");

    /// <summary>Allocation allowed for one input: 64 bytes per input byte plus 64 MiB.</summary>
    public static long AllocationBudget(int inputLength) => 64L * inputLength + (64L << 20);

    /// <summary>Time allowed for one (warm) input: 1 s per MB, at least 1 s.</summary>
    public static TimeSpan TimeBudget(int inputLength) => TimeSpan.FromSeconds(Math.Max(1.0, inputLength / 1e6));

    public enum Outcome { Accepted, LocatedError, Crash, OverBudget }

    public sealed record Verdict(Outcome Outcome, Exception? Error, long Allocated, TimeSpan Elapsed);

    /// <summary>Runs one input and classifies the result. Never throws for the target's own exceptions.</summary>
    public static Verdict Judge(Target target, byte[] input)
    {
        // Per-thread counts: the targets are synchronous, and xunit runs other tests in parallel in this process, whose
        // allocations a process-wide count would charge to this input.
        var before = GC.GetAllocatedBytesForCurrentThread();
        var sw = Stopwatch.StartNew();
        Exception? error = null;
        try { target.Run(input); }
        catch (Exception e) { error = e; }
        sw.Stop();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        var outcome = error is null ? Outcome.Accepted
            : target.LocatedError is { } t && error.GetType() == t ? Outcome.LocatedError
            : Outcome.Crash;
        if (outcome != Outcome.Crash && (allocated > AllocationBudget(input.Length) || sw.Elapsed > TimeBudget(input.Length)))
            outcome = Outcome.OverBudget;
        return new Verdict(outcome, error, allocated, sw.Elapsed);
    }
}
