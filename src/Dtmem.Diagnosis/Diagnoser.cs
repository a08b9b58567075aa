using Dtmem.Diagnosis.Attribution;
using Dtmem.Diagnosis.Boot;
using Dtmem.Diagnosis.Logs;
using Dtmem.Diagnosis.RootCause;
using Dtmem.Diagnosis.Translation;
using Dtmem.Kernel.Versions;
using Dtmem.Layout.Model;

namespace Dtmem.Diagnosis;

/// <summary>What the user gave: the crash log and any of a boot log, /proc/iomem, debugfs memblock dumps and a board model.</summary>
public sealed record DiagnosisInputs
{
    /// <summary>The console capture with the oops (it may also hold the boot log).</summary>
    public LogEvidence? Log { get; init; }
    /// <summary>Further boot evidence: a separate boot log, /proc/iomem, debugfs memblock files.</summary>
    public IReadOnlyList<BootEvidence> Boot { get; init; } = [];
    /// <summary>The board's DT run through the memory model.</summary>
    public BootResult? Model { get; init; }
    public Fact<KernelVersion>? Version { get; init; }
    /// <summary>_text's virtual address from System.map or vmlinux.</summary>
    public Fact<ulong>? KernelTextVirt { get; init; }
    public TranslationOverrides Overrides { get; init; } = new();
}

/// <summary>The joined result: the oops, the translation of its address, every region that holds it, and the conclusions.</summary>
public sealed record DiagnosisReport
{
    public required IReadOnlyList<Oops.Oops> Oopses { get; init; }
    /// <summary>The report diagnosed: the first with a fault address (later ones are usually consequences), else the first.</summary>
    public Oops.Oops? Primary { get; init; }
    public AddressTranslation? Translation { get; init; }
    public required RegionCatalogue Regions { get; init; }
    public required IReadOnlyList<KnownRegion> Hits { get; init; }
    public required IReadOnlyList<RootCauseFinding> Findings { get; init; }
    public BootEvidence? Boot { get; init; }
    public Fact<KernelVersion>? Version { get; init; }

    public ulong? FaultPhysical => Translation?.PhysicalAddress;
}

public static class Diagnoser
{
    public static DiagnosisReport Run(DiagnosisInputs inputs)
    {
        var oopses = inputs.Log?.Oopses ?? [];
        var primary = oopses.FirstOrDefault(o => o.FaultAddress is not null) ?? (oopses.Count > 0 ? oopses[0] : null);
        var boots = new List<BootEvidence>();
        if (inputs.Log?.Boot is { } lb && (lb.Ranges.Count > 0 || lb.Messages.Count > 0 || lb.PhysOffset is not null || lb.Memory is not null || lb.KernelVersion is not null || lb.Notes.Count > 0)) boots.Add(lb);
        boots.AddRange(inputs.Boot);

        var catalogue = new RegionCatalogue();
        if (inputs.Model is { } model) catalogue.AddRange(RegionCatalogue.FromModel(model));
        foreach (var b in boots) catalogue.AddRange(RegionCatalogue.FromEvidence(b));

        var version = inputs.Version ?? VersionOf(primary, boots);
        var merged = Merge(boots);
        AddressTranslation? translation = null;
        // The formulas are arm64's; on other architectures only the NULL page is classified.
        if (primary?.FaultAddress is { } fa && (primary.Arch is Oops.OopsArch.Arm64 or Oops.OopsArch.Unknown || fa.Value < 0x1000))
        {
            var hints = new TranslationHints
            {
                Version = version,
                DramStart = DramStart(catalogue),
                KernelTextPhys = KernelText(catalogue),
                KernelTextVirt = inputs.KernelTextVirt,
                KernelSize = KernelSize(catalogue),
                Overrides = inputs.Overrides,
            };
            var parameters = AddressTranslator.Derive(primary, merged, hints);
            translation = AddressTranslator.Translate(fa.Value, parameters, primary);
        }

        var context = new DiagnosisContext { Oops = primary, Translation = translation, Regions = catalogue, Boot = merged };
        return new DiagnosisReport
        {
            Oopses = oopses,
            Primary = primary,
            Translation = translation,
            Regions = catalogue,
            Hits = context.Hits,
            Findings = RootCauseRules.Run(context),
            Boot = merged,
            Version = version,
        };
    }

    /// <summary>The kernel version an oops or boot log printed (first found).</summary>
    public static Fact<KernelVersion>? VersionOf(Oops.Oops? oops, IReadOnlyList<BootEvidence> boots)
    {
        foreach (var (text, src) in new[] { (oops?.KernelVersion?.Value, oops?.KernelVersion?.Source) }
                     .Concat(boots.Select(b => (b.KernelVersion?.Value, b.KernelVersion?.Source))))
        {
            if (text is null || src is null) continue;
            try { return Fact<KernelVersion>.Known(KernelVersion.Parse(text.Split(' ')[0], src.ToString()), $"{src}"); }
            catch (KernelInputException) { }
        }
        return null;
    }

    /// <summary>One view of several evidence files for the translation: the first printed PHYS/PAGE_OFFSET and Memory line.</summary>
    private static BootEvidence? Merge(IReadOnlyList<BootEvidence> boots)
    {
        if (boots.Count == 0) return null;
        if (boots.Count == 1) return boots[0];
        var m = new BootEvidence
        {
            PhysOffset = boots.Select(b => b.PhysOffset).FirstOrDefault(p => p is not null),
            PageOffset = boots.Select(b => b.PageOffset).FirstOrDefault(p => p is not null),
            KernelVersion = boots.Select(b => b.KernelVersion).FirstOrDefault(p => p is not null),
            CommandLine = boots.Select(b => b.CommandLine).FirstOrDefault(p => p is not null),
            Memory = boots.Select(b => b.Memory).FirstOrDefault(p => p is not null),
            HasMemblockDebug = boots.Any(b => b.HasMemblockDebug),
        };
        foreach (var b in boots)
        {
            m.RangeList.AddRange(b.Ranges);
            m.MessageList.AddRange(b.Messages);
            m.NoteList.AddRange(b.Notes);
        }
        return m;
    }

    private static Fact<ulong>? DramStart(RegionCatalogue c)
    {
        var ram = c.OfRole(RegionRole.Ram).OrderBy(r => r.Range.Start).FirstOrDefault();
        return ram is null ? null : Fact<ulong>.Known(ram.Range.Start, $"{ram.Source.Kind} {ram.Source.Text}");
    }

    /// <summary>_text: iomem `Kernel code` is exact; the model's image and the memblock reservation come next.</summary>
    private static Fact<ulong>? KernelText(RegionCatalogue c)
    {
        var k = c.OfRole(RegionRole.KernelCode).FirstOrDefault()
                ?? c.OfRole(RegionRole.KernelImage).OrderBy(r => r.Inferred).FirstOrDefault();
        return k is null ? null : new Fact<ulong>(k.Range.Start, $"{k.Name}: {k.Source.Text}", k.Inferred);
    }

    private static Fact<ulong>? KernelSize(RegionCatalogue c)
    {
        var code = c.OfRole(RegionRole.KernelCode).FirstOrDefault();
        var data = c.OfRole(RegionRole.KernelData).FirstOrDefault();
        if (code is not null && data is not null && data.Range.End > code.Range.Start)
            return Fact<ulong>.Known(data.Range.End - code.Range.Start, "iomem Kernel code .. Kernel data");
        var image = c.OfRole(RegionRole.KernelImage).FirstOrDefault();
        return image is null ? null : Fact<ulong>.Known(image.Range.Size, image.Source.Text);
    }
}
