using System.CommandLine;
using System.Text;
using Dtmem.DeviceTree;
using Dtmem.DeviceTree.Decompile;
using Dtmem.DeviceTree.Fdt;
using Dtmem.DeviceTree.Overlay;

namespace Dtmem.Cli;

/// <summary><c>compile</c>, <c>decompile</c> and <c>overlay</c>: the dtc/fdtoverlay side of dtmem.</summary>
internal static partial class Commands
{
    private static Command Compile()
    {
        var tree = new TreeOptions(overlays: true);
        var output = new Option<string?>("--out", "-o") { Description = "Write the result here (default: standard output)", HelpName = "FILE" };
        var format = new Option<string>("--out-format", "-O") { Description = "Output format: dtb or dts", DefaultValueFactory = _ => "dtb" };
        format.AcceptOnlyFromAmong("dtb", "dts");
        var symbols = new Option<bool>("--symbols", "-@") { Description = "Emit /__symbols__ (and fixups for /plugin/ sources), as dtc -@" };
        var bootCpu = new Option<uint?>("--boot-cpu", "-b") { Description = "Physical boot CPU id for the FDT header, as dtc -b", HelpName = "N" };
        var cmd = new Command("compile", "Compile a DTS (with the kernel's preprocessor built in) to a DTB, byte-identical to cpp + dtc");
        tree.AddTo(cmd);
        cmd.Options.Add(output);
        cmd.Options.Add(format);
        cmd.Options.Add(symbols);
        cmd.Options.Add(bootCpu);
        cmd.SetAction(r => Program.Guard(() =>
        {
            var t = tree.Load(r, r.GetValue(symbols), r.GetValue(bootCpu));
            var bytes = r.GetValue(format) == "dts"
                ? Encoding.UTF8.GetBytes(DtsWriter.Write(t))
                : FdtWriter.Write(t, new FdtWriteOptions { BootCpuId = r.GetValue(bootCpu) });
            Emit(r.GetValue(output), bytes);
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private static Command Decompile()
    {
        var tree = new TreeOptions(overlays: false);
        var output = new Option<string?>("--out", "-o") { Description = "Write the DTS here (default: standard output)", HelpName = "FILE" };
        var cmd = new Command("decompile", "Print a DTB (e.g. /sys/firmware/fdt) as DTS, exactly as dtc -I dtb -O dts does");
        tree.AddTo(cmd);
        cmd.Options.Add(output);
        cmd.SetAction(r => Program.Guard(() =>
        {
            Emit(r.GetValue(output), Encoding.UTF8.GetBytes(DtsWriter.Write(tree.Load(r))));
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private static Command Overlay()
    {
        var baseArg = new Argument<string>("base") { Description = "Base tree (.dtb or .dts)" };
        var overlays = new Argument<string[]>("overlays") { Description = "Overlays to apply in order (.dtbo or /plugin/ .dts)", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--out", "-o") { Description = "Write the merged DTB here", HelpName = "FILE", Required = true };
        var cmd = new Command("overlay", "Apply overlays onto a base tree, as fdtoverlay does") { baseArg, overlays, output };
        cmd.SetAction(r => Program.Guard(() =>
        {
            var blobs = new List<(string, byte[])>();
            var baseBlob = AsBlob(r.GetValue(baseArg)!, symbols: true);
            foreach (var o in r.GetValue(overlays) ?? []) blobs.Add((o, AsBlob(o, symbols: true)));
            Emit(r.GetValue(output), OverlayApplier.ApplyToBlob(baseBlob, r.GetValue(baseArg)!, blobs));
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    /// <summary>A DTB as is, or a DTS compiled to one (with symbols, so overlays can resolve against it).</summary>
    private static byte[] AsBlob(string path, bool symbols)
    {
        var data = ReadInput(path);
        if (TreeLoader.IsDtb(data)) return data;
        var o = Limits.Apply(new DeviceTree.Dts.DtsCompileOptions { Preprocess = true, Symbols = symbols });
        return FdtWriter.Write(TreeLoader.Load(data, path, o, TreeOptions.Warn));
    }

    private static byte[] ReadInput(string path) => TreeLoader.Read(path, Limits.Get("file-size"));

    /// <summary>Writes to a file atomically, or to standard output when no file is named.</summary>
    internal static void Emit(string? path, byte[] bytes)
    {
        if (path is null or "-")
        {
            using var stdout = Console.OpenStandardOutput();
            stdout.Write(bytes);
        }
        else
        {
            AtomicFile.Write(path, bytes);
        }
    }
}
