using System.Text;
using Dtmem.DeviceTree.Model;

namespace Dtmem.DeviceTree.Fdt;

public ref partial struct FdtReader
{
    /// <summary>
    /// Reads a whole DTB into a <see cref="DtTree"/>. Every node, property and reservation carries
    /// <see cref="SourceSpan.Binary"/> with the byte offset of its token. Phandles come from the
    /// <c>phandle</c> (or legacy <c>linux,phandle</c>) property.
    /// </summary>
    /// <param name="warn">Receives findings that do not stop reading: a property after a subnode (dtc warns), and
    /// duplicate node or property names (dtc refuses such a tree; the first of the duplicates is what lookups find).</param>
    public static DtTree ReadTree(ReadOnlySpan<byte> blob, string fileName, Action<SourceSpan, string>? warn = null)
    {
        var reader = new FdtReader(blob, fileName);
        DtTree? tree = null;
        DtNode? node = null;
        // Property names are shared through the strings block: one string per distinct offset.
        var names = new Dictionary<int, string>();
        HashSet<string>? seen = null;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case FdtTokenType.BeginNode:
                {
                    var span = SourceSpan.Binary(fileName, reader.TokenOffset);
                    var child = new DtNode(Encoding.UTF8.GetString(reader.Name), span);
                    if (node is null) tree = new DtTree(child) { SourceFile = fileName };
                    else node.AddChild(child);
                    node = child;
                    break;
                }
                case FdtTokenType.EndNode:
                    if (warn is not null) WarnDuplicates(node!, seen ??= [], warn);
                    node = node!.Parent;
                    break;
                case FdtTokenType.Property:
                {
                    if (!names.TryGetValue(reader.NameOffset, out var name))
                        names[reader.NameOffset] = name = Encoding.UTF8.GetString(reader.Name);
                    var span = SourceSpan.Binary(fileName, reader.TokenOffset);
                    if (node!.Children.Count > 0)
                        warn?.Invoke(span, $"property \"{name}\" follows subnodes of {node.Path} (dtc: \"Flat tree input has subnodes preceding a property\")");
                    node.Properties.Add(new DtProperty(name, reader.Value.ToArray(), span));
                    if (reader.Value.Length == 4 && (name == "phandle" || (name == "linux,phandle" && node.Phandle == 0)))
                        node.Phandle = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(reader.Value);
                    break;
                }
            }
        }
        // Read() returns false only after a checked FDT_END, which requires a closed root node.
        var result = tree!;
        result.BootCpuId = reader.Header.BootCpuIdPhys;
        for (var i = 0; i < reader.MemReserveCount; i++)
        {
            var (address, size, offset) = reader.MemReserve(i);
            result.MemReserves.Add(new MemReserve(address, size, SourceSpan.Binary(fileName, offset)));
        }
        // A blob does not say it is an overlay; dtc's overlay output is recognised by its fixup nodes or fragments.
        result.IsPlugin = result.Root.Child("__fixups__") is not null || result.Root.Child("__local_fixups__") is not null
            || result.Root.Children.Exists(c => c.Child("__overlay__") is not null);
        return result;
    }

    private static void WarnDuplicates(DtNode node, HashSet<string> seen, Action<SourceSpan, string> warn)
    {
        seen.Clear();
        foreach (var p in node.Properties)
            if (!seen.Add(p.Name))
                warn(p.Span!, $"duplicate property {(node.Parent is null ? "/" : node.Path)}:{p.Name} (dtc: ERROR (duplicate_property_names))");
        seen.Clear();
        foreach (var c in node.Children)
            if (!seen.Add(c.Name))
                warn(c.Span!, $"duplicate node {c.Path} (dtc: ERROR (duplicate_node_names))");
    }
}
