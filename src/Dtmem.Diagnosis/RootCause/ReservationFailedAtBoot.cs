using Dtmem.Diagnosis.Attribution;
using Dtmem.Diagnosis.Boot;

namespace Dtmem.Diagnosis.RootCause;

/// <summary>
/// RC106. The boot log shows a /reserved-memory region that was not set up: `failed to reserve memory for node`
/// (a non-empty range left as ordinary RAM), `failed to allocate memory for node`, `incorrect alignment of CMA region`,
/// or a CMA area that could not be activated. Its device has no memory of its own, or shares it with the kernel.
/// </summary>
public sealed class ReservationFailedAtBoot : RootCauseRule
{
    public override string Id => "RC106";
    public override string Title => "A reserved-memory region was not set up at boot";

    public override IEnumerable<RootCauseFinding> Evaluate(DiagnosisContext c)
    {
        if (c.Boot is null) yield break;
        // Nodes with size 0 are placeholders a bootloader did not fill in: they reserve nothing and lose nothing.
        foreach (var f in c.Boot.OfKind(BootRangeKind.ReserveFailed).Where(f => f.Range.Size > 0))
        {
            var src = RegionSource.FromLine("log", f.Source);
            yield return new RootCauseFinding(Id, Title, Confidence.High,
                $"The kernel failed to reserve {f.Name} {f.Range}: the range stayed ordinary RAM, so the page allocator hands out pages its owner also uses.",
                [new(f.Source.Raw.Trim(), src)],
                $"Find why {f.Name} could not be reserved (an overlap with the kernel, the initrd or another region; a range outside RAM) and move it.",
                new KnownRegion(RegionRole.ReserveFailed, f.Name ?? "reserved-memory node", f.Range.ToAddressRange(), src));
        }
        foreach (var m in c.Boot.Messages.Where(m => m.Kind == BootMessageKind.RmemUnsupportedFormat))
        {
            yield return new RootCauseFinding(Id, Title, Confidence.High,
                "The kernel ignored all of /reserved-memory (`unsupported node format`): its #address-cells/#size-cells differ from the root's, or it has no `ranges`. No region in it was reserved.",
                [new(m.Source.Raw.Trim(), RegionSource.FromLine("log", m.Source))],
                "Give /reserved-memory the root's #address-cells and #size-cells and an empty `ranges;`.");
        }
        foreach (var m in c.Boot.Messages.Where(m => m.Kind is BootMessageKind.RmemAllocFailed or BootMessageKind.RmemIncorrectCmaAlignment
                     or BootMessageKind.CmaNotActivated or BootMessageKind.CmaFailed))
        {
            yield return new RootCauseFinding(Id, Title, Confidence.Medium,
                $"The boot log says: {m.Text.Trim()}. {(m.Name is { } n ? $"{n} has" : "The region has")} no usable pool, and on the failure path the kernel gives the range back to the page allocator.",
                [new(m.Source.Raw.Trim(), RegionSource.FromLine("log", m.Source))],
                "Fix the node's size, alignment (CMA wants its order-aligned size) or placement so the kernel can set it up.");
        }
    }
}
