namespace Dtmem.Kernel.Symbols;

/// <summary>
/// The linker symbols that bound the kernel image and its sections (virtual addresses), from a System.map, /proc/kallsyms
/// or vmlinux. Any may be missing; <see cref="ImageSize"/> needs _text and _end.
/// </summary>
public sealed record KernelSymbols
{
    /// <summary>The symbols read, in the order of <see cref="Names"/>.</summary>
    public static readonly string[] Names =
        ["_text", "_stext", "_etext", "__start_rodata", "__init_begin", "__init_end", "_sdata", "_edata", "__bss_start", "__bss_stop", "_end"];

    public Fact<ulong>? Text { get; init; }
    public Fact<ulong>? Stext { get; init; }
    public Fact<ulong>? Etext { get; init; }
    public Fact<ulong>? StartRodata { get; init; }
    public Fact<ulong>? InitBegin { get; init; }
    public Fact<ulong>? InitEnd { get; init; }
    public Fact<ulong>? Sdata { get; init; }
    public Fact<ulong>? Edata { get; init; }
    public Fact<ulong>? BssStart { get; init; }
    public Fact<ulong>? BssStop { get; init; }
    public Fact<ulong>? End { get; init; }

    /// <summary>_end - _text: what the Image header's image_size holds and what the kernel reserves (bss included).</summary>
    public Fact<ulong>? ImageSize =>
        Text is { } t && End is { } e && e.Value >= t.Value
            ? new Fact<ulong>(e.Value - t.Value, $"_end - _text ({e.Origin}; {t.Origin})", t.IsAssumed || e.IsAssumed)
            : null;

    /// <summary>Builds the set from a lookup of symbol name to fact.</summary>
    public static KernelSymbols From(Func<string, Fact<ulong>?> lookup) => new()
    {
        Text = lookup("_text"),
        Stext = lookup("_stext"),
        Etext = lookup("_etext"),
        StartRodata = lookup("__start_rodata"),
        InitBegin = lookup("__init_begin"),
        InitEnd = lookup("__init_end"),
        Sdata = lookup("_sdata"),
        Edata = lookup("_edata"),
        BssStart = lookup("__bss_start"),
        BssStop = lookup("__bss_stop"),
        End = lookup("_end"),
    };
}
