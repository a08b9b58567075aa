using System.Collections.Concurrent;

namespace Dtmem.DeviceTree.Preprocessing;

/// <summary>
/// Files read and lexed once, shared by any number of runs on any threads (a board set includes the same
/// dtsi and dt-bindings headers over and over). Also remembers which include candidates do not exist.
/// Contents are assumed not to change while the cache lives.
/// </summary>
public sealed class SourceCache
{
    private readonly ConcurrentDictionary<string, Lazy<SourceFile?>> _files = new(StringComparer.Ordinal);

    /// <summary>Number of distinct paths looked up (existing or not).</summary>
    public int Count => _files.Count;

    /// <summary>The lexed file at <paramref name="path"/>, or null when there is no such file.</summary>
    internal SourceFile? Get(string path) =>
        _files.GetOrAdd(path, static p => new Lazy<SourceFile?>(() => Load(p), LazyThreadSafetyMode.ExecutionAndPublication)).Value;

    /// <summary>Lexes text that does not come from disk (not cached).</summary>
    internal static SourceFile FromText(string path, string text) => CppLexer.Lex(path, text);

    /// <summary>Largest file read (a device such as /dev/zero, or a runaway generated file, stops here).</summary>
    public const int MaxFileBytes = 64 << 20;

    private static SourceFile? Load(string path)
    {
        if (!File.Exists(path))
            return null;
        string text;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            var buffer = new byte[64 * 1024];
            using var bytes = new MemoryStream();
            int n;
            while ((n = stream.Read(buffer, 0, buffer.Length)) > 0)
            {
                if (bytes.Length + n > MaxFileBytes)
                    return new SourceFile(path, "", [], [], [], ($"file is larger than {MaxFileBytes >> 20} MiB or not a regular file; include a real DTS/header file", 0, 0));
                bytes.Write(buffer, 0, n);
            }
            bytes.Position = 0;
            using var reader = new StreamReader(bytes, detectEncodingFromByteOrderMarks: true);
            text = reader.ReadToEnd();
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
        return CppLexer.Lex(path, text);
    }
}
