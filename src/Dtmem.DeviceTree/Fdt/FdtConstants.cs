namespace Dtmem.DeviceTree.Fdt;

/// <summary>
/// Numbers of the flattened device tree format (Devicetree Specification v0.4, chapter 5), shared by the
/// DTB reader and writer.
/// </summary>
public static class FdtConstants
{
    /// <summary>First word of every blob, big-endian.</summary>
    public const uint Magic = 0xd00dfeed;

    /// <summary>The version dtc writes and the newest this reader understands.</summary>
    public const uint Version = 17;

    /// <summary><c>last_comp_version</c> written with version 17: a v16 reader can read the blob.</summary>
    public const uint LastCompatibleVersion = 16;

    /// <summary>Oldest version read, as libfdt's FDT_FIRST_SUPPORTED_VERSION (version 1 has no boot_cpuid_phys).</summary>
    public const uint OldestReadVersion = 2;

    /// <summary>From this version on, node names are base names; before it they are full paths and property
    /// values of 8 bytes or more start 8-byte aligned.</summary>
    public const uint FirstBaseNameVersion = 16;

    /// <summary>Header size of a version 17 blob (ten 32-bit words).</summary>
    public const int HeaderSize = 40;

    /// <summary>Header size of a version 3 or 16 blob (no <c>size_dt_struct</c>).</summary>
    public const int HeaderSizeV16 = 36;

    /// <summary>Header size of a version 2 blob (no <c>size_dt_strings</c> either).</summary>
    public const int HeaderSizeV2 = 32;

    // Structure-block tokens.
    public const uint BeginNode = 0x1;
    public const uint EndNode = 0x2;
    public const uint Prop = 0x3;
    public const uint Nop = 0x4;
    public const uint End = 0x9;

    /// <summary>Tokens, names and property values are padded to this boundary in the structure block.</summary>
    public const int TokenAlignment = 4;

    /// <summary>The memory-reservation block must start on this boundary.</summary>
    public const int MemReserveAlignment = 8;

    /// <summary>One reservation entry: 64-bit address, 64-bit size.</summary>
    public const int MemReserveEntrySize = 16;

    // Header field offsets.
    public const int OffsetMagic = 0;
    public const int OffsetTotalSize = 4;
    public const int OffsetDtStruct = 8;
    public const int OffsetDtStrings = 12;
    public const int OffsetMemRsvMap = 16;
    public const int OffsetVersion = 20;
    public const int OffsetLastCompVersion = 24;
    public const int OffsetBootCpuIdPhys = 28;
    public const int OffsetSizeDtStrings = 32;
    public const int OffsetSizeDtStruct = 36;

    /// <summary>Rounds <paramref name="offset"/> up to the next token boundary.</summary>
    public static int AlignToken(int offset) => (offset + (TokenAlignment - 1)) & ~(TokenAlignment - 1);
}
