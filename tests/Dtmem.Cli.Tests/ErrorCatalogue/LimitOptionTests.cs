namespace Dtmem.Cli.Tests.ErrorCatalogue;

/// <summary>
/// Each resource limit of docs/limits.md, through the real executable: lowered with <c>--limit</c>, a small input hits it
/// and gets a located error naming the limit plus the note on how to raise it (exit 2); at the default (or raised) the
/// same input passes. Proves the option reaches the layer that enforces each limit.
/// </summary>
public sealed class LimitOptionTests
{
    private static readonly string TwoIncludes = "/dts-v1/;\n#include \"a.dtsi\"\n";

    public static readonly TheoryData<string, string, string, string> Limits = new()
    {
        // limit, value that the input exceeds, where the error is, what it says
        { "node-depth", "2", "in.dts:2:9", "nodes nested deeper than 2 levels, the 'node-depth' limit" },
        { "nodes", "2", "in.dts:2:", "more than 2 node definitions, the 'nodes' limit" },
        { "property-size", "4", "in.dts:2:", "property 'p' is 6 bytes, more than the 4-byte 'property-size' limit" },
        { "include-depth", "2", "a.dtsi:1:1", "#include nested depth 2 exceeds maximum of 2, the 'include-depth' limit" },
        { "expansion-tokens", "10", "in.dts:", "macro expansion produced more than 10 tokens, the 'expansion-tokens' limit" },
        { "file-size", "16", "in.dts", "larger than 16 bytes, the 'file-size' limit" },
    };

    private static DtmemProcess.Result Compile(string limit, params string[] extra)
    {
        var dir = Directory.CreateTempSubdirectory("dtmem-limit-");
        try
        {
            var files = new Dictionary<string, string>
            {
                ["in.dts"] = limit switch
                {
                    "include-depth" => TwoIncludes,
                    "expansion-tokens" => "#define T(x) x x x x x x x x\n/dts-v1/;\n/ { p = <T(T(1))>; };\n",
                    "property-size" => "/dts-v1/;\n/ { p = \"hello\"; };\n",
                    _ => "/dts-v1/;\n/ { a { b { }; }; };\n",
                },
                ["a.dtsi"] = "#include \"b.dtsi\"\n",
                ["b.dtsi"] = "/ { };\n",
            };
            foreach (var (name, text) in files) File.WriteAllText(Path.Combine(dir.FullName, name), text);
            return DtmemProcess.RunIn(dir.FullName, ["compile", "in.dts", "-o", "out.dtb", .. extra]);
        }
        finally { dir.Delete(recursive: true); }
    }

    [Theory]
    [MemberData(nameof(Limits))]
    public void Lowered_limit_is_hit_with_a_located_error_and_a_hint(string limit, string value, string location, string message)
    {
        var r = Compile(limit, "--limit", $"{limit}={value}");
        Assert.Equal(2, r.ExitCode);
        var lines = r.Stderr.Split('\n');
        var error = Assert.Single(lines, l => l.Contains(message, StringComparison.Ordinal));
        Assert.StartsWith(location, error);
        Assert.Contains(": error: ", error);
        Assert.Contains($"note: this is the '{limit}' limit ({value}); if the input really is this large, raise it with --limit {limit}=N", r.Stderr);
        Assert.DoesNotContain("Exception", r.Stderr);
    }

    [Theory]
    [MemberData(nameof(Limits))]
    public void Same_input_passes_at_the_default_limit(string limit, string value, string location, string message)
    {
        _ = (value, location, message);
        var r = Compile(limit);
        Assert.True(r.ExitCode == 0, r.Stderr);
    }

    [Fact]
    public void Log_size_and_line_length_limits_reach_the_log_readers()
    {
        var dir = Directory.CreateTempSubdirectory("dtmem-limit-log-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "boot.log"),
                "Booting Linux on physical CPU 0x0000000000 [0x410fd034]\n" + new string('x', 300) + "\nMemory: 1024K/2048K available\n");
            var big = DtmemProcess.RunIn(dir.FullName, "bootlog", "boot.log", "--limit", "log-size=100");
            Assert.Equal(2, big.ExitCode);
            Assert.Contains("boot.log: error: larger than 100 bytes, the 'log-size' limit; cut the log to the boot and the crash, or raise it with --limit log-size=N", big.Stderr);

            var cut = DtmemProcess.RunIn(dir.FullName, "bootlog", "boot.log", "--limit", "line-length=100");
            Assert.Equal(0, cut.ExitCode);
            Assert.Contains("boot.log:2: note: line is 300 characters long; only the first 100 are read (the 'line-length' limit; split the log or raise the limit)", cut.Stdout);

            var crash = DtmemProcess.RunIn(dir.FullName, "diagnose", "boot.log", "--limit", "line-length=100");
            Assert.Contains("== Input notes", crash.Stdout);
            Assert.Contains("boot.log:2: note: line is 300 characters long; only the first 100 are read", crash.Stdout);

            var whole = DtmemProcess.RunIn(dir.FullName, "bootlog", "boot.log");
            Assert.Equal(0, whole.ExitCode);
            Assert.DoesNotContain("line-length", whole.Stdout);
        }
        finally { dir.Delete(recursive: true); }
    }

    [Fact]
    public void The_highest_accepted_nesting_limits_stay_short_of_the_stack()
    {
        // Node nesting and /include/ nesting are parsed recursively: at their maxima dtmem must still end normally.
        var dir = Directory.CreateTempSubdirectory("dtmem-limit-max-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "deep.dts"),
                "/dts-v1/;\n/ {" + string.Concat(Enumerable.Repeat(" a {", 4094)) + string.Concat(Enumerable.Repeat(" };", 4094)) + " };\n");
            var deep = DtmemProcess.RunIn(dir.FullName, "compile", "deep.dts", "-o", "deep.dtb", "--limit", "node-depth=4096");
            Assert.True(deep.ExitCode == 0, deep.Stderr);

            File.WriteAllText(Path.Combine(dir.FullName, "in.dts"), "/dts-v1/;\n/include/ \"self.dtsi\"\n");
            File.WriteAllText(Path.Combine(dir.FullName, "self.dtsi"), "/include/ \"self.dtsi\"\n");
            var cycle = DtmemProcess.RunIn(dir.FullName, "compile", "in.dts", "-o", "x.dtb", "--limit", "include-depth=1000");
            Assert.Equal(2, cycle.ExitCode);
            Assert.Contains("/include/ nested more than 1000 deep, the 'include-depth' limit: \"self.dtsi\" includes itself", cycle.Stderr);
            Assert.DoesNotContain("raise it with", cycle.Stderr);
        }
        finally { dir.Delete(recursive: true); }
    }

    [Theory]
    [InlineData("bogus=1", "--limit bogus=1: unknown limit 'bogus'; the limits are file-size, include-depth, expansion-tokens, node-depth, nodes, property-size, log-size, line-length")]
    [InlineData("nodes", "--limit nodes: give a value, as in --limit nodes=2000000")]
    [InlineData("nodes=0", "--limit nodes=0: must be between 1 and 2,147,483,647")]
    [InlineData("node-depth=5000", "--limit node-depth=5000: must be between 1 and 4,096")]
    [InlineData("include-depth=5000", "--limit include-depth=5000: must be between 1 and 1,000")]
    [InlineData("nodes=lots", "--limit nodes=lots: not a number; write it as 1000, 0x400 or 64M")]
    public void Malformed_limit_is_a_usage_error(string arg, string message)
    {
        var r = DtmemProcess.Run("compile", "in.dts", "--limit", arg);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("dtmem: error: " + message, r.Stderr);
    }
}
