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
    public static byte[]? ReadAll(string path, long maxBytes) =>
        Read(path, maxBytes, out var n) is { } buf ? (buf.Length == n ? buf : buf[..n]) : null;

    /// <summary><see cref="ReadAll"/> decoded as UTF-8, a byte order mark dropped (as cpp does); null when over the limit.</summary>
    public static string? ReadText(string path, long maxBytes) =>
        Read(path, maxBytes, out var n) is { } buf ? Decode(buf.AsSpan(0, n)) : null;

    /// <summary>UTF-8 text without its byte order mark.</summary>
    public static string Decode(ReadOnlySpan<byte> bytes) =>
        System.Text.Encoding.UTF8.GetString(bytes.StartsWith("\uFEFF"u8) ? bytes[3..] : bytes);

    /// <summary>The file into a buffer of which the first <paramref name="length"/> bytes are its contents. A regular
    /// file is read into a buffer of its size (no copy at the end); a device or pipe grows the buffer up to the limit.</summary>
    private static byte[]? Read(string path, long maxBytes, out int length)
    {
        length = 0;
        maxBytes = Math.Clamp(maxBytes, 0, Array.MaxLength - 1L);
        // "-" is standard input, as for dtc and cpp: `dmesg | dtmem bootlog -`, `cat /sys/firmware/fdt | dtmem check -`.
        using var f = path == StandardInput
            ? Console.OpenStandardInput()
            : new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
        var hint = f.CanSeek ? f.Length : 0;
        if (hint > maxBytes) return null;
        var buf = new byte[Math.Min(maxBytes + 1, Math.Max(hint, 4096))];
        var n = 0;
        Span<byte> probe = stackalloc byte[1];
        while (true)
        {
            if (n == buf.Length)
            {
                // Full: one more byte says whether the file goes on, without growing a buffer that was the right size.
                if (n > maxBytes) return null;
                if (f.Read(probe) == 0) break;
                if (n + 1 > maxBytes) return null;
                Array.Resize(ref buf, (int)Math.Min(maxBytes + 1, buf.Length * 2L));
                buf[n++] = probe[0];
                continue;
            }
            var r = f.Read(buf, n, buf.Length - n);
            if (r == 0) break;
            n += r;
        }
        if (n > maxBytes) return null;
        length = n;
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
