using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Dtmem.DeviceTree.Model;

namespace Dtmem.DeviceTree.Fdt;

/// <summary>Layout options of <see cref="FdtWriter"/>, named after dtc's flags.</summary>
public sealed class FdtWriteOptions
{
    /// <summary>dtc <c>-b</c>: overrides <see cref="DtTree.BootCpuId"/> in the header.</summary>
    public uint? BootCpuId { get; set; }

    /// <summary>dtc <c>-R</c>: extra empty memory-reservation slots.</summary>
    public int ExtraReserveSlots { get; set; }

    /// <summary>dtc <c>-S</c>: minimum blob size (padding added at the end).</summary>
    public int MinSize { get; set; }

    /// <summary>dtc <c>-p</c>: padding bytes added at the end (wins over <see cref="MinSize"/>).</summary>
    public int Padding { get; set; }

    /// <summary>dtc <c>-a</c>: round the blob size up to this multiple.</summary>
    public int Alignment { get; set; }
}

/// <summary>
/// Writes a version 17 flattened device tree exactly as dtc's flattree.c does: header, 8-aligned reservation
/// block (+ terminator), structure block, and a strings block in which a name is shared with any earlier name
/// it is a suffix of (dtc's stringtable_insert), so the bytes match <c>dtc -O dtb</c>.
/// </summary>
public static class FdtWriter
{
    public static byte[] Write(DtTree tree, FdtWriteOptions? options = null)
    {
        options ??= new FdtWriteOptions();
        var dt = new ByteBuffer(64 * 1024);
        var strings = new StringTable();
        Flatten(tree.Root, dt, strings);
        dt.Cell(FdtConstants.End);

        var reserveCount = tree.MemReserves.Count + Math.Max(0, options.ExtraReserveSlots);
        var reserveSize = (reserveCount + 1) * FdtConstants.MemReserveEntrySize;
        var reserveOff = (FdtConstants.HeaderSize + 7) & ~7;
        var structOff = reserveOff + reserveSize;
        var stringsOff = structOff + dt.Length;
        var total = stringsOff + strings.Length;

        var pad = 0;
        if (options.MinSize > 0) pad = Math.Max(0, options.MinSize - total);
        if (options.Padding > 0) pad = options.Padding;
        if (options.Alignment > 0) pad = (total + pad + options.Alignment - 1) / options.Alignment * options.Alignment - total;
        var size = total + pad;

        var blob = new byte[size];
        var h = blob.AsSpan();
        BinaryPrimitives.WriteUInt32BigEndian(h[FdtConstants.OffsetMagic..], FdtConstants.Magic);
        BinaryPrimitives.WriteUInt32BigEndian(h[FdtConstants.OffsetTotalSize..], (uint)size);
        BinaryPrimitives.WriteUInt32BigEndian(h[FdtConstants.OffsetDtStruct..], (uint)structOff);
        BinaryPrimitives.WriteUInt32BigEndian(h[FdtConstants.OffsetDtStrings..], (uint)stringsOff);
        BinaryPrimitives.WriteUInt32BigEndian(h[FdtConstants.OffsetMemRsvMap..], (uint)reserveOff);
        BinaryPrimitives.WriteUInt32BigEndian(h[FdtConstants.OffsetVersion..], FdtConstants.Version);
        BinaryPrimitives.WriteUInt32BigEndian(h[FdtConstants.OffsetLastCompVersion..], FdtConstants.LastCompatibleVersion);
        BinaryPrimitives.WriteUInt32BigEndian(h[FdtConstants.OffsetBootCpuIdPhys..], options.BootCpuId ?? tree.BootCpuId);
        BinaryPrimitives.WriteUInt32BigEndian(h[FdtConstants.OffsetSizeDtStrings..], (uint)strings.Length);
        BinaryPrimitives.WriteUInt32BigEndian(h[FdtConstants.OffsetSizeDtStruct..], (uint)dt.Length);

        var at = reserveOff;
        foreach (var r in tree.MemReserves)
        {
            BinaryPrimitives.WriteUInt64BigEndian(h[at..], r.Address);
            BinaryPrimitives.WriteUInt64BigEndian(h[(at + 8)..], r.Size);
            at += FdtConstants.MemReserveEntrySize;
        }
        dt.Span.CopyTo(h[structOff..]);
        strings.Span.CopyTo(h[stringsOff..]);
        dt.Release();
        strings.Release();
        return blob;
    }

    private static void Flatten(DtNode node, ByteBuffer dt, StringTable strings)
    {
        dt.Cell(FdtConstants.BeginNode);
        dt.Utf8Z(node.Name);
        dt.Align4();
        foreach (var p in node.Properties)
        {
            var nameOff = strings.Insert(p.Name);
            dt.Cell(FdtConstants.Prop);
            dt.Cell((uint)p.Value.Length);
            dt.Cell((uint)nameOff);
            dt.Bytes(p.Value);
            dt.Align4();
        }
        foreach (var c in node.Children) Flatten(c, dt, strings);
        dt.Cell(FdtConstants.EndNode);
    }

    /// <summary>A growable buffer on pooled arrays; <see cref="Release"/> hands the array back.</summary>
    private sealed class ByteBuffer(int capacity)
    {
        private byte[] _b = ArrayPool<byte>.Shared.Rent(capacity);

        public void Release()
        {
            ArrayPool<byte>.Shared.Return(_b);
            _b = [];
            Length = 0;
        }

        public int Length { get; private set; }

        public ReadOnlySpan<byte> Span => _b.AsSpan(0, Length);

        private Span<byte> Grow(int n)
        {
            if (Length + n > _b.Length)
            {
                var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_b.Length * 2, Length + n));
                _b.AsSpan(0, Length).CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(_b);
                _b = bigger;
            }
            var s = _b.AsSpan(Length, n);
            Length += n;
            return s;
        }

        public void Cell(uint v) => BinaryPrimitives.WriteUInt32BigEndian(Grow(4), v);

        public void Bytes(ReadOnlySpan<byte> v) => v.CopyTo(Grow(v.Length));

        public void Utf8Z(string s)
        {
            var n = Encoding.UTF8.GetByteCount(s);
            var span = Grow(n + 1);
            Encoding.UTF8.GetBytes(s, span);
            span[n] = 0;
        }

        public void Align4()
        {
            var pad = FdtConstants.AlignToken(Length) - Length;
            if (pad > 0) Grow(pad).Clear();
        }
    }

    /// <summary>
    /// dtc's string table: a name is stored once, and a name equal to the tail of an earlier one reuses that tail.
    /// Every suffix of every stored name is indexed at its first offset, which is what dtc's linear scan returns.
    /// </summary>
    private sealed class StringTable
    {
        private readonly Dictionary<string, int> _offsets = new(StringComparer.Ordinal);
        // Property names are mostly shared string instances: a reference lookup avoids hashing their text.
        private readonly Dictionary<string, int> _byInstance = new(ReferenceEqualityComparer.Instance);
        private readonly ByteBuffer _buf = new(4096);

        public int Length => _buf.Length;

        public ReadOnlySpan<byte> Span => _buf.Span;

        public void Release() => _buf.Release();

        public int Insert(string name)
        {
            if (_byInstance.TryGetValue(name, out var off)) return off;
            if (!_offsets.TryGetValue(name, out off))
            {
                off = InsertText(name);
                _offsets[name] = off;
            }
            _byInstance[name] = off;
            return off;
        }

        // Every suffix (up to SuffixLimit bytes) of every name in the table, at its first offset. A suffix is
        // Latin-1 text, one char per byte, so offsets stay byte offsets whatever the encoding.
        private readonly Dictionary<string, int> _suffixes = new(StringComparer.Ordinal);
        private const int SuffixLimit = 256;

        // dtc's stringtable_insert: the first offset where the table holds exactly this string up to a NUL, which
        // may be the tail of a longer name; else append. dtc scans the whole table per name (quadratic in the
        // number of names); the suffix index gives the same first offset in constant time.
        private int InsertText(string name)
        {
            var bytes = Encoding.UTF8.GetBytes(name);
            var key = Encoding.Latin1.GetString(bytes);
            if (bytes.Length <= SuffixLimit)
            {
                if (_suffixes.TryGetValue(key, out var found)) return found;
            }
            else
            {
                var withNul = new byte[bytes.Length + 1];
                bytes.CopyTo(withNul, 0);
                var hit = _buf.Span.IndexOf(withNul);
                if (hit >= 0) return hit;
            }
            var at = _buf.Length;
            _buf.Bytes(bytes);
            _buf.Bytes([0]);
            for (var k = Math.Max(0, bytes.Length - SuffixLimit); k <= bytes.Length; k++)
                _suffixes.TryAdd(key[k..], at + k);
            return at;
        }
    }
}
