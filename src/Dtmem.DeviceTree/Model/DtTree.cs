namespace Dtmem.DeviceTree.Model;

/// <summary>One <c>/memreserve/</c> entry (an FDT memory-reservation block entry).</summary>
public sealed record MemReserve(ulong Address, ulong Size, SourceSpan? Span = null)
{
    public List<string> Labels { get; init; } = [];
}

/// <summary>A whole device tree: the root node, the memory-reservation block and header facts.</summary>
public sealed class DtTree
{
    public DtTree(DtNode root) => Root = root;

    public DtNode Root { get; }

    public List<MemReserve> MemReserves { get; } = [];

    /// <summary>FDT header <c>boot_cpuid_phys</c>.</summary>
    public uint BootCpuId { get; set; }

    /// <summary>True for <c>/plugin/</c> sources (overlays).</summary>
    public bool IsPlugin { get; set; }

    /// <summary>The file it was read from (for findings that have no finer location).</summary>
    public string? SourceFile { get; set; }

    /// <summary>Looks up a node by absolute path (<c>/reserved-memory/linux,cma</c>); null when absent.</summary>
    public DtNode? Find(string path)
    {
        if (path == "/") return Root;
        if (!path.StartsWith('/')) return null;
        var node = Root;
        foreach (var part in path[1..].Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var next = node.Child(part);
            if (next is null)
            {
                // Match on base name when the path omits the unit address, as of_find_node_by_path does.
                foreach (var c in node.Children)
                    if (c.BaseName == part) { next = c; break; }
            }
            if (next is null) return null;
            node = next;
        }
        return node;
    }
}
