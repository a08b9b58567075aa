using System.Buffers.Binary;
using Dtmem.DeviceTree.Model;

namespace Dtmem.DeviceTree.Fdt;

/// <summary>
/// The header of a flattened device tree. <see cref="Read"/> applies every rule libfdt's
/// <c>fdt_check_header</c> applies (and the alignment rules of the spec), so the block offsets of a
/// returned header can be used without further bounds checks.
/// </summary>
public readonly record struct FdtHeader(
    uint TotalSize,
    uint OffDtStruct,
    uint OffDtStrings,
    uint OffMemRsvMap,
    uint Version,
    uint LastCompVersion,
    uint BootCpuIdPhys,
    uint SizeDtStrings,
    uint SizeDtStruct)
{
    /// <summary>Size of the header for this version (32 bytes for v2, 36 for v3 and v16, 40 for v17).</summary>
    public int Size => SizeFor(Version);

    private static int SizeFor(uint version) =>
        version >= 17 ? FdtConstants.HeaderSize : version >= 3 ? FdtConstants.HeaderSizeV16 : FdtConstants.HeaderSizeV2;

    /// <summary>Validates and returns the header of <paramref name="blob"/>; throws <see cref="DtException"/> on any violation.</summary>
    public static FdtHeader Read(ReadOnlySpan<byte> blob, string file)
    {
        if (blob.Length < 4)
            throw Error(file, 0, $"input is {blob.Length} bytes, too short to be a DTB");
        var magic = Word(blob, FdtConstants.OffsetMagic);
        if (magic != FdtConstants.Magic)
            throw Error(file, 0, $"bad magic 0x{magic:x8}, a DTB starts with 0x{FdtConstants.Magic:x8}");
        if (blob.Length < FdtConstants.OffsetLastCompVersion + 4)
            throw Error(file, blob.Length, $"header truncated: input ends after {blob.Length} bytes");

        var version = Word(blob, FdtConstants.OffsetVersion);
        var lastComp = Word(blob, FdtConstants.OffsetLastCompVersion);
        if (version < FdtConstants.OldestReadVersion)
        {
            throw Error(file, FdtConstants.OffsetVersion,
                $"FDT version {version} is not supported (versions {FdtConstants.OldestReadVersion} to {FdtConstants.Version} are)");
        }
        if (lastComp > FdtConstants.Version)
            throw Error(file, FdtConstants.OffsetLastCompVersion,
                $"last_comp_version {lastComp} is newer than the newest supported version {FdtConstants.Version}");
        if (version < lastComp)
            throw Error(file, FdtConstants.OffsetVersion, $"version {version} is older than its own last_comp_version {lastComp}");

        var hdrSize = SizeFor(version);
        if (blob.Length < hdrSize)
            throw Error(file, blob.Length, $"header truncated: a version {version} header is {hdrSize} bytes, input has {blob.Length}");

        var totalSize = Word(blob, FdtConstants.OffsetTotalSize);
        var offStrings = Word(blob, FdtConstants.OffsetDtStrings);
        var h = new FdtHeader(
            totalSize,
            Word(blob, FdtConstants.OffsetDtStruct),
            offStrings,
            Word(blob, FdtConstants.OffsetMemRsvMap),
            version,
            lastComp,
            Word(blob, FdtConstants.OffsetBootCpuIdPhys),
            // Version 2 has no size_dt_strings: like dtc, take the strings block to run to the end of the blob.
            version >= 3 ? Word(blob, FdtConstants.OffsetSizeDtStrings) : totalSize >= offStrings ? totalSize - offStrings : uint.MaxValue,
            version >= 17 ? Word(blob, FdtConstants.OffsetSizeDtStruct) : 0);

        if (h.TotalSize < hdrSize)
            throw Error(file, FdtConstants.OffsetTotalSize, $"totalsize {h.TotalSize} is smaller than the {hdrSize}-byte header");
        if (h.TotalSize > int.MaxValue)
            throw Error(file, FdtConstants.OffsetTotalSize, $"totalsize {h.TotalSize} exceeds the 2 GiB limit");
        if (h.TotalSize > (uint)blob.Length)
            throw Error(file, FdtConstants.OffsetTotalSize,
                $"totalsize says {h.TotalSize} bytes but the input has only {blob.Length} (truncated file?)");

        if (!OffsetInside(hdrSize, h.TotalSize, h.OffMemRsvMap))
            throw Error(file, FdtConstants.OffsetMemRsvMap,
                $"off_mem_rsvmap 0x{h.OffMemRsvMap:x} is outside 0x{hdrSize:x}..0x{h.TotalSize:x} (after the header, inside totalsize)");
        if (h.OffMemRsvMap % FdtConstants.MemReserveAlignment != 0)
            throw Error(file, FdtConstants.OffsetMemRsvMap, $"off_mem_rsvmap 0x{h.OffMemRsvMap:x} is not 8-byte aligned");

        if (version >= 17)
        {
            if (!BlockInside(hdrSize, h.TotalSize, h.OffDtStruct, h.SizeDtStruct))
                throw Error(file, FdtConstants.OffsetDtStruct,
                    $"structure block 0x{h.OffDtStruct:x}+0x{h.SizeDtStruct:x} extends outside 0x{hdrSize:x}..0x{h.TotalSize:x}");
        }
        else if (!OffsetInside(hdrSize, h.TotalSize, h.OffDtStruct))
        {
            throw Error(file, FdtConstants.OffsetDtStruct, $"off_dt_struct 0x{h.OffDtStruct:x} is outside 0x{hdrSize:x}..0x{h.TotalSize:x}");
        }
        if (h.OffDtStruct % FdtConstants.TokenAlignment != 0)
            throw Error(file, FdtConstants.OffsetDtStruct, $"off_dt_struct 0x{h.OffDtStruct:x} is not 4-byte aligned");

        if (!BlockInside(hdrSize, h.TotalSize, h.OffDtStrings, h.SizeDtStrings))
            throw Error(file, FdtConstants.OffsetDtStrings,
                $"strings block 0x{h.OffDtStrings:x}+0x{h.SizeDtStrings:x} extends outside 0x{hdrSize:x}..0x{h.TotalSize:x}");
        return h;
    }

    /// <summary>End of the structure block: exact for v17; before v17 (no size field) the end of the blob.</summary>
    public int StructEnd => Version >= 17 ? (int)(OffDtStruct + SizeDtStruct) : (int)TotalSize;

    private static bool OffsetInside(int hdrSize, uint totalSize, uint off) => off >= hdrSize && off <= totalSize;

    private static bool BlockInside(int hdrSize, uint totalSize, uint off, uint size) =>
        OffsetInside(hdrSize, totalSize, off) && (ulong)off + size <= totalSize;

    private static uint Word(ReadOnlySpan<byte> blob, int offset) => BinaryPrimitives.ReadUInt32BigEndian(blob[offset..]);

    internal static DtException Error(string file, long offset, string message) => new(SourceSpan.Binary(file, offset), message);
}
