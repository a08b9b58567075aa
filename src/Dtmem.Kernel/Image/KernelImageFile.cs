using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Dtmem.Kernel.Image;

/// <summary>How the Image was packed in the file that was read.</summary>
public enum ImageContainer
{
    /// <summary>A plain Image (Debian's signed arm64 vmlinuz is one: an EFI-stub Image, not compressed).</summary>
    Raw,

    /// <summary>A gzip'd Image (Image.gz; several distributions ship vmlinuz this way).</summary>
    Gzip,

    /// <summary>An EFI zboot image ("MZ" + "zimg"): a small PE decompressor with the compressed Image as payload.</summary>
    EfiZboot,
}

/// <summary>An arm64 kernel Image read from a file: header, container, and the version banner when present.</summary>
public sealed record KernelImageFile
{
    /// <summary>Largest decompressed Image accepted; real arm64 Images are 20-60 MiB.</summary>
    public const long MaxImageBytes = 512L << 20;

    public required string Path { get; init; }
    public required ImageContainer Container { get; init; }
    public required ImageHeader Header { get; init; }

    /// <summary>The "Linux version ..." banner (linux_banner) without its newline, when found.</summary>
    public Fact<string>? Banner { get; init; }

    /// <summary>Length of the (decompressed) Image in bytes; image_size is larger because it includes bss.</summary>
    public required long ImageBytes { get; init; }

    /// <summary>Reads an Image, Image.gz, vmlinuz or EFI zboot file.</summary>
    public static KernelImageFile Read(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
            throw new KernelInputException(path, "", "file not found", "Check the path given for the kernel Image");
        var bytes = Dtmem.Io.BoundedFile.ReadAll(path, MaxImageBytes)
            ?? throw new KernelInputException(path, "", $"file is larger than {MaxImageBytes >> 20} MiB; no arm64 Image is that large",
                "Pass the kernel Image, not a disk or initramfs image");
        return Parse(bytes, path);
    }

    /// <summary>Parses file contents; <paramref name="source"/> names the file in messages and fact origins.</summary>
    public static KernelImageFile Parse(byte[] file, string source)
    {
        ImageContainer container;
        byte[] image;
        if (file.Length >= 2 && file[0] == 0x1f && file[1] == 0x8b)
        {
            container = ImageContainer.Gzip;
            image = Gunzip(file, 0, file.Length, source);
        }
        else if (file.Length >= 0x40 && file[0] == (byte)'M' && file[1] == (byte)'Z' && file.AsSpan(4, 4).SequenceEqual("zimg"u8))
        {
            container = ImageContainer.EfiZboot;
            image = UnpackZboot(file, source);
        }
        else
        {
            container = ImageContainer.Raw;
            image = file;
        }

        var header = ImageHeader.Parse(image, container == ImageContainer.Raw ? source : $"{source} (decompressed)");
        return new KernelImageFile
        {
            Path = source,
            Container = container,
            Header = header,
            Banner = FindBanner(image, source),
            ImageBytes = image.Length,
        };
    }

    /// <summary>
    /// Finds linux_banner ("Linux version 6.1.0-50-arm64 (...) #1 SMP Debian 6.1.176-1 (...)"): a "Linux version "
    /// followed by a digit, up to the newline or NUL; format strings ("Linux version %s") do not match. Since 6.1 an
    /// Image holds two copies: a weak one in init/version.c with an empty build number ("# SMP") and the one the
    /// kernel prints, from init/version-timestamp.c ("#1 SMP"); the first copy whose '#' is followed by a digit wins.
    /// </summary>
    public static Fact<string>? FindBanner(ReadOnlySpan<byte> image, string source)
    {
        var prefix = "Linux version "u8;
        Fact<string>? first = null;
        var at = 0;
        while (at < image.Length)
        {
            var i = image[at..].IndexOf(prefix);
            if (i < 0) break;
            var start = at + i;
            var next = start + prefix.Length;
            at = next;
            if (next >= image.Length || image[next] < (byte)'0' || image[next] > (byte)'9') continue;
            var rest = image[start..Math.Min(image.Length, start + 1024)];
            var end = rest.IndexOfAny((byte)'\n', (byte)0);
            if (end < 0) end = rest.Length;
            var text = Encoding.ASCII.GetString(rest[..end]);
            var fact = Fact<string>.Known(text, $"{source} @0x{start:x} (linux_banner)");
            var hash = text.IndexOf(" #", StringComparison.Ordinal);
            if (hash >= 0 && hash + 2 < text.Length && char.IsAsciiDigit(text[hash + 2])) return fact;
            first ??= fact;
            at = start + end;
        }
        return first;
    }

    private static byte[] UnpackZboot(byte[] file, string source)
    {
        // EFI zboot header (drivers/firmware/efi/libstub/zboot-header.S): u32 payload offset at 0x08,
        // u32 payload size at 0x0c, NUL-padded compression name at 0x18.
        var offset = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(0x08));
        var size = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(0x0c));
        var nameBytes = file.AsSpan(0x18, 32);
        var nul = nameBytes.IndexOf((byte)0);
        var comp = Encoding.ASCII.GetString(nul < 0 ? nameBytes : nameBytes[..nul]);
        if ((ulong)offset + size > (ulong)file.Length)
            throw KernelInputException.AtOffset(source, 0x08,
                $"EFI zboot payload [0x{offset:x}, +0x{size:x}) runs past the end of the {file.Length}-byte file", "The file is truncated; copy it again");
        if (comp != "gzip")
            throw KernelInputException.AtOffset(source, 0x18,
                $"EFI zboot payload is compressed with '{comp}', which dtmem cannot decompress",
                $"Unpack it yourself: `tail -c +{offset + 1} {source} | head -c {size} | {(comp.StartsWith("zstd", StringComparison.Ordinal) ? "zstd -d" : comp + " -d")} > Image`, then pass Image (or pass vmlinux)");
        return Gunzip(file, (int)offset, (int)size, source);
    }

    private static byte[] Gunzip(byte[] file, int offset, int length, string source)
    {
        try
        {
            using var input = new GZipStream(new MemoryStream(file, offset, length, writable: false), CompressionMode.Decompress);
            using var output = new MemoryStream();
            var buffer = new byte[1 << 16];
            int n;
            while ((n = input.Read(buffer, 0, buffer.Length)) > 0)
            {
                if (output.Length + n > MaxImageBytes)
                    throw KernelInputException.AtOffset(source, offset,
                        $"gzip data decompresses to more than {MaxImageBytes >> 20} MiB, larger than any arm64 Image", "Pass the kernel Image, not an archive");
                output.Write(buffer, 0, n);
            }
            return output.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new KernelInputException(source, $"byte 0x{offset:x}", $"corrupt gzip data ({e.Message})", "Copy the file again; `gzip -t` shows the damage", e);
        }
    }
}
