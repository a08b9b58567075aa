using System.Buffers.Binary;
using System.Text;
using Dtmem.DeviceTree.Model;

namespace Dtmem.DeviceTree.Decompile;

/// <summary>
/// Writes a tree as DTS text exactly as dtc 1.6.1 prints it with <c>-O dts</c> (treesource.c): tab
/// indentation, properties before subnodes, a blank line before each subnode, and for values without type
/// markers (everything read from a DTB) dtc's guess between a string, 32-bit cells and bytes.
/// </summary>
public static class DtsWriter
{
    // dtc's enum markertype, in its order: everything from Uint8 on carries type information.
    private enum Kind { None, RefPhandle, RefPath, Label, Uint8, Uint16, Uint32, Uint64, String }

    private readonly record struct Marker(Kind Kind, int Offset, string? Ref);

    /// <summary>
    /// The whole tree as DTS text: for a tree read from a DTB, what <c>dtc -I dtb -O dts</c> writes; for a tree
    /// compiled from source, what <c>dtc -I dts -O dts</c> writes (labels kept, values typed by their markers),
    /// or with <paramref name="asBlob"/> what dtc prints for the compiled blob (no labels, types guessed).
    /// </summary>
    public static string Write(DtTree tree, bool asBlob = false)
    {
        var sb = new StringBuilder(4096);
        sb.Append("/dts-v1/;\n\n");
        foreach (var r in tree.MemReserves)
        {
            if (!asBlob)
                foreach (var l in r.Labels) sb.Append(l).Append(": ");
            sb.Append("/memreserve/\t0x").Append(r.Address.ToString("x16")).Append(" 0x").Append(r.Size.ToString("x16")).Append(";\n");
        }
        var dropName = !HasMalformedNameProperty(tree.Root);
        WriteNode(sb, tree.Root, 0, dropName, asBlob);
        return sb.ToString();
    }

    private static void WriteNode(StringBuilder sb, DtNode node, int level, bool dropName, bool asBlob)
    {
        sb.Append('\t', level);
        if (!asBlob)
            foreach (var l in node.Labels) sb.Append(l).Append(": ");
        sb.Append(node.Name.Length > 0 ? node.Name : "/").Append(" {\n");
        var redundantName = dropName ? RedundantNameProperty(node) : null;
        foreach (var p in node.Properties)
        {
            if (ReferenceEquals(p, redundantName)) continue;
            sb.Append('\t', level + 1);
            if (!asBlob)
                foreach (var l in p.Labels) sb.Append(l).Append(": ");
            sb.Append(p.Name);
            WriteValue(sb, p, asBlob);
        }
        foreach (var c in node.Children)
        {
            sb.Append('\n');
            WriteNode(sb, c, level + 1, dropName, asBlob);
        }
        sb.Append('\t', level).Append("};\n");
    }

    // dtc's name_properties check deletes a "name" property that merely repeats the node's base name
    // (only when the name_is_string prerequisite held for every node).
    private static DtProperty? RedundantNameProperty(DtNode node)
    {
        var p = node.Property("name");
        if (p is null) return null;
        var baseName = node.BaseName;
        var v = p.Value;
        if (v.Length != baseName.Length + 1 || v[^1] != 0) return null;
        for (var i = 0; i < baseName.Length; i++)
            if (v[i] != (byte)baseName[i]) return null;
        return p;
    }

    private static bool HasMalformedNameProperty(DtNode root)
    {
        foreach (var n in root.DescendantsAndSelf())
            foreach (var p in n.Properties)
                if (p.Name == "name" && !IsOneString(p.Value)) return true;
        return false;
    }

    private static bool IsOneString(byte[] v) => v.Length > 0 && v[^1] == 0 && Array.IndexOf(v, (byte)0) == v.Length - 1;

    private static void WriteValue(StringBuilder sb, DtProperty prop, bool asBlob)
    {
        var val = prop.Value;
        var len = val.Length;
        if (len == 0)
        {
            sb.Append(";\n");
            return;
        }
        sb.Append(" =");
        var markers = Markers(prop, asBlob);
        var emit = Kind.None;
        for (var i = 0; i < markers.Count; i++)
        {
            var m = markers[i];
            var chunkLen = (i + 1 < markers.Count ? markers[i + 1].Offset : len) - m.Offset;
            var typeLen = TypeMarkerLength(markers, i);
            var dataLen = typeLen != 0 ? typeLen : len - m.Offset;
            if (m.Kind >= Kind.Uint8)
            {
                emit = m.Kind;
                sb.Append(' ').Append(DelimStart(emit));
            }
            else if (m.Kind == Kind.Label)
            {
                sb.Append(' ').Append(m.Ref).Append(':');
            }
            else if (m.Offset != 0)
            {
                sb.Append(' ');
            }
            if (emit == Kind.None || chunkLen <= 0) continue;
            var chunk = val.AsSpan(m.Offset, chunkLen);
            switch (emit)
            {
                case Kind.Uint16: WriteInts(sb, chunk, 2); break;
                case Kind.Uint32: WriteInts(sb, chunk, 4); break;
                case Kind.Uint64: WriteInts(sb, chunk, 8); break;
                case Kind.String: WriteString(sb, chunk); break;
                default: WriteInts(sb, chunk, 1); break;
            }
            if (chunkLen == dataLen)
            {
                sb.Append(DelimEnd(emit));
                if (m.Offset + chunkLen != len) sb.Append(',');
                emit = Kind.None;
            }
        }
        sb.Append(";\n");
    }

    /// <summary>The property's markers in dtc terms; without type information, a guessed type marker goes first.</summary>
    private static List<Marker> Markers(DtProperty prop, bool asBlob)
    {
        var list = new List<Marker>(prop.Markers.Count + 1);
        foreach (var m in asBlob ? [] : prop.Markers)
        {
            var kind = m.Kind switch
            {
                MarkerKind.Label => Kind.Label,
                MarkerKind.PhandleRef => Kind.RefPhandle,
                MarkerKind.PathRef => Kind.RefPath,
                MarkerKind.TypeString => Kind.String,
                MarkerKind.TypeBytes => Kind.Uint8,
                MarkerKind.TypeCells => m.Bits switch { 8 => Kind.Uint8, 16 => Kind.Uint16, 64 => Kind.Uint64, _ => Kind.Uint32 },
                _ => Kind.None,
            };
            if (m.Offset >= 0 && m.Offset <= prop.Value.Length) list.Add(new Marker(kind, m.Offset, m.Text));
        }
        // Stable: markers at one offset keep their order (a type marker before the reference it starts with).
        if (!IsSorted(list)) list = [.. list.OrderBy(m => m.Offset)];
        if (!list.Exists(m => m.Kind >= Kind.Uint8)) list.Insert(0, new Marker(GuessType(prop.Value, list), 0, null));
        return list;
    }

    private static bool IsSorted(List<Marker> list)
    {
        for (var i = 1; i < list.Count; i++)
            if (list[i - 1].Offset > list[i].Offset) return false;
        return true;
    }

    private static int TypeMarkerLength(List<Marker> markers, int i)
    {
        for (var j = i + 1; j < markers.Count; j++)
            if (markers[j].Kind >= Kind.Uint8) return markers[j].Offset - markers[i].Offset;
        return 0;
    }

    // isstring() in treesource.c: printable ASCII, NUL, or one of \a \b \t \n \v \f \r.
    private static bool IsStringChar(byte c) => c is >= 0x20 and < 0x7f or 0 or (>= 7 and <= 13);

    /// <summary>dtc's guess_value_type: a string list when every byte is text and NULs are not the majority,
    /// else 32-bit cells when the length allows, else bytes.</summary>
    private static Kind GuessType(byte[] v, List<Marker> markers)
    {
        int notString = 0, nul = 0, notStringLabel = 0, notCellLabel = 0;
        foreach (var c in v)
        {
            if (!IsStringChar(c)) notString++;
            if (c == 0) nul++;
        }
        foreach (var m in markers)
        {
            if (m.Kind != Kind.Label) continue;
            if (m.Offset > 0 && v[m.Offset - 1] != 0) notStringLabel++;
            if (m.Offset % 4 != 0) notCellLabel++;
        }
        if (v[^1] == 0 && notString == 0 && nul <= v.Length - nul && notStringLabel == 0) return Kind.String;
        if (v.Length % 4 == 0 && notCellLabel == 0) return Kind.Uint32;
        return Kind.Uint8;
    }

    private static string DelimStart(Kind k) => k switch
    {
        Kind.Uint8 => "[",
        Kind.Uint16 => "/bits/ 16 <",
        Kind.Uint32 => "<",
        Kind.Uint64 => "/bits/ 64 <",
        _ => "",
    };

    private static string DelimEnd(Kind k) => k switch
    {
        Kind.Uint8 => "]",
        Kind.Uint16 or Kind.Uint32 or Kind.Uint64 => ">",
        _ => "",
    };

    private static void WriteInts(StringBuilder sb, ReadOnlySpan<byte> p, int width)
    {
        for (var i = 0; i + width <= p.Length; i += width)
        {
            switch (width)
            {
                case 1: sb.Append(p[i].ToString("x2")); break;
                case 2: sb.Append("0x").Append(BinaryPrimitives.ReadUInt16BigEndian(p[i..]).ToString("x2")); break;
                case 4: sb.Append("0x").Append(BinaryPrimitives.ReadUInt32BigEndian(p[i..]).ToString("x2")); break;
                default: sb.Append("0x").Append(BinaryPrimitives.ReadUInt64BigEndian(p[i..]).ToString("x2")); break;
            }
            if (i + width < p.Length) sb.Append(' ');
        }
    }

    // write_propval_string: the chunk's final byte is its NUL and is not printed; inner NULs print as \0.
    private static void WriteString(StringBuilder sb, ReadOnlySpan<byte> s)
    {
        sb.Append('"');
        for (var i = 0; i < s.Length - 1; i++)
        {
            var c = s[i];
            switch (c)
            {
                case 7: sb.Append("\\a"); break;
                case 8: sb.Append("\\b"); break;
                case 9: sb.Append("\\t"); break;
                case 10: sb.Append("\\n"); break;
                case 11: sb.Append("\\v"); break;
                case 12: sb.Append("\\f"); break;
                case 13: sb.Append("\\r"); break;
                case (byte)'\\': sb.Append("\\\\"); break;
                case (byte)'"': sb.Append("\\\""); break;
                case 0: sb.Append("\\0"); break;
                default:
                    if (c is >= 0x20 and < 0x7f) sb.Append((char)c);
                    // dtc passes a signed char to %x, so bytes >= 0x80 print sign-extended (\xffffff80).
                    else sb.Append("\\x").Append(((uint)(sbyte)c).ToString("x2"));
                    break;
            }
        }
        sb.Append('"');
    }
}
