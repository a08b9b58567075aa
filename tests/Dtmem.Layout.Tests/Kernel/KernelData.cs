using System.Text.RegularExpressions;

namespace Dtmem.Layout.Tests.Kernel;

/// <summary>Paths to data/kernel and data/fidelity, and lines taken from the real fidelity logs.</summary>
internal static partial class KernelData
{
    public const string Deb61 = "6.1.0-50-arm64";
    public const string Deb612 = "6.12.117+deb12-arm64";

    public static string File(string name) => Path.Combine(AppContext.BaseDirectory, "data", "kernel", name);

    public static string Fidelity(string kernel, string @case) => Path.Combine(AppContext.BaseDirectory, "data", "fidelity", kernel, @case + ".log");

    /// <summary>The first line of a real log matching <paramref name="pattern"/>, without the printk timestamp.</summary>
    public static string LogLine(string kernel, string @case, string pattern)
    {
        var re = new Regex(pattern);
        foreach (var line in System.IO.File.ReadLines(Fidelity(kernel, @case)))
        {
            var text = Timestamp().Replace(line, "");
            if (re.IsMatch(text)) return text;
        }
        throw new InvalidOperationException($"no line matching {pattern} in {kernel}/{@case}.log");
    }

    /// <summary>Hex numbers captured by <paramref name="pattern"/> in the first matching line.</summary>
    public static ulong[] LogNumbers(string kernel, string @case, string pattern)
    {
        var m = new Regex(pattern).Match(LogLine(kernel, @case, pattern));
        return [.. m.Groups.Cast<Group>().Skip(1).Select(g => Convert.ToUInt64(g.Value, 16))];
    }

    [GeneratedRegex(@"^\[ *\d+\.\d+\] ")]
    private static partial Regex Timestamp();
}
