using System.Globalization;
using System.Text.Json;
using Dtmem.Diagnosis.Oops;
using Xunit.Abstractions;

namespace Dtmem.Diagnosis.Tests.Oops;

/// <summary>
/// Runs the oops parser over real logs collected from public bug reports (data/oops, see SOURCES.md) and compares
/// every fact a reader wrote into the .expected.json files. Prints the extraction accuracy.
/// </summary>
public class CorpusTests(ITestOutputHelper output)
{
    private static readonly string Dir = Path.Combine(AppContext.BaseDirectory, "data", "oops");

    public static IEnumerable<object[]> Logs() =>
        Directory.GetFiles(Dir, "*.log").Order(StringComparer.Ordinal).Select(f => new object[] { Path.GetFileNameWithoutExtension(f) });

    [Fact]
    public void CorpusHasAtLeastThirtyLogsWithSources()
    {
        var logs = Directory.GetFiles(Dir, "*.log");
        Assert.True(logs.Length >= 30, $"{logs.Length} logs");
        var sources = File.ReadAllText(Path.Combine(Dir, "SOURCES.md"));
        foreach (var log in logs)
        {
            Assert.True(File.Exists(Path.ChangeExtension(log, ".expected.json")), log);
            Assert.Contains(Path.GetFileName(log), sources, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ExtractionAccuracyOverCorpus()
    {
        int right = 0, total = 0;
        var misses = new List<string>();
        var perField = new SortedDictionary<string, (int Right, int Total)>(StringComparer.Ordinal);
        foreach (var log in Directory.GetFiles(Dir, "*.log").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileNameWithoutExtension(log);
            var (r, t, m) = Compare(name, perField);
            right += r;
            total += t;
            misses.AddRange(m);
        }
        double accuracy = (double)right / total;
        output.WriteLine($"oops corpus extraction accuracy: {right}/{total} fields = {accuracy:P1}");
        foreach (var (field, (r, t)) in perField) output.WriteLine($"  {field,-8} {r}/{t}");
        foreach (var m in misses) output.WriteLine("  miss: " + m);
        Assert.True(accuracy >= 0.99, $"accuracy {accuracy:P1} below 99%:\n" + string.Join("\n", misses));
    }

    [Theory]
    [MemberData(nameof(Logs))]
    public void EveryLogParsesWithoutThrowingAndFindsItsReports(string name)
    {
        var text = File.ReadAllText(Path.Combine(Dir, name + ".log"));
        var oopses = OopsParser.Parse(text, name + ".log");
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, name + ".expected.json")));
        Assert.Equal(doc.RootElement.GetProperty("reports").GetArrayLength(), oopses.Count);
        foreach (var o in oopses)
        {
            // every fact keeps its line: the raw line must be the line at that number in the file
            var lines = text.Split('\n');
            foreach (var src in new[] { o.Start, o.End, o.Pc?.Source, o.Comm?.Source, o.FaultAddress?.Source }.OfType<LineRef>())
                Assert.Equal(lines[src.Line - 1].TrimEnd('\r'), src.Raw);
        }
    }

    private static (int Right, int Total, List<string> Misses) Compare(string name, SortedDictionary<string, (int, int)> perField)
    {
        var text = File.ReadAllText(Path.Combine(Dir, name + ".log"));
        var oopses = OopsParser.Parse(text, name + ".log");
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, name + ".expected.json")));
        var reports = doc.RootElement.GetProperty("reports");
        int right = 0, total = 0;
        var misses = new List<string>();
        void Count(string field, bool ok, string detail)
        {
            total++;
            var (r, t) = perField.GetValueOrDefault(field);
            perField[field] = (r + (ok ? 1 : 0), t + 1);
            if (ok) right++;
            else misses.Add($"{name} {field}: {detail}");
        }
        Count("count", oopses.Count == reports.GetArrayLength(), $"expected {reports.GetArrayLength()} reports, got {oopses.Count}");
        int i = 0;
        foreach (var exp in reports.EnumerateArray())
        {
            var o = i < oopses.Count ? oopses[i] : null;
            i++;
            foreach (var prop in exp.EnumerateObject())
            {
                string expected = prop.Value.ValueKind == JsonValueKind.Array
                    ? string.Join(",", prop.Value.EnumerateArray().Select(e => e.GetString()))
                    : prop.Value.ToString();
                string? actual = o is null ? null : Actual(o, prop.Name, prop.Value);
                bool ok = prop.Name switch
                {
                    "va" or "esr" => actual is not null && Hex(actual) == Hex(expected),
                    "pc" or "lr" when expected.StartsWith("0x", StringComparison.Ordinal) => actual is not null && Hex(actual) == Hex(expected),
                    _ => actual == expected,
                };
                Count(prop.Name, ok, $"expected '{expected}', got '{actual}'");
            }
        }
        return (right, total, misses);
    }

    private static ulong Hex(string s) =>
        ulong.TryParse(s.StartsWith("0x", StringComparison.Ordinal) ? s[2..] : s, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var v) ? v : ulong.MaxValue;

    private static string? Actual(Dtmem.Diagnosis.Oops.Oops o, string field, JsonElement expected) => field switch
    {
        "arch" => o.Arch switch { OopsArch.Arm64 => "arm64", OopsArch.Arm => "arm", OopsArch.X86_64 => "x86_64", OopsArch.RiscV => "riscv", _ => "unknown" },
        "kind" => o.Kind.ToString(),
        "fault" => o.FaultDescription?.Value,
        "va" => o.FaultAddress is { } va ? va.Value.ToString("x", CultureInfo.InvariantCulture) : null,
        "esr" => o.Esr is { } esr ? esr.Value.ToString("x", CultureInfo.InvariantCulture) : null,
        "pc" => Loc(o.Pc?.Value, expected),
        "lr" => Loc(o.Lr?.Value, expected),
        "comm" => o.Comm?.Value,
        "pid" => o.Pid?.Value.ToString(CultureInfo.InvariantCulture),
        "cpu" => o.Cpu?.Value.ToString(CultureInfo.InvariantCulture),
        "version" => o.KernelVersion?.Value,
        "bug" => o.BugLocation?.Value,
        "panic" => o.PanicMessage?.Value,
        "kdb" => (o.KdbEntry is not null) ? "True" : "False",
        "trace" => string.Join(",", o.CallTrace.Take(expected.GetArrayLength()).Select(f => f.Location.Symbol)),
        _ => "unknown field " + field,
    };

    private static string? Loc(CodeLocation? loc, JsonElement expected) =>
        loc is null ? null
        : expected.GetString()!.StartsWith("0x", StringComparison.Ordinal) ? (loc.Address is { } a ? "0x" + a.ToString("x", CultureInfo.InvariantCulture) : loc.Symbol)
        : loc.Symbol;
}
