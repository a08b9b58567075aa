using Dtmem.Diagnosis.Attribution;

namespace Dtmem.Diagnosis.RootCause;

/// <summary>
/// RC102 (forensic). /proc/iomem shows a `reserved` entry that ends right where `Kernel code` begins. With a 5.4-era
/// Image the 512 KiB TEXT_OFFSET gap below _text is free on a healthy boot; a reservation there is one that starts
/// below the kernel and runs on over it (memblock merged the two), which is what a static CMA pool over the image does.
/// </summary>
public sealed class ReservedBelowKernelCode : RootCauseRule
{
    public override string Id => "RC102";
    public override string Title => "A reservation runs into Kernel code (iomem)";

    public override IEnumerable<RootCauseFinding> Evaluate(DiagnosisContext c)
    {
        var iomem = c.Regions.Regions.Where(r => r.Source.Kind == "iomem").ToList();
        foreach (var code in iomem.Where(r => r.Role == RegionRole.KernelCode))
        {
            var before = iomem.FirstOrDefault(r => r.Role == RegionRole.Reserved && r.Range.End == code.Range.Start);
            if (before is null) continue;
            var cma = c.Regions.Regions.Where(r => r.IsCma && r.Range.Contains(before.Range.Start) && r.Range.Overlaps(code.Range)).ToList();
            var evidence = new List<EvidenceItem>
            {
                new($"reserved {before.Range.ToKernelString()} ({SizeOf(before.Range.Size)}) ends where Kernel code starts", before.Source),
                new($"Kernel code {code.Range.ToKernelString()}", code.Source),
            };
            evidence.AddRange(cma.Select(p => new EvidenceItem($"CMA pool {p.Name} {p.Range.ToKernelString()} covers both", p.Source)));
            yield return new RootCauseFinding(Id, Title, cma.Count > 0 ? Confidence.High : Confidence.Low,
                $"/proc/iomem shows reserved {before.Range.ToKernelString()} directly below Kernel code at 0x{code.Range.Start:x}. " +
                "The space below _text is free on a healthy boot; a reservation there is one that starts below the kernel and continues over it " +
                (cma.Count > 0 ? $"(here the CMA pool {cma[0].Name})." : "(typically a static CMA pool over the image; the boot log's `created CMA memory pool` line names it)."),
                evidence,
                "Find the /reserved-memory node whose reg starts at " + $"0x{before.Range.Start:x}" + " and move it off the kernel image.",
                cma.FirstOrDefault() ?? before);
        }
    }
}
