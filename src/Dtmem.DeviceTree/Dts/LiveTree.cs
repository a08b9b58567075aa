using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Dtmem.DeviceTree.Model;

namespace Dtmem.DeviceTree.Dts;

// dtc's "live tree" (livetree.c): deleted nodes, properties and labels stay in their lists with a flag,
// because a later definition revives them in their original position. That position decides output order,
// so byte-identical output needs the same bookkeeping. The public model is built from it at the end.

/// <summary>A label with dtc's deleted flag (a /delete-node/ hides it; a later merge revives it).</summary>
internal sealed class LLabel(string name)
{
    public string Name { get; } = name;
    public bool Deleted { get; set; }
}

internal static class LabelList
{
    /// <summary>dtc's add_label: revive an existing entry, else prepend.</summary>
    public static void Add(List<LLabel> labels, string name)
    {
        foreach (var l in labels)
        {
            if (l.Name == name)
            {
                l.Deleted = false;
                return;
            }
        }
        labels.Insert(0, new LLabel(name));
    }

    public static void DeleteAll(ReadOnlySpan<LLabel> labels)
    {
        foreach (var l in labels) l.Deleted = true;
    }

    public static bool HasLive(ReadOnlySpan<LLabel> labels, string name)
    {
        foreach (var l in labels)
            if (!l.Deleted && l.Name == name) return true;
        return false;
    }
}

internal enum LMarkerKind
{
    Label,
    RefPhandle,
    RefPath,
    TypeUint8,
    TypeUint16,
    TypeUint32,
    TypeUint64,
    TypeString,
    TypeBytes,
}

/// <summary>A marker inside a value. Offsets move when a path reference is expanded in front of them.</summary>
internal sealed class LMarker(LMarkerKind kind, int offset, string? text, FileState? file, int line, int column)
{
    public LMarkerKind Kind { get; } = kind;
    public int Offset { get; set; } = offset;
    public string? Text { get; } = text;
    public FileState? File { get; } = file;
    public int Line { get; } = line;
    public int Column { get; } = column;

    public SourceSpan? Span => File is null ? null : File.At(Line, Column);
}

/// <summary>A property value under construction: bytes plus markers (dtc's struct data).</summary>
internal sealed class LData
{
    private byte[] _bytes;

    public LData(int capacity = 16) => _bytes = capacity == 0 ? [] : new byte[capacity];

    public int Length { get; private set; }

    public List<LMarker>? Markers { get; private set; }

    public Span<byte> Bytes => _bytes.AsSpan(0, Length);

    public void AddMarker(LMarker m) => (Markers ??= new List<LMarker>(2)).Add(m);

    public Span<byte> Grow(int n)
    {
        if (Length + n > _bytes.Length)
        {
            var cap = Math.Max(Math.Max(16, _bytes.Length * 2), Length + n);
            Array.Resize(ref _bytes, cap);
        }
        var s = _bytes.AsSpan(Length, n);
        Length += n;
        return s;
    }

    public void AppendByte(byte b) => Grow(1)[0] = b;

    public void Append(ReadOnlySpan<byte> b) => b.CopyTo(Grow(b.Length));

    public void AppendInteger(ulong v, int bits)
    {
        switch (bits)
        {
            case 8: AppendByte((byte)v); break;
            case 16: BinaryPrimitives.WriteUInt16BigEndian(Grow(2), (ushort)v); break;
            case 32: BinaryPrimitives.WriteUInt32BigEndian(Grow(4), (uint)v); break;
            default: BinaryPrimitives.WriteUInt64BigEndian(Grow(8), v); break;
        }
    }

    /// <summary>dtc's data_merge: append another value, shifting its markers.</summary>
    public void Merge(LData other)
    {
        var at = Length;
        Append(other.Bytes);
        if (other.Markers is null) return;
        foreach (var m in other.Markers)
        {
            m.Offset += at;
            AddMarker(m);
        }
    }

    /// <summary>dtc's data_insert_at_marker: insert bytes at the marker, moving later markers.</summary>
    public void InsertAt(LMarker at, ReadOnlySpan<byte> bytes)
    {
        var off = at.Offset;
        Grow(bytes.Length);
        Array.Copy(_bytes, off, _bytes, off + bytes.Length, Length - bytes.Length - off);
        bytes.CopyTo(_bytes.AsSpan(off));
        var seen = false;
        foreach (var m in Markers!)
        {
            if (seen) m.Offset += bytes.Length;
            if (ReferenceEquals(m, at)) seen = true;
        }
    }

    public void Clear()
    {
        Length = 0;
        Markers = null;
    }

    /// <summary>Moves the content into a new exact-size value and empties this one (the parser's scratch buffer).</summary>
    public LData TakeExact()
    {
        var d = new LData(0) { _bytes = Bytes.ToArray(), Length = Length, Markers = Markers };
        Length = 0;
        Markers = null;
        return d;
    }

    /// <summary>The bytes as an exact-size array, reusing the buffer when it already fits; the value must not change afterwards.</summary>
    public byte[] Detach()
    {
        if (_bytes.Length != Length) Array.Resize(ref _bytes, Length);
        return _bytes;
    }
}

internal sealed class LProp(string name, LData value, SourceSpan? span)
{
    public string Name { get; } = name;
    public LData Value { get; set; } = value;
    public bool Deleted { get; set; }
    private List<LLabel>? _labels;

    /// <summary>The label list, created on first write (most properties have none).</summary>
    public List<LLabel> Labels => _labels ??= [];

    /// <summary>The labels for reading, without creating the list.</summary>
    public ReadOnlySpan<LLabel> LabelSpan => CollectionsMarshal.AsSpan(_labels);

    private List<SourceSpan>? _more;

    /// <summary>The first definition site (most properties are never overridden, so no list is kept for them).</summary>
    public SourceSpan? FirstSpan { get; } = span;

    /// <summary>Later definition sites (overrides), created on first override.</summary>
    public List<SourceSpan> MoreSpans => _more ??= [];

    public ReadOnlySpan<SourceSpan> MoreSpanSpan => CollectionsMarshal.AsSpan(_more);

    /// <summary>The most recent definition site.</summary>
    public SourceSpan? LastSpan => _more is { Count: > 0 } ? _more[^1] : FirstSpan;
}

internal sealed class LNode(SourceSpan? span)
{
    public string Name { get; set; } = "";
    public LNode? Parent { get; set; }
    public bool Deleted { get; set; }
    public List<LProp> Props { get; } = [];
    public List<LNode> Children { get; } = [];
    private List<LLabel>? _labels;

    /// <summary>The label list, created on first write.</summary>
    public List<LLabel> Labels => _labels ??= [];

    /// <summary>The labels for reading (dtc tests "has labels" on the raw list, deleted ones included).</summary>
    public ReadOnlySpan<LLabel> LabelSpan => CollectionsMarshal.AsSpan(_labels);

    public List<SourceSpan> Spans { get; } = span is null ? [] : new List<SourceSpan>(1) { span };
    public uint Phandle { get; set; }
    public bool OmitIfUnused { get; set; }
    public bool IsReferenced { get; set; }

    private string? _fullPath;

    /// <summary>dtc's fullpath (names never change after parsing, so caching is safe).</summary>
    public string FullPath => _fullPath ??= Parent is null ? "/" : Parent.Parent is null ? "/" + Name : Parent.FullPath + "/" + Name;

    public int BaseNameLength => Name.IndexOf('@') is var i and >= 0 ? i : Name.Length;

    public LProp? GetProp(string name)
    {
        foreach (var p in Props)
            if (!p.Deleted && p.Name == name) return p;
        return null;
    }

    public LNode? GetChild(string name)
    {
        foreach (var c in Children)
            if (!c.Deleted && c.Name == name) return c;
        return null;
    }

    public void AddChild(LNode child)
    {
        child.Parent = this;
        Children.Add(child);
    }

    /// <summary>Reachable from the root through non-deleted nodes (what dtc's tree walks see).</summary>
    public bool IsLive
    {
        get
        {
            for (var n = this; n is not null; n = n.Parent)
                if (n.Deleted) return false;
            return true;
        }
    }

    /// <summary>dtc's delete_node: the node, its subtree, properties and labels are flagged, not removed.</summary>
    public void Delete()
    {
        Deleted = true;
        foreach (var c in Children)
            if (!c.Deleted) c.Delete();
        foreach (var p in Props)
        {
            if (p.Deleted) continue;
            p.Deleted = true;
            LabelList.DeleteAll(p.LabelSpan);
        }
        LabelList.DeleteAll(LabelSpan);
    }

    /// <summary>dtc's merge_nodes: move the new definition's labels, properties and children into this node.</summary>
    public void Merge(LNode newer)
    {
        Deleted = false;
        foreach (var l in newer.LabelSpan) LabelList.Add(Labels, l.Name);

        // dtc looks names up linearly; an index of the first entry of each name keeps its answers (the first
        // match, flagged or not) while a body with N siblings costs O(N), not O(N^2).
        var props = FirstByName(Props, static p => p.Name);
        foreach (var np in newer.Props)
        {
            var old = props.GetValueOrDefault(np.Name);
            if (np.Deleted)
            {
                // dtc deletes the first property of that name, flagged or not.
                if (old is not null)
                {
                    old.Deleted = true;
                    LabelList.DeleteAll(old.LabelSpan);
                }
                continue;
            }
            if (old is null)
            {
                Props.Add(np);
                props[np.Name] = np;
                continue;
            }
            foreach (var l in np.LabelSpan) LabelList.Add(old.Labels, l.Name);
            old.Value = np.Value;
            old.Deleted = false;
            if (np.FirstSpan is not null) old.MoreSpans.Add(np.FirstSpan);
            old.MoreSpans.AddRange(np.MoreSpanSpan);
        }

        var children = FirstByName(Children, static c => c.Name);
        foreach (var nc in newer.Children)
        {
            var old = children.GetValueOrDefault(nc.Name);
            if (nc.Deleted)
            {
                old?.Delete();
                continue;
            }
            if (old is null)
            {
                AddChild(nc);
                children[nc.Name] = nc;
            }
            else
            {
                old.Merge(nc);
            }
        }
        Spans.AddRange(newer.Spans);
    }

    private static Dictionary<string, T> FirstByName<T>(List<T> items, Func<T, string> name)
    {
        var map = new Dictionary<string, T>(items.Count, StringComparer.Ordinal);
        foreach (var item in items) map.TryAdd(name(item), item);
        return map;
    }
}

/// <summary>One file context for positions: a name and where it was included from. Shared by all its spans.</summary>
internal sealed class FileState(string name, SourceSpan? includedFrom)
{
    public string Name { get; } = name;
    public SourceSpan? IncludedFrom { get; } = includedFrom;

    public SourceSpan At(int line, int column) => new(Name, line, column, IncludedFrom);
}
