using System.Buffers.Binary;
using Dtmem.DeviceTree.Model;

namespace Dtmem.DeviceTree.Fdt;

/// <summary>What <see cref="FdtReader.Read"/> stopped on.</summary>
public enum FdtTokenType
{
    None,
    BeginNode,
    EndNode,
    Property,
    End,
}

/// <summary>
/// Forward-only reader over the structure block of a DTB, in the manner of <c>Utf8JsonReader</c>: it
/// yields one token per <see cref="Read"/>, exposes names and values as slices of the input and allocates
/// nothing per token. Every structural rule is checked as the token is reached (alignment, bounds,
/// string offsets, nesting, names, limits), so a malformed blob fails with a <see cref="DtException"/>
/// that names the byte offset of the offending token.
/// </summary>
public ref partial struct FdtReader
{
    /// <summary>Nesting limit, root included. The kernel's unflattener (drivers/of/fdt.c, FDT_MAX_DEPTH 64) already
    /// skips nodes 63 levels below the root, so a deeper blob cannot describe a booting system.</summary>
    public const int MaxDepth = 64;

    /// <summary>Node-count limit (real trees have a few thousand nodes).</summary>
    public const int MaxNodes = 1 << 20;

    private readonly ReadOnlySpan<byte> _blob;
    private readonly string _file;
    private readonly int _structEnd;
    private readonly int _stringsStart;
    private readonly int _stringsEnd;
    private int _pos;
    private int _nodes;
    private bool _rootClosed;
    // Before version 16 a node's name is its full path: where each open node's path lies in the blob.
    private readonly (int Start, int Length)[]? _paths;

    /// <summary>Validates the header and the memory-reservation block and positions before the first token.</summary>
    public FdtReader(ReadOnlySpan<byte> blob, string fileName = "<dtb>")
    {
        _file = fileName;
        Header = FdtHeader.Read(blob, fileName);
        _blob = blob[..(int)Header.TotalSize];
        _structEnd = Header.StructEnd;
        _stringsStart = (int)Header.OffDtStrings;
        _stringsEnd = (int)(Header.OffDtStrings + Header.SizeDtStrings);
        _pos = (int)Header.OffDtStruct;
        MemReserveCount = CountMemReserves(_blob, Header, fileName);
        if (Header.Version < FdtConstants.FirstBaseNameVersion) _paths = new (int, int)[MaxDepth + 1];
    }

    public FdtHeader Header { get; }

    /// <summary>Entries in the memory-reservation block, not counting the terminating zero-size entry.</summary>
    public int MemReserveCount { get; }

    public FdtTokenType TokenType { get; private set; }

    /// <summary>Absolute byte offset of the current token in the blob.</summary>
    public int TokenOffset { get; private set; }

    /// <summary>Nesting depth after the current token: 1 inside the root node, 0 outside it.</summary>
    public int Depth { get; private set; }

    /// <summary>Node name (BeginNode) or property name (Property), without the NUL.</summary>
    public ReadOnlySpan<byte> Name { get; private set; }

    /// <summary>Offset of the property name in the strings block (Property only); equal offsets mean the same name.</summary>
    public int NameOffset { get; private set; }

    /// <summary>Property value (Property only).</summary>
    public ReadOnlySpan<byte> Value { get; private set; }

    /// <summary>Absolute offset of the property value (Property only).</summary>
    public int ValueOffset { get; private set; }

    /// <summary>True when the blob starts with the FDT magic: such input is a DTB, anything else is DTS text.</summary>
    public static bool IsDtb(ReadOnlySpan<byte> data) =>
        data.Length >= 4 && BinaryPrimitives.ReadUInt32BigEndian(data) == FdtConstants.Magic;

    /// <summary>The <paramref name="index"/>-th memory reservation (address, size) and its byte offset.</summary>
    public readonly (ulong Address, ulong Size, int Offset) MemReserve(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, MemReserveCount);
        var off = (int)Header.OffMemRsvMap + index * FdtConstants.MemReserveEntrySize;
        return (BinaryPrimitives.ReadUInt64BigEndian(_blob[off..]), BinaryPrimitives.ReadUInt64BigEndian(_blob[(off + 8)..]), off);
    }

    /// <summary>
    /// Advances to the next BeginNode, EndNode or Property token (NOPs are skipped). Returns false once
    /// FDT_END has been reached and checked (<see cref="TokenType"/> is then <see cref="FdtTokenType.End"/>).
    /// </summary>
    public bool Read()
    {
        if (TokenType == FdtTokenType.End) return false;
        Name = default;
        Value = default;
        NameOffset = -1;
        ValueOffset = -1;
        while (true)
        {
            var at = _pos;
            TokenOffset = at;
            if (at > _structEnd - 4)
                throw Fail(at, Depth > 0
                    ? $"structure block ends inside a node (depth {Depth}): missing FDT_END_NODE and FDT_END"
                    : "structure block ends without an FDT_END token");
            var tag = Word(at);
            switch (tag)
            {
                case FdtConstants.Nop:
                    _pos = at + 4;
                    continue;
                case FdtConstants.BeginNode:
                    ReadBeginNode(at);
                    return true;
                case FdtConstants.EndNode:
                    if (Depth == 0)
                        throw Fail(at, "FDT_END_NODE without a matching FDT_BEGIN_NODE");
                    Depth--;
                    if (Depth == 0) _rootClosed = true;
                    _pos = at + 4;
                    TokenType = FdtTokenType.EndNode;
                    return true;
                case FdtConstants.Prop:
                    ReadProperty(at);
                    return true;
                case FdtConstants.End:
                    if (Depth > 0)
                        throw Fail(at, $"FDT_END inside a node (depth {Depth}): missing FDT_END_NODE");
                    if (!_rootClosed)
                        throw Fail(at, "FDT_END before any node: the structure block has no root node");
                    if (Header.Version >= 17 && at + 4 != _structEnd)
                        throw Fail(at, $"FDT_END is not the last token: size_dt_struct says the structure block runs to 0x{_structEnd:x}");
                    _pos = at + 4;
                    TokenType = FdtTokenType.End;
                    return false;
                default:
                    throw Fail(at, $"unknown structure token 0x{tag:x8} (expected FDT_BEGIN_NODE, FDT_END_NODE, FDT_PROP, FDT_NOP or FDT_END)");
            }
        }
    }

    /// <summary>Skips the children and properties of the node just begun, stopping on its EndNode.</summary>
    public void SkipNode()
    {
        if (TokenType != FdtTokenType.BeginNode) return;
        var depth = Depth;
        while (Read())
            if (TokenType == FdtTokenType.EndNode && Depth == depth - 1) return;
    }

    private void ReadBeginNode(int at)
    {
        if (_rootClosed)
            throw Fail(at, "a second top-level node: only FDT_NOP and FDT_END may follow the root node");
        var nameStart = at + 4;
        var nul = _blob[nameStart.._structEnd].IndexOf((byte)0);
        if (nul < 0)
            throw Fail(at, "node name runs past the end of the structure block (no NUL terminator)");
        var name = _blob.Slice(nameStart, nul);
        if (Depth + 1 > MaxDepth)
            throw Fail(at, $"nodes nested deeper than {MaxDepth} levels");
        if (++_nodes > MaxNodes)
            throw Fail(at, $"more than {MaxNodes} nodes");
        if (_paths is not null)
        {
            _paths[Depth] = (nameStart, nul);
            name = BaseNameOfPath(at, name);
        }
        if (Depth == 0)
        {
            if (!name.IsEmpty)
                throw Fail(at, $"root node name must be empty, found \"{Printable(name)}\"");
        }
        else
        {
            CheckNodeName(at, name);
        }
        var next = FdtConstants.AlignToken(nameStart + nul + 1);
        if (next > _structEnd)
            throw Fail(at, "node name padding runs past the end of the structure block");
        Depth++;
        Name = name;
        _pos = next;
        TokenType = FdtTokenType.BeginNode;
    }

    private void ReadProperty(int at)
    {
        if (Depth == 0)
            throw Fail(at, _rootClosed ? "property after the root node closed" : "property outside any node");
        if (at > _structEnd - 12)
            throw Fail(at, "FDT_PROP header (length, name offset) runs past the end of the structure block");
        var len = Word(at + 4);
        var nameOff = Word(at + 8);
        var valueStart = at + 12;
        // Before version 16, values of 8 bytes or more start 8-byte aligned within the structure block.
        if (_paths is not null && len >= 8)
            valueStart = (int)Header.OffDtStruct + ((valueStart - (int)Header.OffDtStruct + 7) & ~7);
        if (valueStart > _structEnd || len > (uint)(_structEnd - valueStart))
            throw Fail(at, $"property value of {len} bytes runs past the end of the structure block at 0x{_structEnd:x}");
        var next = FdtConstants.AlignToken(valueStart + (int)len);
        if (next > _structEnd)
            throw Fail(at, "property value padding runs past the end of the structure block");
        if (nameOff >= (uint)(_stringsEnd - _stringsStart))
            throw Fail(at, $"property name offset 0x{nameOff:x} is outside the {_stringsEnd - _stringsStart}-byte strings block");
        var nameAt = _stringsStart + (int)nameOff;
        var nul = _blob[nameAt.._stringsEnd].IndexOf((byte)0);
        if (nul < 0)
            throw Fail(at, $"property name at strings offset 0x{nameOff:x} is not NUL-terminated inside the strings block");
        var name = _blob.Slice(nameAt, nul);
        CheckPropertyName(at, name);
        Name = name;
        NameOffset = (int)nameOff;
        Value = _blob.Slice(valueStart, (int)len);
        ValueOffset = valueStart;
        _pos = next;
        TokenType = FdtTokenType.Property;
    }

    /// <summary>The last component of a pre-v16 full-path name, after checking that it extends its parent's path.</summary>
    private readonly ReadOnlySpan<byte> BaseNameOfPath(int at, ReadOnlySpan<byte> path)
    {
        if (Depth == 0)
        {
            if (!path.SequenceEqual("/"u8))
                throw Fail(at, $"root node path must be \"/\" in a version {Header.Version} blob, found \"{Printable(path)}\"");
            return [];
        }
        var (start, length) = _paths![Depth - 1];
        var parent = _blob.Slice(start, length);
        var prefix = Depth == 1 ? 0 : parent.Length;
        if (!path.StartsWith(Depth == 1 ? [] : parent) || path.Length <= prefix || path[prefix] != (byte)'/')
            throw Fail(at, $"node path \"{Printable(path)}\" does not continue its parent's path \"{Printable(parent)}\"");
        return path[(prefix + 1)..];
    }

    // Character sets of dtc's node_name_chars / property_name_chars checks (errors in dtc).
    private static bool IsNameChar(byte c) =>
        c is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9'
            or (byte)',' or (byte)'.' or (byte)'_' or (byte)'+' or (byte)'-';

    private readonly void CheckNodeName(int at, ReadOnlySpan<byte> name)
    {
        if (name.IsEmpty)
            throw Fail(at, "node has an empty name (only the root node may)");
        var ats = 0;
        foreach (var c in name)
        {
            if (c == (byte)'@') ats++;
            else if (!IsNameChar(c))
                throw Fail(at, $"bad character {Describe(c)} in node name \"{Printable(name)}\"");
        }
        if (ats > 1)
            throw Fail(at, $"node name \"{Printable(name)}\" has more than one '@'");
        if (name[0] == (byte)'@')
            throw Fail(at, $"node name \"{Printable(name)}\" has a unit address but no name");
    }

    private readonly void CheckPropertyName(int at, ReadOnlySpan<byte> name)
    {
        if (name.IsEmpty)
            throw Fail(at, "property has an empty name");
        foreach (var c in name)
            if (!IsNameChar(c) && c is not ((byte)'*' or (byte)'#' or (byte)'?'))
                throw Fail(at, $"bad character {Describe(c)} in property name \"{Printable(name)}\"");
    }

    private static string Describe(byte c) => c is >= 0x20 and < 0x7f ? $"'{(char)c}'" : $"0x{c:x2}";

    private static string Printable(ReadOnlySpan<byte> s)
    {
        var chars = new char[Math.Min(s.Length, 64)];
        for (var i = 0; i < chars.Length; i++) chars[i] = s[i] is >= 0x20 and < 0x7f ? (char)s[i] : '?';
        return s.Length > 64 ? new string(chars) + "..." : new string(chars);
    }

    private static int CountMemReserves(ReadOnlySpan<byte> blob, FdtHeader h, string file)
    {
        var off = (int)h.OffMemRsvMap;
        var count = 0;
        while (true)
        {
            if (off > blob.Length - FdtConstants.MemReserveEntrySize)
                throw FdtHeader.Error(file, off,
                    "memory reservation block runs past totalsize without its terminating zero-size entry");
            if (BinaryPrimitives.ReadUInt64BigEndian(blob[(off + 8)..]) == 0) return count;
            count++;
            off += FdtConstants.MemReserveEntrySize;
        }
    }

    private readonly uint Word(int offset) => BinaryPrimitives.ReadUInt32BigEndian(_blob[offset..]);

    private readonly DtException Fail(int offset, string message) => FdtHeader.Error(_file, offset, message);
}
