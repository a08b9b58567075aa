using Dtmem.Diagnosis.Boot;
using Dtmem.Kernel.Versions;

namespace Dtmem.Diagnosis.Translation;

/// <summary>Which part of the arm64 kernel address space a virtual address falls in.</summary>
public enum VaRegion
{
    /// <summary>Below one page: a NULL pointer (plus a small offset).</summary>
    Null,
    /// <summary>A TTBR0 (user) address.</summary>
    User,
    /// <summary>The linear map of all RAM: PA = VA - PAGE_OFFSET + PHYS_OFFSET.</summary>
    Linear,
    /// <summary>The kernel image mapping: PA = VA - kimage_voffset.</summary>
    KernelImage,
    /// <summary>vmalloc, modules, vmemmap, fixmap, PCI I/O: no fixed formula; only the page-table walk gives the PA.</summary>
    OtherKernel,
    /// <summary>Neither a user nor a kernel address for the VA size (top bits mixed).</summary>
    NonCanonical,
}

/// <summary>Values the user forces (--va-bits, --page-offset, --phys-offset, --kimage-voffset).</summary>
public sealed record TranslationOverrides
{
    public int? VaBits { get; init; }
    public ulong? PageOffset { get; init; }
    public ulong? PhysOffset { get; init; }
    public ulong? KimageVoffset { get; init; }
}

/// <summary>What other inputs know that helps: the version, the first RAM byte, where the kernel image sits.</summary>
public sealed record TranslationHints
{
    public Fact<KernelVersion>? Version { get; init; }
    /// <summary>The lowest RAM address (DT /memory, iomem `System RAM`, memblock): memstart_addr is it rounded down.</summary>
    public Fact<ulong>? DramStart { get; init; }
    /// <summary>Physical address of _text (iomem `Kernel code`, --kernel-at, the DT model's placement).</summary>
    public Fact<ulong>? KernelTextPhys { get; init; }
    /// <summary>Virtual address of _text (System.map, vmlinux).</summary>
    public Fact<ulong>? KernelTextVirt { get; init; }
    public Fact<ulong>? KernelSize { get; init; }
    public TranslationOverrides Overrides { get; init; } = new();
}

/// <summary>The numbers the translation used, each with where it came from.</summary>
public sealed record TranslationParameters
{
    public required Fact<int> VaBits { get; init; }
    /// <summary>True for the ≥5.4 layout (linear map in the lower half of the kernel range, image above it).</summary>
    public required Fact<bool> FlippedLayout { get; init; }
    public required Fact<ulong> PageOffset { get; init; }
    public required Fact<ulong> PageSize { get; init; }
    public Fact<ulong>? PhysOffset { get; init; }
    public Fact<ulong>? KimageVoffset { get; init; }
    public Fact<ulong>? KernelTextVirt { get; init; }
    public ulong? KernelSize { get; init; }
}

/// <summary>A virtual address taken to physical, with every step spelled out.</summary>
public sealed record AddressTranslation
{
    public required ulong VirtualAddress { get; init; }
    public required VaRegion Region { get; init; }
    public required TranslationParameters Parameters { get; init; }
    public ulong? PhysicalAddress { get; init; }
    /// <summary>How the PA was obtained, for people ("linear map: VA - PAGE_OFFSET + PHYS_OFFSET").</summary>
    public string? Method { get; init; }
    /// <summary>The arithmetic, one line per step, with the origin of every parameter.</summary>
    public required IReadOnlyList<string> Steps { get; init; }
    /// <summary>The PA the printed page-table walk gives, when it ended in a valid leaf.</summary>
    public Sourced<ulong>? WalkPhysicalAddress { get; init; }
    /// <summary>Null when there is nothing to compare.</summary>
    public bool? AgreesWithWalk { get; init; }
    public IReadOnlyList<string> Notes { get; init; } = [];
}

/// <summary>
/// arm64 virtual-to-physical translation from what a crash log and its companions say. Every parameter is derived from
/// the best source present (an explicit option, a line the kernel printed, the version's layout, the RAM base) and can be
/// overridden; the page-table walk in the oops, when printed, is the independent check.
/// </summary>
public static class AddressTranslator
{
    private static readonly int[] StandardVaBits = [52, 48, 47, 42, 39, 36];

    public static TranslationParameters Derive(Oops.Oops? oops, BootEvidence? boot, TranslationHints hints)
    {
        var o = hints.Overrides;
        var sample = oops?.Pc?.Value.Address ?? oops?.FaultAddress?.Value;
        var version = hints.Version;

        var pageSize = oops?.PageTable is { } pt
            ? Fact<ulong>.Known((ulong)pt.Value.Granule, $"'{pt.Value.Table} pgtable' line ({pt.Source})")
            : Fact<ulong>.Assumed(4096, "4K pages (no pgtable line in the log)");

        Fact<bool> flipped;
        if (o.PageOffset is { } po0) flipped = Fact<bool>.Known(IsFlippedOffset(po0), "--page-offset");
        else if (boot?.PageOffset is { } bpo) flipped = Fact<bool>.Known(IsFlippedOffset(bpo.Value), $"PAGE_OFFSET line ({bpo.Source})");
        else if (version is not null) flipped = Fact<bool>.Known(version.Value.AtLeast(5, 4), $"Linux {version.Value} ({version.Origin}); the layout flipped in 5.4");
        else flipped = Fact<bool>.Assumed(true, "no kernel version known: the ≥5.4 layout is assumed");

        Fact<int> vaBits;
        if (o.VaBits is { } vb) vaBits = Fact<int>.Known(vb, "--va-bits");
        else if (oops?.PageTable is { } pgt) vaBits = Fact<int>.Known(pgt.Value.VaBits, $"'{pgt.Value.VaBits}-bit VAs' ({pgt.Source})");
        else if (boot?.PageOffset is { } bpo2 && VaBitsOfOffset(bpo2.Value) is { } fromPo) vaBits = Fact<int>.Known(fromPo, $"PAGE_OFFSET line ({bpo2.Source})");
        else if (o.PageOffset is { } po1 && VaBitsOfOffset(po1) is { } fromOpt) vaBits = Fact<int>.Known(fromOpt, "--page-offset");
        else if (sample is { } s && VaBitsOfImageAddress(s, flipped.Value) is { } fromShape)
            vaBits = Fact<int>.Assumed(fromShape, $"from the shape of 0x{s:x16} (kernel addresses)");
        else vaBits = Fact<int>.Assumed(48, "48-bit VAs assumed (no pgtable line)");

        Fact<ulong> pageOffset;
        if (o.PageOffset is { } po) pageOffset = Fact<ulong>.Known(po, "--page-offset");
        else if (boot?.PageOffset is { } bp) pageOffset = Fact<ulong>.Known(bp.Value, $"printed ({bp.Source})");
        else
        {
            var n = vaBits.Value;
            pageOffset = flipped.Value
                ? new Fact<ulong>(0UL - (1UL << n), $"-(1 << {n}), the ≥5.4 linear map base", vaBits.IsAssumed || flipped.IsAssumed)
                : new Fact<ulong>(0UL - (1UL << (n - 1)), $"-(1 << {n - 1}), the pre-5.4 linear map base", vaBits.IsAssumed || flipped.IsAssumed);
        }

        Fact<ulong>? physOffset = null;
        if (o.PhysOffset is { } p) physOffset = Fact<ulong>.Known(p, "--phys-offset");
        else if (boot?.PhysOffset is { } bpho) physOffset = Fact<ulong>.Known(bpho.Value, $"printed ({bpho.Source})");
        else if (oops?.PhysOffset is { } opho) physOffset = Fact<ulong>.Known(opho.Value, $"panic tail ({opho.Source})");
        else if (hints.DramStart is { } dram)
        {
            var align = MemstartAlign(pageSize.Value, version?.Value);
            var m = dram.Value & ~(align - 1);
            physOffset = new Fact<ulong>(m, $"RAM base 0x{dram.Value:x} ({dram.Origin}) rounded down to {Size(align)} (ARM64_MEMSTART_ALIGN); no KASLR linear randomisation assumed", dram.IsAssumed);
        }

        Fact<ulong>? textVirt = hints.KernelTextVirt;
        if (textVirt is null && oops?.KernelOffset is { } ko && ParseKernelOffset(ko.Value) is var (off, from))
        {
            // dump_kernel_offset(): "Kernel Offset: <kaslr> from <KIMAGE_VADDR>"; before 5.8 _text sat TEXT_OFFSET above.
            var textOffset = version is { } v && !v.Value.AtLeast(5, 8) ? 0x80000UL : 0;
            textVirt = new Fact<ulong>(from + off + textOffset, $"'Kernel Offset' line ({ko.Source})" + (textOffset != 0 ? " + TEXT_OFFSET 0x80000" : ""), version is null);
        }

        Fact<ulong>? kimage = null;
        if (o.KimageVoffset is { } kv) kimage = Fact<ulong>.Known(kv, "--kimage-voffset");
        else if (textVirt is not null && hints.KernelTextPhys is { } tp)
            kimage = new Fact<ulong>(textVirt.Value - tp.Value, $"_text VA 0x{textVirt.Value:x} ({textVirt.Origin}) - _text PA 0x{tp.Value:x} ({tp.Origin})", textVirt.IsAssumed || tp.IsAssumed);

        return new TranslationParameters
        {
            VaBits = vaBits,
            FlippedLayout = flipped,
            PageOffset = pageOffset,
            PageSize = pageSize,
            PhysOffset = physOffset,
            KimageVoffset = kimage,
            KernelTextVirt = textVirt,
            KernelSize = hints.KernelSize?.Value,
        };
    }

    public static AddressTranslation Translate(ulong va, TranslationParameters p, Oops.Oops? oops = null)
    {
        var steps = new List<string>();
        var notes = new List<string>();
        var walk = oops is not null && oops.FaultAddress?.Value == va ? oops.WalkPhysicalAddress : null;
        int n = Math.Clamp(p.VaBits.Value, 32, 52);

        // Top-byte-ignore tags (KASAN sw tags, MTE) on kernel pointers: the MMU ignores bits 63:56.
        var top = va >> 56;
        if (top != 0 && top != 0xff && va >> 55 != 0)
        {
            notes.Add($"bits 63:56 hold tag 0x{top:x2}; translated as 0x{(va | 0xff00000000000000UL):x16}");
            va |= 0xff00000000000000UL;
        }

        var region = Classify(va, p, n);
        ulong? pa = null;
        string? method = null;
        switch (region)
        {
            case VaRegion.Null:
                steps.Add($"0x{va:x} < page size 0x{p.PageSize.Value:x}: a NULL pointer plus offset 0x{va:x}; no physical memory was addressed");
                break;
            case VaRegion.User:
                steps.Add($"0x{va:x16} < 2^{n}: a user (TTBR0) address; its PA depends on the process's page tables");
                break;
            case VaRegion.Linear:
                steps.Add($"PAGE_OFFSET   = 0x{p.PageOffset.Value:x16}  ({Origin(p.PageOffset)})");
                steps.Add(p.FlippedLayout.Value
                    ? $"linear map    = [0x{p.PageOffset.Value:x16}-0x{p.PageOffset.Value + (1UL << (n - 1)) - 1:x16}]  (lower half of the {n}-bit kernel range: {Origin(p.FlippedLayout)})"
                    : $"linear map    = [0x{p.PageOffset.Value:x16}-0xffffffffffffffff]  (upper half of the {n}-bit kernel range: {Origin(p.FlippedLayout)})");
                if (p.PhysOffset is { } po)
                {
                    pa = va - p.PageOffset.Value + po.Value;
                    method = "linear map";
                    steps.Add($"PHYS_OFFSET   = 0x{po.Value:x}  ({Origin(po)})");
                    steps.Add($"PA = VA - PAGE_OFFSET + PHYS_OFFSET = 0x{va:x16} - 0x{p.PageOffset.Value:x16} + 0x{po.Value:x} = 0x{pa:x}");
                }
                else steps.Add("PHYS_OFFSET unknown: pass --phys-offset, a DT, /proc/iomem or a boot log with the RAM base");
                break;
            case VaRegion.KernelImage:
                steps.Add($"_text (VA)    = 0x{p.KernelTextVirt!.Value:x16}  ({Origin(p.KernelTextVirt)})");
                if (p.KimageVoffset is { } kv)
                {
                    pa = va - kv.Value;
                    method = "kernel image mapping";
                    steps.Add($"kimage_voffset = 0x{kv.Value:x16}  ({Origin(kv)})");
                    steps.Add($"PA = VA - kimage_voffset = 0x{va:x16} - 0x{kv.Value:x16} = 0x{pa:x}");
                }
                else steps.Add("kimage_voffset unknown: pass --kimage-voffset, or the kernel's physical place (--kernel-at, /proc/iomem)");
                break;
            case VaRegion.OtherKernel:
                steps.Add($"0x{va:x16} is a kernel address outside the linear map{(p.KernelTextVirt is null ? "" : " and the image")} (vmalloc, modules, vmemmap or fixmap): no formula gives its PA");
                break;
            default:
                steps.Add($"0x{va:x16} is not canonical for {n}-bit VAs");
                break;
        }

        bool formula = pa is not null;
        var formulaPa = pa;
        if (walk is not null)
        {
            if (pa is null)
            {
                pa = walk.Value;
                method = "page-table walk";
                steps.Add($"PA from the printed page-table walk = 0x{walk.Value:x}  ({walk.Source})");
            }
            else if (walk.Value == pa) steps.Add($"page-table walk gives 0x{walk.Value:x} ({walk.Source}): agrees");
            else
            {
                // The walk is the kernel's own page table: trust it, and say which parameter the formula got wrong.
                steps.Add($"page-table walk gives 0x{walk.Value:x} ({walk.Source}): DISAGREES with 0x{pa:x}; the walk is used");
                if (region == VaRegion.Linear)
                    notes.Add($"the walk implies PHYS_OFFSET (memstart_addr) = 0x{unchecked(walk.Value - (va - p.PageOffset.Value)):x}" +
                              " (as a 64-bit value; KASLR randomises the linear map on some kernels); pass --phys-offset to use another");
                pa = walk.Value;
                method = "page-table walk";
            }
        }

        return new AddressTranslation
        {
            VirtualAddress = va,
            Region = region,
            Parameters = p,
            PhysicalAddress = pa,
            Method = method,
            Steps = steps,
            WalkPhysicalAddress = walk,
            AgreesWithWalk = walk is null || !formula ? null : walk.Value == formulaPa,
            Notes = notes,
        };
    }

    private static VaRegion Classify(ulong va, TranslationParameters p, int n)
    {
        if (va < p.PageSize.Value) return VaRegion.Null;
        if (va < 1UL << n) return VaRegion.User;
        var kernelBase = 0UL - (1UL << n);
        if (va < kernelBase) return VaRegion.NonCanonical;
        if (p.KernelTextVirt is { } t && va >= t.Value && (p.KernelSize is not { } size || va - t.Value < size))
            return VaRegion.KernelImage;
        var linear = p.FlippedLayout.Value
            ? va >= p.PageOffset.Value && va - p.PageOffset.Value < 1UL << (n - 1)
            : va >= p.PageOffset.Value;
        if (linear) return VaRegion.Linear;
        return VaRegion.OtherKernel;
    }

    /// <summary>ARM64_MEMSTART_ALIGN: 1 GiB for 4K and 16K pages; for 64K pages 512 MiB since SECTION_SIZE_BITS became 29 (6.x).</summary>
    public static ulong MemstartAlign(ulong pageSize, KernelVersion? version) =>
        pageSize == 65536 && (version is null || version.AtLeast(6, 0)) ? 512UL << 20 : 1UL << 30;

    private static bool IsFlippedOffset(ulong pageOffset) => VaBitsOfOffset(pageOffset) is { } n && pageOffset == 0UL - (1UL << n);

    private static int? VaBitsOfOffset(ulong pageOffset)
    {
        foreach (var n in StandardVaBits)
            if (pageOffset == 0UL - (1UL << n) || pageOffset == 0UL - (1UL << (n - 1))) return n;
        return null;
    }

    /// <summary>Kernel text sits in the upper half of the kernel range after the flip (bit n-1 set, n+1 leading ones)
    /// and in the lower half before it (n leading ones... counted from bit 63 down to bit n).</summary>
    private static int? VaBitsOfImageAddress(ulong address, bool flipped)
    {
        int ones = System.Numerics.BitOperations.LeadingZeroCount(~address);
        int n = flipped ? 64 - ones + 1 : 64 - ones;
        return Array.IndexOf(StandardVaBits, n) >= 0 ? n : null;
    }

    /// <summary>"0x2e4de0000000 from 0xffff800008000000" (KASLR) or "disabled".</summary>
    private static (ulong Offset, ulong From)? ParseKernelOffset(string text)
    {
        var parts = text.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length == 3 && parts[1] == "from"
               && Logs.Scan.ReadHex(parts[0], out var off) == parts[0].Length
               && Logs.Scan.ReadHex(parts[2], out var from) == parts[2].Length
            ? (off, from) : null;
    }

    private static string Origin<T>(Fact<T> f) => (f.IsAssumed ? "assumed: " : "") + f.Origin;

    private static string Size(ulong bytes) => bytes >= 1UL << 30 ? $"{bytes >> 30} GiB" : $"{bytes >> 20} MiB";
}
