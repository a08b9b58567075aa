using System.Numerics;
using Dtmem.Layout.Model;
using Dtmem.Layout.Ranges;

namespace Dtmem.Layout.Checks;

public sealed class ReservedMemoryFormat : Check
{
    public override string Id => "DTM001";
    public override string Name => "reserved-memory-format";
    public override Severity DefaultSeverity => Severity.Error;
    public override string Summary => "/reserved-memory lacks #address-cells/#size-cells equal to the root's, or lacks ranges: the whole node is ignored";
    public override string Rationale =>
        "__reserved_mem_check_root() requires both cell properties to be present and equal to the root's, and a ranges property. " +
        "If any check fails the kernel prints 'Reserved memory: unsupported node format, ignoring' and reserves nothing: firmware memory becomes ordinary RAM. All versions.";
    public override string Fix => "Give /reserved-memory the root's #address-cells and #size-cells and an empty 'ranges;'.";

    public override IEnumerable<Finding> Run(BootResult result)
    {
        var root = result.Input.ReservedMemory;
        if (root is null) yield break;
        var problems = new List<string>();
        var ac = result.Input.RootAddressCells.Value;
        var sc = result.Input.RootSizeCells.Value;
        if (root.AddressCells != ac) problems.Add(root.AddressCells is { } a ? $"#address-cells is {a}, the root's is {ac}" : "#address-cells is missing");
        if (root.SizeCells != sc) problems.Add(root.SizeCells is { } s ? $"#size-cells is {s}, the root's is {sc}" : "#size-cells is missing");
        if (!root.HasRanges) problems.Add("ranges is missing");
        if (problems.Count == 0) yield break;
        var span = root.AddressCells != ac ? root.AddressCellsSpan ?? root.Span : root.SizeCells != sc ? root.SizeCellsSpan ?? root.Span : root.Span;
        var count = result.Input.Regions.Count;
        yield return Make($"{root.Path}: {string.Join("; ", problems)}. The kernel ignores the whole node, so none of its {count} region(s) is reserved.",
            span, root.Path, null, [new RelatedLocation("root cell counts", result.Input.RootCellsSpan)],
            [new FactRef("root #address-cells", ac.ToString(System.Globalization.CultureInfo.InvariantCulture), result.Input.RootAddressCells.Origin, false),
             new FactRef("root #size-cells", sc.ToString(System.Globalization.CultureInfo.InvariantCulture), result.Input.RootSizeCells.Origin, false)]);
    }
}

public sealed class MalformedRegionProperty : Check
{
    public override string Id => "DTM002";
    public override string Name => "malformed-region-property";
    public override Severity DefaultSeverity => Severity.Error;
    public override string Summary => "A reserved-memory property has a length the kernel rejects, or a dynamic alignment that is not a power of two";
    public override string Rationale =>
        "reg must be whole (address, size) tuples in the root's cells ('invalid reg property', node skipped). For dynamic nodes size must be #size-cells, " +
        "alignment #address-cells (not size cells) and alloc-ranges whole pairs, else the node is skipped. A non-power-of-two alignment breaks the allocator's mask arithmetic. " +
        "alignment and alloc-ranges are read only for dynamic nodes.";
    public override string Fix => "Write the property with the cell counts of the root node.";

    public override IEnumerable<Finding> Run(BootResult result)
    {
        foreach (var node in LiveRegions(result))
        {
            foreach (var m in node.Malformed)
                yield return Make($"{node.Path}: '{m.Name}' is {m.Length} bytes, the kernel needs {m.Expected}; it skips the node, so nothing is reserved for it.",
                    m.Span ?? node.Span, node.Path, null, facts: [new FactRef("root cells", $"{result.Input.RootAddressCells.Value}/{result.Input.RootSizeCells.Value}", "root node", false)]);
            if (node.IsDynamic && node.Alignment is { } al && al != 0 && !BitOperations.IsPow2(al))
                yield return Make($"{node.Path}: alignment {Hex(al)} is not a power of two; the allocator's round-down mask then gives unaligned or wrong bases.",
                    node.AlignmentSpan, node.Path, null);
        }
    }
}

public sealed class MultiEntryReg : Check
{
    public override string Id => "DTM016";
    public override string Name => "multi-entry-reg";
    public override Severity DefaultSeverity => Severity.Warning;
    public override string Summary => "A reserved-memory region has more than one reg tuple";
    public override string Rationale =>
        "Every tuple is reserved, but only the first reaches reserved_mem[] and the init function: a CMA or DMA pool covers only the first tuple. 6.12 logs 'ignores %d regions'.";
    public override string Fix => "Split the region into one node per range.";

    public override IEnumerable<Finding> Run(BootResult result)
    {
        foreach (var node in LiveRegions(result).Where(n => n.Reg.Count > 1))
            yield return Make($"{node.Path} has {node.Reg.Count} reg tuples: all are reserved, but only the first {R(node.Reg[0].Range)} is managed by its driver or CMA.",
                node.RegSpan, node.Path, node.Reg[0].Range);
    }
}

public sealed class RegionNotPageAligned : Check
{
    public override string Id => "DTM025";
    public override string Name => "region-not-page-aligned";
    public override Severity DefaultSeverity => Severity.Info;
    public override string Summary => "A static region's base or size is not page-aligned";
    public override string Rationale =>
        "memblock is byte-granular but mapping and freeing work on pages: before 6.12.117 the partial page next to a no-map region could stay in the linear map; after it a gap page is lost.";
    public override string Fix => "Round the region out to whole pages.";

    public override IEnumerable<Finding> Run(BootResult result)
    {
        var page = (ulong)result.Rules.PageSize;
        foreach (var node in LiveRegions(result))
            foreach (var t in node.Reg.Where(t => t.Size != 0 && ((t.Base | t.Size) & (page - 1)) != 0))
                yield return Make($"{node.Path} {R(t.Range)} is not aligned to the {SizeText.Human(page)} page size{(node.NoMap ? "; as a no-map region its edge pages are mapped or lost depending on the version" : "")}.",
                    node.RegSpan, node.Path, t.Range, facts: [new FactRef("page size", SizeText.Human(page), result.Input.Kernel.EffectiveConfig.PageSize.Origin, result.Input.Kernel.EffectiveConfig.PageSize.IsAssumed)]);
    }
}

public sealed class InactiveProperty : Check
{
    public override string Id => "DTM028";
    public override string Name => "inactive-property";
    public override Severity DefaultSeverity => Severity.Info;
    public override string Summary => "A reusable region carries the vendor 'inactive' property";
    public override string Rationale => "Mainline 5.4–6.12 never reads 'inactive'; do not rely on it to keep the kernel off the region (Rockchip BSP trees set it on linux,cma).";
    public override string Fix => "Treat the region as active; fix its placement instead.";

    public override IEnumerable<Finding> Run(BootResult result)
    {
        foreach (var node in LiveRegions(result).Where(n => n.Inactive && n.Reusable))
            yield return Make($"{node.Path} has 'inactive', which mainline kernels ignore: the region is set up as usual.", node.InactiveSpan ?? node.Span, node.Path, null);
    }
}

public sealed class ZeroSizeRegion : Check
{
    /// <summary>Names vendor bootloaders fill in at boot (Rockchip U-Boot: drm-logo, drm-cubic-lut, stb-devinfo).</summary>
    private static readonly string[] Placeholders = ["drm-logo", "drm-cubic-lut", "stb-devinfo"];

    public override string Id => "DTM029";
    public override string Name => "zero-size-region";
    public override Severity DefaultSeverity => Severity.Warning;
    public override string Summary => "A static region has size 0";
    public override string Rationale =>
        "A reg tuple of size 0 reserves nothing and prints 'failed to reserve memory for node'. Rockchip U-Boot fills in drm-logo and friends; if it does not, the driver has no memory.";
    public override string Fix => "Give the real size, or make sure the bootloader fills it in.";

    public override IEnumerable<Finding> Run(BootResult result)
    {
        foreach (var node in LiveRegions(result))
            foreach (var t in node.Reg.Where(t => t.Size == 0))
            {
                var placeholder = Placeholders.Any(p => node.Name.StartsWith(p, StringComparison.Ordinal));
                yield return Make(
                    $"{node.Path} reserves {Hex(t.Base)} with size 0: the kernel prints 'failed to reserve memory for node' and reserves nothing" +
                    (placeholder ? " unless the bootloader fills the node in (a known U-Boot placeholder)." : "."),
                    node.RegSpan, node.Path, null, severity: placeholder ? Severity.Info : Severity.Warning);
            }
    }
}

public sealed class RegionWithoutPlacement : Check
{
    public override string Id => "DTM030";
    public override string Name => "region-without-placement";
    public override Severity DefaultSeverity => Severity.Warning;
    public override string Summary => "A reserved-memory child has neither reg nor size";
    public override string Rationale => "The kernel ignores such a node: nothing is reserved and no init function runs.";
    public override string Fix => "Add reg (static) or size (dynamic).";

    public override IEnumerable<Finding> Run(BootResult result)
    {
        foreach (var o in result.Regions.Where(o => o.Status == RegionStatus.NoPlacement))
            yield return Make($"{o.Node.Path} has neither reg nor size: the kernel ignores it.", o.Node.Span, o.Node.Path, null);
    }
}

public sealed class CmaDefaultOnNonCma : Check
{
    public override string Id => "DTM031";
    public override string Name => "cma-default-on-non-cma";
    public override Severity DefaultSeverity => Severity.Warning;
    public override string Summary => "linux,cma-default on a node that cannot become CMA";
    public override string Rationale => "rmem_cma_setup() accepts only shared-dma-pool nodes with reusable and without no-map; on any other node linux,cma-default does nothing.";
    public override string Fix => "Make the node 'compatible = \"shared-dma-pool\"; reusable;' without no-map, or drop linux,cma-default.";

    public override IEnumerable<Finding> Run(BootResult result)
    {
        foreach (var node in LiveRegions(result).Where(n => n.CmaDefault && (!n.IsSharedDmaPool || !n.Reusable || n.NoMap)))
        {
            var why = !node.IsSharedDmaPool ? "it is not compatible with shared-dma-pool" : !node.Reusable ? "it lacks reusable" : "it has no-map";
            yield return Make($"{node.Path} has linux,cma-default but {why}, so it never becomes the default CMA area.", node.CmaDefaultSpan ?? node.Span, node.Path, null);
        }
    }
}
