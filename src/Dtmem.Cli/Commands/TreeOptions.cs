using System.CommandLine;
using Dtmem.DeviceTree;
using Dtmem.DeviceTree.Dts;
using Dtmem.DeviceTree.Model;
using Dtmem.DeviceTree.Overlay;

namespace Dtmem.Cli;

/// <summary>The options every command that reads a tree shares: the input (DTS or DTB), cpp's -I/-D, and overlays.</summary>
internal sealed class TreeOptions
{
    public Argument<string> Input { get; } = new("input") { Description = "Board source (.dts) or blob (.dtb); the format is detected from the content" };

    public Option<string[]> Include { get; } = new("--include", "-I")
    {
        Description = "Add DIR to the #include and /include/ search path (cpp -I, dtc -i); repeatable",
        HelpName = "DIR",
    };

    public Option<string[]> Define { get; } = new("--define", "-D")
    {
        Description = "Define a preprocessor macro, NAME or NAME=VALUE (cpp -D); repeatable. __DTS__ is always defined, as the kernel's build does",
        HelpName = "NAME[=VAL]",
    };

    public Option<string[]>? Overlays { get; }

    /// <summary>Set when the tree is an optional input given by an option (diagnose --dt) rather than the argument.</summary>
    public Option<string?>? InputOption { get; }

    public TreeOptions(bool overlays, string? inputOption = null)
    {
        if (inputOption is not null)
            InputOption = new Option<string?>(inputOption) { Description = "The board's device tree (.dts or .dtb), run through the memory model", HelpName = "FILE" };
        if (overlays)
            Overlays = new Option<string[]>("--overlay")
            {
                Description = "Apply this overlay (.dtbo or /plugin/ .dts) on top of the tree, as fdtoverlay does; repeatable",
                HelpName = "FILE",
            };
    }

    public void AddTo(Command c)
    {
        if (InputOption is null) c.Arguments.Add(Input);
        else c.Options.Add(InputOption);
        c.Options.Add(Include);
        c.Options.Add(Define);
        if (Overlays is not null) c.Options.Add(Overlays);
    }

    public DtsCompileOptions CompileOptions(ParseResult r, bool symbols = false, uint? bootCpu = null)
    {
        var o = Limits.Apply(new DtsCompileOptions { Preprocess = true, Symbols = symbols, BootCpu = bootCpu });
        o.IncludePaths.AddRange(r.GetValue(Include) ?? []);
        o.Defines.AddRange(r.GetValue(Define) ?? []);
        return o;
    }

    /// <summary>Loads the input tree and applies the overlays in order. Warnings go to stderr, dtc-style.</summary>
    public DtTree Load(ParseResult r, bool symbols = false, uint? bootCpu = null) => LoadWithInput(r, symbols, bootCpu).Tree;

    /// <summary><see cref="Load"/>, also giving the input's bytes (read once: standard input cannot be read twice).</summary>
    public (DtTree Tree, byte[] Input) LoadWithInput(ParseResult r, bool symbols = false, uint? bootCpu = null)
    {
        var options = CompileOptions(r, symbols, bootCpu);
        var input = InputPath(r) ?? throw new CliException($"{InputOption?.Name} is needed here");
        var data = TreeLoader.Read(input, options.MaxFileBytes);
        var tree = TreeLoader.Load(data, input, options, Warn);
        if (Overlays is not null)
        {
            foreach (var ovl in r.GetValue(Overlays) ?? [])
            {
                // Overlay sources need fixups, which dtc emits for /plugin/ trees with -@.
                var ovlOptions = CompileOptions(r, symbols: true);
                OverlayApplier.Apply(tree, TreeLoader.Load(ovl, ovlOptions, Warn), ovl);
            }
        }
        return (tree, data);
    }

    /// <summary>The tree's path, from the argument or the option; null when the option was not given.</summary>
    public string? InputPath(ParseResult r) => InputOption is null ? r.GetValue(Input) : r.GetValue(InputOption);

    public static void Warn(SourceSpan at, string message) => Console.Error.WriteLine($"{at}: warning: {message}");
}
