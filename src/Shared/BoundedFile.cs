// Compiled into each assembly that reads files (linked from src/Shared): the layers share no assembly below them.
namespace Dtmem.Io;

/// <summary>
/// Reads whole files without trusting their size: devices (<c>/dev/zero</c>), pipes and procfs files report a length
/// of 0 or none and may never end, so reading stops one byte past the limit instead.
/// </summary>
internal static class BoundedFile
{
    /// <summary>The name that stands for standard input.</summary>
    public const string StandardInput = "-";

    /// <summary>The bytes of <paramref name="path"/>, or null when it holds more than <paramref name="maxBytes"/>.</summary>
    /// <exception cref="IOException">The file cannot be opened or read.</exception>
    /// <exception cref="UnauthorizedAccessException">No permission, or the path is a folder.</exception>
    public static byte[]? ReadAll(string path, long maxBytes)
    {
        maxBytes = Math.Clamp(maxBytes, 0, Array.MaxLength - 1L);
        // "-" is standard input, as for dtc and cpp: `dmesg | dtmem bootlog -`, `cat /sys/firmware/fdt | dtmem check -`.
        using var f = path == StandardInput
            ? Console.OpenStandardInput()
            : new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
        var hint = f.CanSeek ? f.Length : 0;
        if (hint > maxBytes) return null;
        var buf = new byte[Math.Min(maxBytes, Math.Max(hint, 4096)) + 1];
        var n = 0;
        while (true)
        {
            if (n == buf.Length)
            {
                if (n > maxBytes) return null;
                Array.Resize(ref buf, (int)Math.Min(maxBytes + 1, buf.Length * 2L));
            }
            var r = f.Read(buf, n, buf.Length - n);
            if (r == 0) break;
            n += r;
        }
        if (n > maxBytes) return null;
        Array.Resize(ref buf, n);
        return buf;
    }

    /// <summary>Why <paramref name="path"/> could not be read, in the words cpp and dtc use (.NET's own messages differ).</summary>
    public static string Reason(string path, Exception e) => e switch
    {
        FileNotFoundException or DirectoryNotFoundException => "No such file or directory",
        UnauthorizedAccessException when Directory.Exists(path) => "Is a directory",
        UnauthorizedAccessException => "Permission denied",
        _ => e.Message,
    };

    /// <summary>A size for messages: "64 MiB", "512 KiB" or "N bytes".</summary>
    public static string Describe(long bytes) =>
        bytes >= 1 << 20 && bytes % (1 << 20) == 0 ? $"{bytes >> 20} MiB"
        : bytes >= 1 << 10 && bytes % (1 << 10) == 0 ? $"{bytes >> 10} KiB"
        : $"{bytes} bytes";
}
