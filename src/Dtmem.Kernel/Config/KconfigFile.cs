using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace Dtmem.Kernel.Config;

/// <summary>One symbol of a kernel .config: its raw value ("y", "m", "64", "0x1000", "\"text\"") or "n" when "is not set".</summary>
public sealed record KconfigEntry(string Name, string Value, int Line);

/// <summary>
/// A kernel .config (or /proc/config.gz): "CONFIG_X=value" and "# CONFIG_X is not set" lines. Values are kept raw;
/// the typed getters return facts whose origin names the file, line and text.
/// </summary>
public sealed class KconfigFile
{
    /// <summary>Largest config accepted; real ones are under 400 KB.</summary>
    public const int MaxBytes = 16 << 20;

    private readonly Dictionary<string, KconfigEntry> _entries;

    private KconfigFile(string source, Dictionary<string, KconfigEntry> entries)
    {
        Source = source;
        _entries = entries;
    }

    public string Source { get; }

    public IReadOnlyCollection<KconfigEntry> Entries => _entries.Values;

    /// <summary>Reads a .config, or a gzip'd one (/proc/config.gz).</summary>
    public static KconfigFile Read(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
            throw new KernelInputException(path, "", "file not found", "Check the path given for the kernel config");
        // /proc/config.gz reports a length of 0: the size is known only by reading, which stops past the limit.
        var bytes = Dtmem.Io.BoundedFile.ReadAll(path, MaxBytes)
            ?? throw new KernelInputException(path, "", $"file is larger than {MaxBytes >> 20} MiB; no kernel config is that large", "Pass the kernel's .config, /boot/config-<release> or /proc/config.gz");
        if (bytes.Length >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b)
        {
            using var gz = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
            using var reader = new StreamReader(gz, Encoding.UTF8);
            var buffer = new char[MaxBytes + 1];
            var n = reader.ReadBlock(buffer, 0, buffer.Length);
            if (n > MaxBytes)
                throw new KernelInputException(path, "", "gzip data decompresses to more than a kernel config could hold", "Pass /proc/config.gz or the .config itself");
            return Parse(new string(buffer, 0, n), path);
        }
        return Parse(Dtmem.Io.BoundedFile.Decode(bytes), path);
    }

    /// <summary>Parses config text. Lines that are neither assignments, "is not set" lines, comments nor blank are errors.</summary>
    public static KconfigFile Parse(string text, string source)
    {
        var entries = new Dictionary<string, KconfigEntry>(StringComparer.Ordinal);
        var lineNo = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNo++;
            var line = raw.TrimEnd('\r').Trim();
            if (line.Length == 0) continue;
            if (line[0] == '#')
            {
                const string suffix = " is not set";
                if (line.StartsWith("# CONFIG_", StringComparison.Ordinal) && line.EndsWith(suffix, StringComparison.Ordinal))
                {
                    var name = line[2..^suffix.Length];
                    if (IsSymbol(name)) entries[name] = new KconfigEntry(name, "n", lineNo);
                }
                continue;
            }
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || !line.StartsWith("CONFIG_", StringComparison.Ordinal) || !IsSymbol(line[..eq]))
                throw KernelInputException.AtLine(source, lineNo, $"'{Shorten(line)}' is not a config line (CONFIG_NAME=value or # CONFIG_NAME is not set)",
                    "Pass the kernel's .config, /boot/config-<release> or /proc/config.gz unchanged");
            var value = line[(eq + 1)..];
            if (value.Length >= 2 && value[0] == '"' && value[^1] == '"') value = value[1..^1];
            entries[line[..eq]] = new KconfigEntry(line[..eq], value, lineNo);
        }
        if (entries.Count == 0)
            throw new KernelInputException(source, "", "no CONFIG_ lines found", "Pass the kernel's .config, /boot/config-<release> or /proc/config.gz");
        return new KconfigFile(source, entries);
    }

    public KconfigEntry? Get(string name) => _entries.GetValueOrDefault(Normalize(name));

    /// <summary>y or m -> true, n / "is not set" -> false, absent -> null (the symbol does not exist in this build).</summary>
    public Fact<bool>? Bool(string name)
    {
        var e = Get(name);
        if (e is null) return null;
        return e.Value switch
        {
            "y" or "m" => Fact<bool>.Known(true, Origin(e)),
            "n" => Fact<bool>.Known(false, Origin(e)),
            _ => throw KernelInputException.AtLine(Source, e.Line, $"{e.Name}={e.Value} is not a bool (y, m or n)", "Fix the line or regenerate the config with `make olddefconfig`"),
        };
    }

    /// <summary>A decimal or 0x-hex number; absent or "is not set" -> null.</summary>
    public Fact<long>? Number(string name)
    {
        var e = Get(name);
        if (e is null || e.Value == "n") return null;
        var v = e.Value;
        var ok = v.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? long.TryParse(v.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var n)
            : long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out n);
        if (!ok)
            throw KernelInputException.AtLine(Source, e.Line, $"{e.Name}={e.Value} is not a number", "Fix the line or regenerate the config with `make olddefconfig`");
        return Fact<long>.Known(n, Origin(e));
    }

    /// <summary>"config CONFIG_X=v (file line n)".</summary>
    public string Origin(KconfigEntry e) =>
        e.Value == "n" ? $"config # {e.Name} is not set ({Source} line {e.Line})" : $"config {e.Name}={e.Value} ({Source} line {e.Line})";

    private static string Normalize(string name) => name.StartsWith("CONFIG_", StringComparison.Ordinal) ? name : "CONFIG_" + name;

    private static bool IsSymbol(string s)
    {
        if (s.Length <= 7) return false;
        foreach (var c in s)
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_')) return false;
        return true;
    }

    private static string Shorten(string s) => s.Length > 60 ? s[..60] + "..." : s;
}
