using System.CommandLine;
using Dtmem.DeviceTree.Dts;

namespace Dtmem.Cli;

/// <summary>
/// <c>--limit NAME=N</c>: the resource limits against hostile input (docs/limits.md) that a user may raise for an input
/// that really is that large. A recursive option of the root command, read once per run.
/// </summary>
internal static class Limits
{
    // Max: the highest value accepted. Nesting is parsed recursively, so the depth limits stop well short of the stack.
    private sealed record Limit(string Name, long Default, long Max, string What);

    // Defaults come from the layers that enforce them; only the log file size is the CLI's own.
    private static readonly DtsCompileOptions Dt = new();

    private static readonly Limit[] Table =
    [
        new("file-size", Dt.MaxFileBytes, Array.MaxLength - 1L, "bytes of one device-tree input, /include/d or #included file"),
        new("include-depth", Dt.MaxIncludeDepth, 1000, "nesting of #include and /include/"),
        new("expansion-tokens", Dt.MaxExpansionTokens, long.MaxValue, "tokens macro expansion may produce in one run"),
        new("node-depth", Dt.MaxDepth, 4096, "node nesting in DTS"),
        new("nodes", Dt.MaxNodes, int.MaxValue, "node definitions in one DTS"),
        new("property-size", Dt.MaxPropertySize, int.MaxValue, "bytes of one property value"),
        new("log-size", 64 << 20, Array.MaxLength - 1L, "bytes of one log, /proc/iomem or debugfs file"),
        new("line-length", Dtmem.Diagnosis.Logs.LogReader.DefaultMaxLineLength, 1 << 30, "characters of one log line read (the rest is cut)"),
    ];

    public static Option<string[]> Option { get; } = new("--limit")
    {
        Description = "Raise a resource limit for an input that really is this large, NAME=N (K/M/G suffixes): "
            + string.Join("; ", Table.Select(l => $"{l.Name}: {l.What} (default {l.Default:#,0})")) + ". Repeatable; see docs/limits.md",
        HelpName = "NAME=N",
        Recursive = true,
    };

    private static Dictionary<string, long> _values = [];

    /// <summary>Reads the option; a usage error (unknown name, bad number) is a <see cref="CliException"/>.</summary>
    public static void Read(ParseResult r)
    {
        var values = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var item in r.GetValue(Option) ?? [])
        {
            var eq = item.IndexOf('=');
            var name = eq < 0 ? item : item[..eq];
            var limit = Table.FirstOrDefault(l => l.Name == name)
                ?? throw new CliException($"--limit {item}: unknown limit '{name}'; the limits are {string.Join(", ", Table.Select(l => l.Name))}");
            if (eq < 0) throw new CliException($"--limit {item}: give a value, as in --limit {name}={limit.Default * 2}");
            ulong value;
            try { value = NumberArg.Parse("--limit", item[(eq + 1)..]); }
            catch (CliException) { throw new CliException($"--limit {item}: not a number; write it as 1000, 0x400 or 64M"); }
            if (value == 0 || value > (ulong)limit.Max)
                throw new CliException($"--limit {item}: must be between 1 and {limit.Max:#,0}");
            values[name] = (long)value;
        }
        _values = values;
    }

    public static long Get(string name) =>
        _values.TryGetValue(name, out var v) ? v : Table.First(l => l.Name == name).Default;

    /// <summary>The device-tree limits on compiler options.</summary>
    public static DtsCompileOptions Apply(DtsCompileOptions o)
    {
        o.MaxFileBytes = Get("file-size");
        o.MaxIncludeDepth = (int)Get("include-depth");
        o.MaxExpansionTokens = Get("expansion-tokens");
        o.MaxDepth = (int)Get("node-depth");
        o.MaxNodes = (int)Get("nodes");
        o.MaxPropertySize = (int)Get("property-size");
        return o;
    }

    /// <summary>The hint printed under an error that hit a limit.</summary>
    public static string Hint(string name) =>
        $"note: this is the '{name}' limit ({Get(name):#,0}); if the input really is this large, raise it with --limit {name}=N";
}
