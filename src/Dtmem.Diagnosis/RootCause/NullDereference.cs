using Dtmem.Diagnosis.Translation;

namespace Dtmem.Diagnosis.RootCause;

/// <summary>RC006. The faulting address is below one page: a NULL pointer plus a member offset. Not a layout problem.</summary>
public sealed class NullDereference : RootCauseRule
{
    public override string Id => "RC006";
    public override string Title => "NULL pointer dereference";

    public override IEnumerable<RootCauseFinding> Evaluate(DiagnosisContext c)
    {
        if (c.Oops is not { } o) yield break;
        bool byAddress = c.Translation?.Region == VaRegion.Null;
        if (!byAddress && o.Kind != Oops.OopsKind.NullPointer) yield break;
        var evidence = new List<EvidenceItem>();
        if (o.FaultDescription is { } fd) evidence.Add(new($"fault: {fd.Value}" + (o.FaultAddress is { } fa ? $" at 0x{fa.Value:x}" : ""), Attribution.RegionSource.FromLine("log", fd.Source)));
        if (o.Pc is { } pc) evidence.Add(new($"pc: {pc.Value}", Attribution.RegionSource.FromLine("log", pc.Source)));
        var offset = o.FaultAddress?.Value;
        yield return new RootCauseFinding(Id, Title, Confidence.High,
            $"{(o.Pc is { } p ? p.Value.Symbol ?? "The code at pc" : "The code at pc")} dereferenced a NULL pointer" +
            (offset is { } off && off != 0 ? $" (member at offset 0x{off:x})" : "") +
            ". The address is not physical memory at all: this is a code bug (a missing check or an uninitialised pointer), not a memory-layout problem.",
            evidence,
            "Resolve pc to a source line (scripts/faddr2line vmlinux <pc symbol>) and find which pointer was NULL; the call trace shows how it got there.")
        { ExplainsFault = true };
    }
}
