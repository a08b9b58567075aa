using Dtmem.Kernel.Config;
using Dtmem.Kernel.Image;
using Dtmem.Kernel.Symbols;
using Dtmem.Kernel.Versions;

namespace Dtmem.Kernel.Placement;

/// <summary>
/// Computes <see cref="KernelImage"/> from what the user knows: the bootloader's load address plus the Image header
/// (U-Boot booti rule, docs/kernel-memory-spec.md §1.1), the final _text (--kernel-at), or /proc/iomem numbers.
/// </summary>
public static class KernelPlacement
{
    /// <summary>MIN_KIMG_ALIGN: the Image's base (before text_offset) must be 2 MiB-aligned.</summary>
    public const ulong MinKimgAlign = 2UL << 20;

    /// <summary>
    /// Where booti puts the kernel loaded at <paramref name="loadAddress"/>. With header flag bit 3 (placement anywhere):
    /// _text = ALIGN_UP(load - text_offset, 2 MiB) + text_offset. Without it: first DRAM bank + text_offset.
    /// </summary>
    /// <param name="loadAddress">The bootloader's load address (--load-addr, ${kernel_addr_r}).</param>
    /// <param name="header">The Image header when known; else text_offset and the flag come from the version.</param>
    /// <param name="imageSize">_end - _text (header image_size, vmlinux, System.map, or --kernel-size).</param>
    /// <param name="version">The kernel version, for defaults and the reservation start.</param>
    /// <param name="dramStart">Start of the first DRAM bank; needed only when the header says "near DRAM start".</param>
    public static KernelImage FromLoadAddress(Fact<ulong> loadAddress, ImageHeader? header, Fact<ulong> imageSize,
        Fact<KernelVersion>? version, ulong? dramStart = null)
    {
        var textOffset = header?.TextOffset ?? DefaultTextOffset(version);
        var anywhere = header?.PlacementAnywhere ?? true;
        if (imageSize.Value == 0)
            throw new KernelInputException(imageSize.Origin, "", "image size is 0 (a pre-3.17 Image header leaves it out)",
                "Give the size with --kernel-size, System.map or vmlinux");
        ulong start;
        string origin;
        if (anywhere || dramStart is null)
        {
            if (loadAddress.Value < textOffset.Value)
                throw new KernelInputException(loadAddress.Origin, "", $"load address 0x{loadAddress.Value:x} is below text_offset 0x{textOffset.Value:x}",
                    "Give the address the bootloader loads the Image to (U-Boot's ${kernel_addr_r})");
            var based = AlignUp(loadAddress.Value - textOffset.Value, MinKimgAlign, loadAddress.Origin);
            start = based + textOffset.Value;
            origin = $"booti: ALIGN_UP(load 0x{loadAddress.Value:x} - text_offset 0x{textOffset.Value:x}, 2 MiB) + text_offset ({loadAddress.Origin}; {textOffset.Origin})";
            if (!anywhere)
                origin += "; header flag bit 3 is clear, so the kernel goes to DRAM start + text_offset — give the DRAM start to apply that";
        }
        else
        {
            start = dramStart.Value + textOffset.Value;
            origin = $"booti: header flag bit 3 clear, DRAM start 0x{dramStart.Value:x} + text_offset 0x{textOffset.Value:x} ({textOffset.Origin})";
        }
        var assumed = loadAddress.IsAssumed || textOffset.IsAssumed || header is null;
        return Build(new Fact<ulong>(start, origin, assumed), imageSize, version) with { TextOffset = textOffset };
    }

    /// <summary>The kernel at a known physical _text (--kernel-at, or read from a log).</summary>
    public static KernelImage FromText(Fact<ulong> text, Fact<ulong> imageSize, Fact<KernelVersion>? version) =>
        Build(text, imageSize, version);

    /// <summary>
    /// From /proc/iomem: "Kernel code" = [_text, __init_begin - 1], "Kernel data" = [_sdata, _end - 1] (inclusive ends as printed).
    /// </summary>
    public static KernelImage FromIomem(ulong codeStart, ulong codeEndInclusive, ulong dataStart, ulong dataEndInclusive, string origin,
        Fact<KernelVersion>? version)
    {
        if (codeEndInclusive < codeStart || dataEndInclusive < dataStart || dataStart < codeStart || dataEndInclusive == ulong.MaxValue)
            throw new KernelInputException(origin, "", "Kernel code/Kernel data ranges are not in order",
                "Pass the \"Kernel code\" and \"Kernel data\" lines of one /proc/iomem, read as root");
        // Kernels that reserve from _stext also start "Kernel code" there (6.1.176 measured: 40210000-... with _text at 40200000).
        var fromStext = version is not null && StartsAtStext(version.Value);
        if (fromStext && codeStart < StextOffset)
            throw new KernelInputException(origin, "", $"Kernel code starts at 0x{codeStart:x}, below _stext's offset", "Pass the lines of one /proc/iomem, read as root");
        var text = fromStext
            ? new Fact<ulong>(codeStart - StextOffset, $"{origin} (Kernel code start = _stext on Linux {version!.Value}; _text = _stext - 0x10000)", version.IsAssumed || !IsMeasuredStext(version.Value))
            : Fact<ulong>.Known(codeStart, $"{origin} (Kernel code start = _text)");
        var image = Build(text, Fact<ulong>.Known(dataEndInclusive + 1 - text.Value, $"{origin} (Kernel data end + 1 - _text)"), version);
        return image with
        {
            Sections =
            [
                new KernelSection("Kernel code", codeStart, codeEndInclusive + 1, origin),
                new KernelSection("Kernel data", dataStart, dataEndInclusive + 1, origin),
            ],
        };
    }

    /// <summary>Adds text/rodata/init/data/bss from symbols, placed relative to the image's physical _text.</summary>
    public static KernelImage WithSections(KernelImage image, KernelSymbols symbols)
    {
        if (symbols.Text is not { } text) return image;
        var sections = new List<KernelSection>();
        void Add(string name, Fact<ulong>? from, Fact<ulong>? to)
        {
            if (from is null || to is null || to.Value < from.Value || from.Value < text.Value) return;
            sections.Add(new KernelSection(name, image.Start.Value + (from.Value - text.Value), image.Start.Value + (to.Value - text.Value),
                $"{from.Origin} .. {to.Origin}, placed at _text 0x{image.Start.Value:x}"));
        }
        Add("text", symbols.Text, symbols.Etext);
        Add("rodata", symbols.StartRodata, symbols.InitBegin);
        Add("init", symbols.InitBegin, symbols.InitEnd);
        Add("data", symbols.Sdata, symbols.Edata);
        Add("bss", symbols.BssStart, symbols.BssStop ?? symbols.End);
        var reservation = image.ReservationStart;
        if (reservation is not null && symbols.Stext is { } stext && reservation.Value != image.Start.Value)
            reservation = new Fact<ulong>(image.Start.Value + (stext.Value - text.Value), $"{reservation.Origin}; _stext from {stext.Origin}", reservation.IsAssumed);
        return image with { Sections = sections, ReservationStart = reservation };
    }

    /// <summary>The image size from the best source given: header image_size, then symbols, then the option.</summary>
    public static Fact<ulong>? ImageSize(ImageHeader? header, KernelSymbols? symbols, Fact<ulong>? option) =>
        option ?? (header is { ImageSize.Value: > 0 } h ? h.ImageSize : null) ?? symbols?.ImageSize;

    /// <summary>text_offset when there is no header: 0x80000 before 5.8, 0 from 5.8 (cfa7ede20f13).</summary>
    public static Fact<ulong> DefaultTextOffset(Fact<KernelVersion>? version) => version switch
    {
        null => Fact<ulong>.Assumed(0, "no Image header and no version; text_offset 0 (5.8+) assumed"),
        _ when version.Value.AtLeast(5, 8) => Fact<ulong>.Assumed(0, $"default for Linux {version.Value} (TEXT_OFFSET 0 since 5.8); read the Image header to be sure"),
        _ => Fact<ulong>.Assumed(0x80000, $"default for Linux {version.Value} (TEXT_OFFSET 0x80000 before 5.8); read the Image header to be sure"),
    };

    private static KernelImage Build(Fact<ulong> start, Fact<ulong> size, Fact<KernelVersion>? version)
    {
        if (size.Value == 0)
            throw new KernelInputException(size.Origin, "", "kernel image size is 0", "Give the size with the Image header, System.map, vmlinux or --kernel-size");
        if (start.Value > ulong.MaxValue - size.Value)
            throw new KernelInputException(start.Origin, "", $"_text 0x{start.Value:x} + size 0x{size.Value:x} runs past the top of the address space",
                "Check the address and the size given");
        var end = new Fact<ulong>(start.Value + size.Value, $"_text + image size ({size.Origin})", start.IsAssumed || size.IsAssumed);
        return new KernelImage { Start = start, End = end, ReservationStart = ReservationStartFor(start, version) };
    }

    /// <summary>
    /// Which symbol starts the kernel's memblock reservation. _text in 5.4 (source) and 6.12.117 (measured);
    /// _stext (= _text + 0x10000) in 6.1.176 (measured), believed to hold from 5.14 ("omit [_text, _stext) from
    /// permanent kernel mapping") until a later 6.x went back to _text — so 5.14-6.11 other than 6.1 are assumptions.
    /// </summary>
    public static Fact<ulong>? ReservationStartFor(Fact<ulong> text, Fact<KernelVersion>? version)
    {
        if (version is null) return null;
        var v = version.Value;
        if (!StartsAtStext(v))
            return new Fact<ulong>(text.Value, $"_text: Linux {v} reserves [_text, _end) ({(v.AtLeast(6, 12) ? "measured on 6.12.117" : "5.4 source")})",
                text.IsAssumed || (v.AtLeast(5, 5) && !v.AtLeast(6, 12)));
        var measured = IsMeasuredStext(v);
        return new Fact<ulong>(text.Value + StextOffset,
            $"_stext = _text + 0x10000: Linux {v} reserves [_stext, _end) ({(measured ? "measured on 6.1.176" : "assumed from 6.1; pass System.map for the exact _stext")})",
            text.IsAssumed || !measured);
    }

    /// <summary>
    /// The early page tables (init_pg_dir..init_pg_end, the last pages before _end) that paging_init gives back with
    /// memblock_phys_free once swapper_pg_dir is in use. Measured only on Debian 6.1.176: 0x5000 bytes, freed as
    /// [0x4220b000-0x4220ffff] with _end at 0x42210000 in every boot log; Debian 6.12.117 frees nothing there. Null for
    /// the versions not measured. The size depends on the page-table levels, so it is assumed unless the config
    /// matches the measured build (4K pages, 48-bit VA).
    /// </summary>
    public static Fact<ulong>? PagingInitFreedTail(KernelVersion version, MemoryKconfig config)
    {
        if (version.Major != 6 || version.Minor != 1) return null;
        var asMeasured = config.PageSize.Value == 4096 && config.VaBits.Value == 48;
        return new Fact<ulong>(0x5000,
            $"init_pg_dir..init_pg_end, 0x5000 bytes as measured on Debian 6.1.176 (4K pages, 48-bit VA; this config: {config.PageSize.Value / 1024}K pages, {config.VaBits.Value}-bit VA)",
            !asMeasured || config.PageSize.IsAssumed || config.VaBits.IsAssumed);
    }

    /// <summary>_stext - _text on arm64 builds since 5.14: one 64 KiB segment holding the image header / PE headers.</summary>
    public const ulong StextOffset = 0x10000;

    /// <summary>True for the versions that reserve (and show as "Kernel code") from _stext instead of _text.</summary>
    public static bool StartsAtStext(KernelVersion v) => v.AtLeast(5, 14) && !v.AtLeast(6, 12);

    private static bool IsMeasuredStext(KernelVersion v) => v.Major == 6 && v.Minor == 1;

    private static ulong AlignUp(ulong value, ulong align, string origin)
    {
        var rem = value % align;
        if (rem == 0) return value;
        if (value > ulong.MaxValue - (align - rem))
            throw new KernelInputException(origin, "", $"0x{value:x} cannot be aligned up to 2 MiB without overflowing", "Check the load address");
        return value + (align - rem);
    }
}
