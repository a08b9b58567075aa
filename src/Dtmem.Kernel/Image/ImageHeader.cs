using System.Buffers.Binary;

namespace Dtmem.Kernel.Image;

/// <summary>Page size announced in the Image header flags (bits 1-2).</summary>
public enum ImagePageSize
{
    Unspecified = 0,
    Size4K = 1,
    Size16K = 2,
    Size64K = 3,
}

/// <summary>
/// The 64-byte arm64 Image header (Documentation/arch/arm64/booting.rst): little-endian fields at fixed offsets.
/// </summary>
public sealed record ImageHeader
{
    public const int Length = 64;
    public const uint MagicValue = 0x644d5241; // "ARM\x64"
    public const int MagicOffset = 0x38;

    /// <summary>Used when image_size is 0 (kernels before 3.17): text_offset is then unreliable and 0x80000 was the rule.</summary>
    public const ulong LegacyTextOffset = 0x80000;

    public required uint Code0 { get; init; }
    public required uint Code1 { get; init; }
    public required Fact<ulong> TextOffset { get; init; }

    /// <summary>_end - _text, bss included; 0 on kernels before 3.17.</summary>
    public required Fact<ulong> ImageSize { get; init; }

    public required ulong Flags { get; init; }
    public required ulong Res2 { get; init; }
    public required ulong Res3 { get; init; }
    public required ulong Res4 { get; init; }
    public required uint Magic { get; init; }

    /// <summary>Offset of the PE header (EFI stub images), 0 otherwise.</summary>
    public required uint Res5 { get; init; }

    /// <summary>True when code0 starts with "MZ": the Image doubles as a PE/COFF EFI application.</summary>
    public bool IsEfiStub => (Code0 & 0xffff) == 0x5a4d;

    /// <summary>Flags bit 0.</summary>
    public bool IsBigEndian => (Flags & 1) != 0;

    /// <summary>Flags bits 1-2.</summary>
    public ImagePageSize PageSize => (ImagePageSize)((Flags >> 1) & 3);

    /// <summary>Page size in bytes, or null when the header leaves it unspecified.</summary>
    public int? PageSizeBytes => PageSize switch
    {
        ImagePageSize.Size4K => 4096,
        ImagePageSize.Size16K => 16384,
        ImagePageSize.Size64K => 65536,
        _ => null,
    };

    /// <summary>
    /// Flags bit 3. True: the 2 MiB-aligned base may be anywhere in DRAM. False: it should be as close as possible
    /// to the start of DRAM.
    /// </summary>
    public bool PlacementAnywhere => (Flags & 8) != 0;

    /// <summary>Flags bits 4-63, reserved (zero in every released kernel).</summary>
    public ulong ReservedFlagBits => Flags & ~0xfUL;

    /// <summary>Reads and validates a header from the first 64 bytes of <paramref name="bytes"/>.</summary>
    /// <param name="bytes">Image bytes (at least 64).</param>
    /// <param name="source">File name for messages and fact origins.</param>
    public static ImageHeader Parse(ReadOnlySpan<byte> bytes, string source)
    {
        if (bytes.Length < Length)
            throw KernelInputException.AtOffset(source, bytes.Length, $"file is {bytes.Length} bytes, shorter than the 64-byte arm64 Image header",
                "Pass the arm64 Image (arch/arm64/boot/Image), Image.gz or vmlinuz");
        var magic = BinaryPrimitives.ReadUInt32LittleEndian(bytes[MagicOffset..]);
        if (magic != MagicValue)
        {
            var hint = bytes[0] == 0x7f && bytes[1] == (byte)'E' && bytes[2] == (byte)'L' && bytes[3] == (byte)'F'
                ? "This is an ELF file: pass it as vmlinux instead"
                : bytes[0] == 0x1f && bytes[1] == 0x8b
                    ? "This is gzip data: read it with KernelImageFile, which decompresses it"
                    : "Pass an arm64 Image; a 32-bit zImage or a U-Boot uImage (mkimage header) is not one — strip the uImage header with `dumpimage` first";
            throw KernelInputException.AtOffset(source, MagicOffset,
                $"no arm64 Image magic \"ARM\\x64\" (found 0x{magic:x8})", hint);
        }

        var textOffset = BinaryPrimitives.ReadUInt64LittleEndian(bytes[0x08..]);
        var imageSize = BinaryPrimitives.ReadUInt64LittleEndian(bytes[0x10..]);
        var textFact = imageSize == 0
            ? Fact<ulong>.Assumed(LegacyTextOffset, $"{source}: Image header image_size is 0 (pre-3.17 kernel), so text_offset @0x8 is unreliable; 0x80000 assumed")
            : Fact<ulong>.Known(textOffset, $"{source}: Image header @0x8 (text_offset)");
        return new ImageHeader
        {
            Code0 = BinaryPrimitives.ReadUInt32LittleEndian(bytes),
            Code1 = BinaryPrimitives.ReadUInt32LittleEndian(bytes[0x04..]),
            TextOffset = textFact,
            ImageSize = Fact<ulong>.Known(imageSize, $"{source}: Image header @0x10 (image_size)"),
            Flags = BinaryPrimitives.ReadUInt64LittleEndian(bytes[0x18..]),
            Res2 = BinaryPrimitives.ReadUInt64LittleEndian(bytes[0x20..]),
            Res3 = BinaryPrimitives.ReadUInt64LittleEndian(bytes[0x28..]),
            Res4 = BinaryPrimitives.ReadUInt64LittleEndian(bytes[0x30..]),
            Magic = magic,
            Res5 = BinaryPrimitives.ReadUInt32LittleEndian(bytes[0x3c..]),
        };
    }
}
