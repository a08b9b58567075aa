using Dtmem.DeviceTree.Model;

namespace Dtmem.DeviceTree.Dts;

/// <summary>Turns dtc's live tree (deleted entries included) into the shared model (live entries only).</summary>
internal static class ModelBuilder
{
    public static DtTree Build(ParsedSource src, uint bootCpu, string fileName)
    {
        var tree = new DtTree(Node(src.Root)) { BootCpuId = bootCpu, IsPlugin = src.IsPlugin, SourceFile = fileName };
        tree.MemReserves.AddRange(src.MemReserves);
        return tree;
    }

    private static DtNode Node(LNode n)
    {
        var node = new DtNode(n.Name) { Phandle = n.Phandle, OmitIfNoRef = n.OmitIfUnused, IsReferenced = n.IsReferenced };
        node.Spans.AddRange(n.Spans);
        foreach (var l in n.LabelSpan)
            if (!l.Deleted) node.Labels.Add(l.Name);
        node.Properties.EnsureCapacity(n.Props.Count);
        node.Children.EnsureCapacity(n.Children.Count);
        foreach (var p in n.Props)
        {
            if (p.Deleted) continue;
            var prop = new DtProperty(p.Name, p.Value.Detach());
            if (p.FirstSpan is not null) prop.Spans.Add(p.FirstSpan);
            prop.Spans.AddRange(p.MoreSpanSpan);
            foreach (var l in p.LabelSpan)
                if (!l.Deleted) prop.Labels.Add(l.Name);
            if (p.Value.Markers is not null)
            {
                prop.Markers.EnsureCapacity(p.Value.Markers.Count);
                foreach (var m in p.Value.Markers) prop.Markers.Add(Marker(m));
            }
            node.Properties.Add(prop);
        }
        foreach (var c in n.Children)
            if (!c.Deleted) node.AddChild(Node(c));
        return node;
    }

    // Type markers carry no span: only labels and references are worth pointing at, and spans cost an allocation each.
    private static ValueMarker Marker(LMarker m) => m.Kind switch
    {
        LMarkerKind.Label => new ValueMarker(MarkerKind.Label, m.Offset, m.Text, 0, m.Span),
        LMarkerKind.RefPhandle => new ValueMarker(MarkerKind.PhandleRef, m.Offset, m.Text, 32, m.Span),
        LMarkerKind.RefPath => new ValueMarker(MarkerKind.PathRef, m.Offset, m.Text, 0, m.Span),
        LMarkerKind.TypeUint8 => new ValueMarker(MarkerKind.TypeCells, m.Offset, null, 8),
        LMarkerKind.TypeUint16 => new ValueMarker(MarkerKind.TypeCells, m.Offset, null, 16),
        LMarkerKind.TypeUint32 => new ValueMarker(MarkerKind.TypeCells, m.Offset, null, 32),
        LMarkerKind.TypeUint64 => new ValueMarker(MarkerKind.TypeCells, m.Offset, null, 64),
        LMarkerKind.TypeString => new ValueMarker(MarkerKind.TypeString, m.Offset),
        _ => new ValueMarker(MarkerKind.TypeBytes, m.Offset, null, 8),
    };
}
