using Dtmem.Kernel.Config;
using Dtmem.Kernel.Versions;

namespace Dtmem.Layout.Inputs;

/// <summary>What the model knows about the kernel that will boot: version, where its image sits, its config and command line.</summary>
public sealed record KernelFacts
{
    /// <summary>Kernel version (major.minor.sublevel); decides the family and every version-dependent rule.</summary>
    public required Fact<Version> Version { get; init; }

    /// <summary>Physical address of <c>_text</c> (load address + text_offset for booti). Null when unknown.</summary>
    public Fact<ulong>? TextAddress { get; init; }

    /// <summary><c>_end - _text</c>: the Image header's image_size (bss included). Null when unknown.</summary>
    public Fact<ulong>? ImageSize { get; init; }

    /// <summary>The Image header's text_offset, when known (for the placement/misalignment check).</summary>
    public Fact<ulong>? TextOffset { get; init; }

    /// <summary>The kernel command line. When null, /chosen/bootargs is used.</summary>
    public Fact<string>? Cmdline { get; init; }

    /// <summary>The memory Kconfig read from a .config (<see cref="MemoryKconfig.Resolve"/>); null means version defaults.</summary>
    public MemoryKconfig? Config { get; init; }

    /// <summary>Kernel config with version defaults filled in.</summary>
    public MemoryKconfig EffectiveConfig => Config ?? MemoryKconfig.Resolve(Release, null);

    /// <summary><see cref="Version"/> as the Kernel layer's release: a missing sub-level stays unknown.</summary>
    public Fact<KernelVersion> Release => Version.Map(ToRelease);

    public static KernelVersion ToRelease(Version v) => new(v.Major, v.Minor, v.Build >= 0 ? v.Build : null, "");
}
