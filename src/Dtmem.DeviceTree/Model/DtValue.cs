using System.Buffers.Binary;
using System.Text;

namespace Dtmem.DeviceTree.Model;

/// <summary>Readers for the common property encodings (big-endian cells, NUL-terminated strings).</summary>
public static class DtValue
{
    public static bool IsCellList(ReadOnlySpan<byte> v) => v.Length % 4 == 0;

    public static uint[] Cells(ReadOnlySpan<byte> v)
    {
        var cells = new uint[v.Length / 4];
        for (var i = 0; i < cells.Length; i++) cells[i] = BinaryPrimitives.ReadUInt32BigEndian(v[(i * 4)..]);
        return cells;
    }

    /// <summary>Reads a number made of <paramref name="cellCount"/> cells starting at cell <paramref name="index"/>.</summary>
    public static ulong Number(ReadOnlySpan<byte> v, int index, int cellCount)
    {
        ulong n = 0;
        for (var i = 0; i < cellCount; i++) n = (n << 32) | BinaryPrimitives.ReadUInt32BigEndian(v[((index + i) * 4)..]);
        return n;
    }

    /// <summary>The strings of a string list; a trailing fragment without a NUL is included as-is.</summary>
    public static List<string> Strings(ReadOnlySpan<byte> v)
    {
        var list = new List<string>();
        while (!v.IsEmpty)
        {
            var nul = v.IndexOf((byte)0);
            if (nul < 0) { list.Add(Encoding.UTF8.GetString(v)); break; }
            list.Add(Encoding.UTF8.GetString(v[..nul]));
            v = v[(nul + 1)..];
        }
        return list;
    }

    public static string? String(ReadOnlySpan<byte> v) => v.IsEmpty ? null : Strings(v)[0];

    public static byte[] FromString(string s) => [.. Encoding.UTF8.GetBytes(s), 0];

    public static byte[] FromCells(params uint[] cells)
    {
        var b = new byte[cells.Length * 4];
        for (var i = 0; i < cells.Length; i++) BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(i * 4), cells[i]);
        return b;
    }
}
