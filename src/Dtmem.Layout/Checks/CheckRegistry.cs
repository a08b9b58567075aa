using Dtmem.Layout.Model;

namespace Dtmem.Layout.Checks;

/// <summary>Every check, in ID order: the one table, like dtc's checks.c.</summary>
public static class CheckRegistry
{
    public static IReadOnlyList<Check> All { get; } =
    [
        new ReservedMemoryFormat(),
        new MalformedRegionProperty(),
        new CmaOverlapsKernel(),
        new CmaOverlapsInitrd(),
        new CmaOverlapsDtb(),
        new CmaOverlapsReservation(),
        new FailedRegionFreesOthers(),
        new NoMapOverlapsImage(),
        new NoMapOverlapsMemreserve(),
        new CmaOutsideRam(),
        new RegionOutsideRam(),
        new CmaSpansZones(),
        new CmaMisaligned(),
        new DuplicateCmaDefault(),
        new CmdlineCmaOverridesDt(),
        new MultiEntryReg(),
        new DynamicRegionCannotFit(),
        new RegionsOverlap(),
        new TooManyRegions(),
        new CmaSlotsExhausted(),
        new ReusableAndNoMap(),
        new RestrictedPoolInvalid(),
        new DynamicOverMemreserve(),
        new MemLimitCutsRegion(),
        new RegionNotPageAligned(),
        new KernelMisaligned(),
        new KernelOutsideRam(),
        new InactiveProperty(),
        new ZeroSizeRegion(),
        new RegionWithoutPlacement(),
        new CmaDefaultOnNonCma(),
        new MemoryBanksOverlap(),
        new CmaAboveDmaLimit(),
        new DynamicPlacement(),
        new MemreserveOverlapsMappedRegion(),
    ];

    /// <summary>A check by ID (DTM003) or name (cma-overlaps-kernel), case-insensitive.</summary>
    public static Check? Find(string idOrName) =>
        All.FirstOrDefault(c => c.Id.Equals(idOrName, StringComparison.OrdinalIgnoreCase) || c.Name.Equals(idOrName, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Runs every check. <paramref name="severityOverrides"/> maps an ID or name to a severity, or to null to
    /// turn the check off (configuration decides severity, not code).
    /// </summary>
    public static IReadOnlyList<Finding> Run(BootResult result, IReadOnlyDictionary<string, Severity?>? severityOverrides = null)
    {
        var findings = new List<Finding>();
        foreach (var check in All)
        {
            Severity? forced = null;
            if (severityOverrides is not null &&
                (severityOverrides.TryGetValue(check.Id, out var o) || severityOverrides.TryGetValue(check.Name, out o)))
            {
                if (o is null) continue;
                forced = o;
            }
            foreach (var f in check.Run(result))
                findings.Add(forced is { } s ? f with { Severity = s } : f);
        }
        return findings;
    }
}
