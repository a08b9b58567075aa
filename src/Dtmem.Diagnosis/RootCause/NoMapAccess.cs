using Dtmem.Diagnosis.Attribution;
using Dtmem.Diagnosis.Translation;

namespace Dtmem.Diagnosis.RootCause;

/// <summary>
/// RC003. The fault's physical address is in a no-map region. No-map memory has no linear mapping (a translation fault
/// there means someone used __va()/phys_to_virt() on it), and it usually belongs to firmware or a secure world (an
/// external abort or SError there means a cacheable access reached memory the bus refuses).
/// </summary>
public sealed class NoMapAccess : RootCauseRule
{
    public override string Id => "RC003";
    public override string Title => "Access to a no-map (carved-out) region";

    public override IEnumerable<RootCauseFinding> Evaluate(DiagnosisContext c)
    {
        if (c.Oops is null || c.Translation is not { PhysicalAddress: { } pa } t) yield break;
        var nomap = c.Hits.Where(h => h.Role == RegionRole.NoMap).ToList();
        if (nomap.Count == 0) yield break;
        var region = Prefer(nomap);
        var esr = c.Oops.EsrDecoded;
        bool translationFault = esr?.FaultType == Esr.FaultType.Translation;
        bool external = esr is { ExternalAbort: true } || esr?.Kind == Esr.EsrKind.SError;
        var confidence = (translationFault && t.Region == VaRegion.Linear) || external ? Confidence.High : Confidence.Medium;
        var evidence = new List<EvidenceItem> { new($"VA 0x{t.VirtualAddress:x16} -> PA 0x{pa:x} ({t.Method})") };
        if (esr is not null) evidence.Add(new($"ESR 0x{esr.Value:x}: {esr.Summary}"));
        evidence.AddRange(nomap.Select(n => new EvidenceItem($"PA 0x{pa:x} is in no-map region {n.Name} {n.Range.ToKernelString()}", n.Source)));
        var how = external
            ? "The access ended in an external abort: the memory behind it refuses the kernel (secure or firmware-owned)."
            : t.Region == VaRegion.Linear
                ? "The kernel addressed it through the linear map, where no-map memory has no mapping: a driver used phys_to_virt()/__va() on it."
                : "A mapping of it faulted.";
        yield return new RootCauseFinding(Id, Title, confidence,
            $"PA 0x{pa:x} lies in {region.Name} {region.Range.ToKernelString()}, which is no-map. {how}",
            evidence,
            "Map the region with memremap()/of_reserved_mem_lookup()+memremap() in the driver that owns it, or drop no-map if the kernel must use it directly; if firmware owns it, find the code that touched it (pc, call trace).",
            region)
        { ExplainsFault = true };
    }
}
