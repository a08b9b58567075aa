using Dtmem.DeviceTree.Dts;
using Dtmem.DeviceTree.Fdt;
using Dtmem.Io;
using Dtmem.DeviceTree.Model;
using Dtmem.DeviceTree.Preprocessing;

namespace Dtmem.DeviceTree;

/// <summary>Loads a device tree from either form, so every command accepts DTS or DTB (decided by the FDT magic).</summary>
public static class TreeLoader
{
    /// <summary>True when <paramref name="data"/> starts with the FDT magic 0xd00dfeed.</summary>
    public static bool IsDtb(ReadOnlySpan<byte> data) => FdtReader.IsDtb(data);

    /// <summary>Reads <paramref name="path"/> as a DTB when it has the magic, else compiles it as DTS.</summary>
    /// <exception cref="DtException">Unreadable file, malformed blob or source error, located.</exception>
    public static DtTree Load(string path, DtsCompileOptions? options = null, Action<SourceSpan, string>? warn = null)
    {
        return Load(Read(path, options?.MaxFileBytes ?? SourceCache.DefaultMaxFileBytes), path, options, warn);
    }

    /// <summary>A device-tree input's bytes, read no further than <paramref name="maxBytes"/> (limit <c>file-size</c>).</summary>
    /// <exception cref="DtException">Unreadable, or larger than the limit.</exception>
    public static byte[] Read(string path, long maxBytes)
    {
        try
        {
            return BoundedFile.ReadAll(path, maxBytes)
                ?? throw new DtException(SourceSpan.WholeFile(path), $"larger than {BoundedFile.Describe(maxBytes)}, the 'file-size' limit (device trees are rarely over 1 MiB)") { Limit = "file-size" };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DtException(SourceSpan.WholeFile(path), $"cannot read: {BoundedFile.Reason(path, e)}");
        }
    }

    /// <summary><see cref="Read"/> decoded as UTF-8 (a byte order mark is dropped).</summary>
    public static string ReadText(string path, long maxBytes) => BoundedFile.Decode(Read(path, maxBytes));

    /// <summary>Same as <see cref="Load(string, DtsCompileOptions?, Action{SourceSpan, string}?)"/> for bytes already in memory.</summary>
    public static DtTree Load(ReadOnlySpan<byte> data, string fileName, DtsCompileOptions? options = null, Action<SourceSpan, string>? warn = null) =>
        IsDtb(data)
            ? FdtReader.ReadTree(data, fileName, warn)
            : DtsCompiler.CompileText(BoundedFile.Decode(data), fileName, options ?? new DtsCompileOptions(), warn);
}
