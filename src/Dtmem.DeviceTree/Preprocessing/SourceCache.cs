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

    /// <param name="maxFileBytes">Largest file read; a larger one (or an endless device such as /dev/zero) is refused.</param>
    public SourceCache(long maxFileBytes = DefaultMaxFileBytes) => MaxFileBytes = maxFileBytes;

    public const long DefaultMaxFileBytes = 64 << 20;

    /// <summary>Largest file read (limit <c>file-size</c>).</summary>
    public long MaxFileBytes { get; }

    /// <summary>The lexed file at <paramref name="path"/>, or null when there is no such file.</summary>
    internal SourceFile? Get(string path) =>
        _files.GetOrAdd(path, p => new Lazy<SourceFile?>(() => Load(p, MaxFileBytes), LazyThreadSafetyMode.ExecutionAndPublication)).Value;

    /// <summary>Lexes text that does not come from disk (not cached).</summary>
    internal static SourceFile FromText(string path, string text) => CppLexer.Lex(path, text);

    /// <summary>The message of a file refused for its size; <see cref="SourceFile.Error"/> at line 0 carries it.</summary>
    internal static string TooLarge(long maxFileBytes) =>
        $"file is larger than {Io.BoundedFile.Describe(maxFileBytes)}, the 'file-size' limit";

    private static SourceFile? Load(string path, long maxFileBytes)
    {
        if (!File.Exists(path))
            return null;
        string? text;
        try
        {
            text = Io.BoundedFile.ReadText(path, maxFileBytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        return text is null
            ? new SourceFile(path, "", [], [], [], (TooLarge(maxFileBytes), 0, 0))
            : CppLexer.Lex(path, text);
    }
}
