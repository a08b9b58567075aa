using System.Buffers.Binary;
using System.Text;
using Dtmem.DeviceTree.Fdt;
using Dtmem.DeviceTree.Model;

namespace Dtmem.DeviceTree.Overlay;

public static partial class OverlayApplier
{
    /// <summary>
    /// Applies overlays to a base DTB in order and returns the blob <c>fdtoverlay -i base -o out ovl...</c>
    /// writes. Byte-identical for blobs dtc built, except that alignment padding is zero where libfdt 1.6.1
    /// leaves stale bytes: the layout is the packed one both tools use, and the strings block is libfdt's (the
    /// base's block kept verbatim, each name of a newly added property appended unless it already occurs,
    /// possibly as the tail of a longer name).
    /// </summary>
    /// <exception cref="DtException">A malformed blob or an overlay that does not apply, located.</exception>
    public static byte[] ApplyToBlob(ReadOnlySpan<byte> baseDtb, string baseName, IEnumerable<(string Name, byte[] Blob)> overlays)
    {
        var tree = FdtReader.ReadTree(baseDtb, baseName);
        var header = FdtHeader.Read(baseDtb, baseName);
        var strings = new List<byte>(baseDtb.Slice((int)header.OffDtStrings, (int)header.SizeDtStrings).ToArray());
        foreach (var (name, blob) in overlays)
            Apply(tree, FdtReader.ReadTree(blob, name), name, added =>
            {
                if (FindString(strings, added) < 0) strings.AddRange([.. Encoding.UTF8.GetBytes(added), 0]);
            });

        // Same tokens as dtc's writer; only the name offsets and the strings block change.
        var written = FdtWriter.Write(tree);
        var reader = new FdtReader(written, baseName);
        var nameFields = new List<(int Offset, string Name)>();
        while (reader.Read())
            if (reader.TokenType == FdtTokenType.Property)
                nameFields.Add((reader.TokenOffset + 8, Encoding.UTF8.GetString(reader.Name)));
        var stringsOff = (int)reader.Header.OffDtStrings;
        var result = new byte[stringsOff + strings.Count];
        written.AsSpan(0, stringsOff).CopyTo(result);
        strings.CopyTo(result, stringsOff);
        var offsets = new Dictionary<string, int>();
        foreach (var (offset, name) in nameFields)
        {
            if (!offsets.TryGetValue(name, out var at)) offsets[name] = at = FindString(strings, name);
            BinaryPrimitives.WriteUInt32BigEndian(result.AsSpan(offset), (uint)at);
        }
        BinaryPrimitives.WriteUInt32BigEndian(result.AsSpan(FdtConstants.OffsetTotalSize), (uint)result.Length);
        BinaryPrimitives.WriteUInt32BigEndian(result.AsSpan(FdtConstants.OffsetSizeDtStrings), (uint)strings.Count);
        return result;
    }

    /// <summary>libfdt's fdt_find_string_: the first offset where the name and its NUL occur; -1 when absent.</summary>
    private static int FindString(List<byte> table, string name)
    {
        var s = Encoding.UTF8.GetBytes(name);
        for (var p = 0; p + s.Length + 1 <= table.Count; p++)
        {
            var i = 0;
            while (i < s.Length && table[p + i] == s[i]) i++;
            if (i == s.Length && table[p + i] == 0) return p;
        }
        return -1;
    }
}
