using System.Text;
using Dtmem.DeviceTree.Dts;
using Dtmem.DeviceTree.Fdt;
using Dtmem.DeviceTree.Model;

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
        byte[] data;
        try
        {
            data = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DtException(null, $"cannot read {path}: {e.Message}");
        }
        return Load(data, path, options, warn);
    }

    /// <summary>Same as <see cref="Load(string, DtsCompileOptions?, Action{SourceSpan, string}?)"/> for bytes already in memory.</summary>
    public static DtTree Load(ReadOnlySpan<byte> data, string fileName, DtsCompileOptions? options = null, Action<SourceSpan, string>? warn = null) =>
        IsDtb(data)
            ? FdtReader.ReadTree(data, fileName, warn)
            : DtsCompiler.CompileText(Encoding.UTF8.GetString(data), fileName, options ?? new DtsCompileOptions(), warn);
}
