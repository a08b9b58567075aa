using System.Buffers.Binary;
using System.Text;
using Dtmem.DeviceTree.Model;

namespace Dtmem.DeviceTree.Overlay;

/// <summary>
/// Node lookups with libfdt's exact matching rules, which overlay application depends on: a name without
/// '@' also matches <c>name@unit</c>, the first matching child wins, and a path that does not start
/// with '/' begins with an alias from <c>/aliases</c>.
/// </summary>
internal static class LibfdtLookup
{
    /// <summary>fdt_subnode_offset_namelen: the first child whose name equals <paramref name="name"/>, or
    /// whose base name does when <paramref name="name"/> has no unit address.</summary>
    public static DtNode? Subnode(DtNode parent, ReadOnlySpan<char> name)
    {
        var noUnit = name.IndexOf('@') < 0;
        foreach (var c in parent.Children)
        {
            var n = c.Name.AsSpan();
            if (!n.StartsWith(name, StringComparison.Ordinal)) continue;
            if (n.Length == name.Length || (noUnit && n[name.Length] == '@')) return c;
        }
        return null;
    }

    /// <summary>fdt_path_offset: resolves an absolute path or an alias-relative one; null when absent.</summary>
    public static DtNode? Path(DtNode root, string path)
    {
        var p = path.AsSpan();
        var node = root;
        if (!p.StartsWith("/"))
        {
            var slash = p.IndexOf('/');
            var alias = slash < 0 ? p : p[..slash];
            var aliases = Path(root, "/aliases");
            var target = aliases is null ? null : FirstProperty(aliases, alias);
            if (target is null) return null;
            var resolved = Path(root, CString(target.Value));
            if (resolved is null) return null;
            node = resolved;
            p = slash < 0 ? [] : p[slash..];
        }
        while (!p.IsEmpty)
        {
            p = p.TrimStart('/');
            if (p.IsEmpty) break;
            var slash = p.IndexOf('/');
            var part = slash < 0 ? p : p[..slash];
            node = Subnode(node, part);
            if (node is null) return null;
            p = slash < 0 ? [] : p[slash..];
        }
        return node;
    }

    public static DtProperty? FirstProperty(DtNode node, ReadOnlySpan<char> name)
    {
        foreach (var p in node.Properties)
            if (name.SequenceEqual(p.Name)) return p;
        return null;
    }

    /// <summary>fdt_get_phandle: <c>phandle</c>, else <c>linux,phandle</c>, when 4 bytes long; else 0.</summary>
    public static uint Phandle(DtNode node)
    {
        var p = node.Property("phandle");
        if (p is null || p.Value.Length != 4) p = node.Property("linux,phandle");
        return p is null || p.Value.Length != 4 ? 0 : BinaryPrimitives.ReadUInt32BigEndian(p.Value);
    }

    /// <summary>fdt_node_offset_by_phandle: the first node in document order carrying the phandle.</summary>
    public static DtNode? ByPhandle(DtNode root, uint phandle)
    {
        if (phandle is 0 or uint.MaxValue) return null;
        foreach (var n in root.DescendantsAndSelf())
            if (Phandle(n) == phandle) return n;
        return null;
    }

    /// <summary>The bytes up to the first NUL, as C string functions see them.</summary>
    public static string CString(byte[] v)
    {
        var nul = Array.IndexOf(v, (byte)0);
        return Encoding.UTF8.GetString(v, 0, nul < 0 ? v.Length : nul);
    }
}
