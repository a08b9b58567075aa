using Dtmem.Diagnosis.Attribution;

namespace Dtmem.Diagnosis.RootCause;

/// <summary>
/// RC104. A CMA pool overlaps the initrd. CMA activation (core_initcall) frees the pool's pages before
/// populate_rootfs unpacks the initramfs, so the archive can be overwritten before it is read.
/// </summary>
public sealed class CmaOverInitrd : RootCauseRule
{
    public override string Id => "RC104";
    public override string Title => "CMA pool over the initrd (layout)";

    public override IEnumerable<RootCauseFinding> Evaluate(DiagnosisContext c)
    {
        var initrds = c.Regions.OfRole(RegionRole.Initrd).ToList();
        if (initrds.Count == 0) yield break;
        foreach (var group in c.Regions.Regions.Where(r => r.IsCma && initrds.Any(i => i.Range.Overlaps(r.Range))).GroupBy(p => p.Range.Start))
        {
            var pool = Prefer(group);
            var initrd = Prefer(initrds.Where(i => i.Range.Overlaps(pool.Range)));
            var overlap = pool.Range.Intersect(initrd.Range);
            yield return new RootCauseFinding(Id, Title, initrd.Inferred ? Confidence.Medium : Confidence.High,
                $"The CMA pool {pool.Name} {pool.Range.ToKernelString()} overlaps the initrd {initrd.Range.ToKernelString()} by {SizeOf(overlap.Size)}. " +
                "CMA activation frees those pages before the initramfs is unpacked: a corrupt or truncated initramfs, or a panic in populate_rootfs.",
                [new($"CMA pool {pool.Name} {pool.Range.ToKernelString()}", pool.Source), new($"initrd {initrd.Range.ToKernelString()}", initrd.Source)],
                $"Move {pool.Name} or the initrd (the bootloader's ramdisk address) so they do not meet.",
                pool);
        }
    }
}
