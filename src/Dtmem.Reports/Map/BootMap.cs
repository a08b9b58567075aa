using Dtmem.DeviceTree.Model;
using Dtmem.Kernel.Placement;
using Dtmem.Layout.Checks;
using Dtmem.Layout.Model;
using Dtmem.Layout.Ranges;
using Dtmem.Reports.Findings;
using Dtmem.Reports.Simulation;

namespace Dtmem.Reports.Map;

public sealed partial class MapModel
{
    /// <summary>
    /// The map of a simulated boot: RAM as memblock.memory ends up, every owner of the final table in its lane,
    /// the findings (keyed f1, f2, ... in the given order) and the simulated events.
    /// </summary>
    /// <param name="baseDirectory">Folder source paths are shown relative to (default: the current folder).</param>
    /// <param name="kernelSections">The kernel's sections (from System.map or vmlinux symbols, or iomem), drawn instead of one block.</param>
    public static MapModel FromBoot(BootResult boot, IReadOnlyList<Finding> findings, string? title = null, string? baseDirectory = null,
        IReadOnlyList<KernelSection>? kernelSections = null)
    {
        var dir = baseDirectory ?? Environment.CurrentDirectory;
        var input = boot.Input;
        var regions = new List<MapRegion>();

        foreach (var ram in boot.Memory)
        {
            var bank = input.MemoryBanks.FirstOrDefault(b => b.Range.Overlaps(ram));
            var fromOverride = input.MemoryOverride is not null;
            regions.Add(new MapRegion(MapLane.Ram, ram, "RAM")
            {
                NodePath = fromOverride ? null : bank?.NodePath,
                Source = fromOverride ? input.MemoryOverride!.Origin : Where(bank?.Span, dir) ?? "the device tree's memory nodes",
                Assumed = input.MemoryOverride?.IsAssumed ?? false,
                Notes = fromOverride || bank is null || bank.Range == ram ? [] : [$"bank {bank.Range.ToKernelString()} as written; memblock keeps {ram.ToKernelString()}"],
            });
        }

        foreach (var o in boot.Owners)
        {
            var region = FromOwner(boot, o, dir);
            if (o.Kind == OwnerKind.Kernel && kernelSections is { Count: > 0 })
                regions.AddRange(Sections(region, kernelSections));
            else
                regions.Add(region);
        }

        var keyed = findings.Select((f, i) => MapFinding.FromFinding($"f{i + 1}", f, dir)).ToList();
        var events = boot.Events.Select(e => new MapEvent(e.Function, EventText(e))
        {
            Range = e.Range,
            Quiet = e.LogLine is null || e.DebugOnly,
        });
        return new MapModel(title ?? $"{input.SourceFile ?? "board"}: Linux {input.Kernel.Version.Value} physical memory after boot", regions, keyed, events: events)
        {
            Assumptions = boot.PredictedCrash is { } crash ? [.. boot.Assumptions, "predicted crash: " + crash] : boot.Assumptions,
            Input = input.SourceFile,
        };
    }

    private static MapRegion FromOwner(BootResult boot, RegionOwner o, string dir)
    {
        // The owner's origin is already the source (no span) or says "reg of <node path>" (span): not repeated as a note.
        var notes = new List<string>();
        if (o.IsAssumed) notes.Add("placement assumed");
        var lane = o.Kind switch
        {
            OwnerKind.Kernel => MapLane.Kernel,
            OwnerKind.Initrd or OwnerKind.Dtb => MapLane.InitrdDtb,
            OwnerKind.MemReserve => MapLane.MemReserve,
            OwnerKind.DefaultCma => MapLane.DefaultCma,
            OwnerKind.AtomicPool => MapLane.Other,
            _ => MapLane.Reserved,
        };
        var given = false;
        if (o.Kind == OwnerKind.DefaultCma)
            given = boot.CmaAreas.Any(a => a.Node is null && a.Range.Overlaps(o.Range) && a.Activated == true);
        if (o.Region is { } node)
        {
            var cma = boot.CmaAreas.FirstOrDefault(a => a.Node == node);
            lane = node.NoMap ? MapLane.NoMap : cma is not null ? MapLane.Cma : MapLane.Reserved;
            given = cma?.Activated == true;
            if (node.IsDynamic) notes.Add("dynamically placed");
            if (cma is { IsDefault: true }) notes.Add("the default CMA area (linux,cma-default)");
            if (cma?.ActivationProblem is { } p) notes.Add("CMA activation: " + p);
            if (boot.OutcomeOf(node) is { } outcome)
            {
                notes.Add("status: " + outcome.Status + (outcome.Why is { } why ? $" ({why})" : ""));
                if (outcome.Init != InitStatus.NotRun)
                    notes.Add("init: " + outcome.Init + (outcome.InitDetail is { } d ? $" ({d})" : ""));
                if (outcome.ReleasedRange is { } rel) notes.Add($"init failed: {rel.ToKernelString()} given back to memblock");
            }
        }
        if (given) notes.Add("given to the page allocator (MIGRATE_CMA pageblocks)");
        var state = boot.Map.In(o.Range).Select(p => SimulationText.StateText(p.State)).Distinct().ToList();
        if (state.Count > 0) notes.Add("page state after boot: " + string.Join(", ", state));
        return new MapRegion(lane, o.Range, o.Region?.Name ?? o.Name)
        {
            NodePath = o.Region?.Path,
            Source = Where(o.Span, dir) ?? o.Origin,
            Notes = notes,
            GivenToPageAllocator = given,
            Assumed = o.IsAssumed,
            Nested = o.Kind == OwnerKind.AtomicPool,
        };
    }

    /// <summary>
    /// The kernel block cut into its sections; what no section covers (alignment padding, the gap before _stext)
    /// stays drawn as "kernel image", so the lane still shows every reserved byte.
    /// </summary>
    private static IEnumerable<MapRegion> Sections(MapRegion kernel, IReadOnlyList<KernelSection> sections)
    {
        var covered = new List<AddressRange>();
        foreach (var sec in sections.OrderBy(x => x.Start))
        {
            if (sec.End <= sec.Start) continue;
            var range = new AddressRange(sec.Start, sec.End).Intersect(kernel.Range);
            if (range.IsEmpty || covered.Any(c => c.Overlaps(range))) continue;
            covered.Add(range);
            yield return kernel with
            {
                Range = range,
                Label = sec.Name.StartsWith("Kernel", StringComparison.Ordinal) ? sec.Name : "kernel " + sec.Name,
                Source = sec.Origin,
            };
        }
        var rest = new List<AddressRange> { kernel.Range };
        foreach (var c in covered) rest = [.. rest.SelectMany(r => r.Subtract(c))];
        foreach (var r in rest) yield return kernel with { Range = r };
    }

    private static string? Where(SourceSpan? span, string dir) => span is null ? null : SourcePaths.Location(span, dir);

    private static string EventText(BootEvent e)
    {
        if (e.LogLine is { } line) return e.Note is { } n ? $"{line}  (dtmem: {n})" : line;
        return $"{e.Note ?? e.Kind.ToString()}{(e.Range is { } r ? " " + r.ToKernelString() : "")} (silent)";
    }
}
