using Dtmem.Kernel.Cmdline;

namespace Dtmem.Layout.Inputs;

/// <summary>
/// The early parameters of the kernel command line that change physical memory (<c>cma=</c>, <c>mem=</c>), as the
/// boot model uses them. Parsing is <see cref="KernelCommandLine"/>'s.
/// </summary>
public sealed record CmdlineOptions
{
    /// <summary><c>cma=</c> size in bytes (0 allowed: no default area), or null when absent.</summary>
    public ulong? CmaSize { get; init; }
    public ulong CmaBase { get; init; }
    /// <summary>The limit from <c>cma=size@base-limit</c>, base + size without one, 0 without @base.</summary>
    public ulong CmaLimit { get; init; }
    /// <summary><c>mem=</c> in bytes (page-aligned down, as early_mem does), or null when absent.</summary>
    public ulong? MemLimit { get; init; }
    /// <summary>The raw <c>cma=</c> / <c>mem=</c> words, for messages.</summary>
    public string? CmaText { get; init; }
    public string? MemText { get; init; }

    /// <summary>Parses like the kernel; the last occurrence of a parameter wins.</summary>
    /// <exception cref="Dtmem.Kernel.KernelInputException">A cma=/mem= value that is not a size.</exception>
    public static CmdlineOptions Parse(string? cmdline, int pageSize = 4096, string source = "command line")
    {
        if (string.IsNullOrWhiteSpace(cmdline)) return new CmdlineOptions();
        var c = KernelCommandLine.Parse(cmdline, source);
        return new CmdlineOptions
        {
            CmaSize = c.Cma?.Size.Value,
            CmaBase = c.Cma?.Base?.Value ?? 0,
            CmaLimit = c.Cma?.Limit?.Value ?? 0,
            MemLimit = c.MemLimit(pageSize),
            CmaText = Word(c, "cma"),
            MemText = Word(c, "mem"),
        };
    }

    private static string? Word(KernelCommandLine c, string name) =>
        c.Params.LastOrDefault(p => p.Name == name) is { } p ? $"{p.Name}={p.Value}" : null;

    public override string ToString() => string.Join(' ', new[] { CmaText, MemText }.Where(x => x is not null));
}
