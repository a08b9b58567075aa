using System.Text.RegularExpressions;
using Dtmem.DeviceTree.Model;
using Dtmem.DeviceTree.Preprocessing;

namespace Dtmem.DeviceTree.Tests.Preprocessing;

/// <summary>
/// Each directory under data/cpp holds a main.dts and what the real cpp made of it (scripts/regen-cpp-goldens):
/// expected.i when it succeeded, expected.err with its diagnostics. Outputs are compared token by token, each
/// token with the file and line the linemarkers assign to it.
/// </summary>
public sealed partial class CppGoldenTests
{
    private static readonly string DataDir = Path.Combine(AppContext.BaseDirectory, "data", "cpp");

    public static TheoryData<string> SuccessCases() => Cases(d => File.Exists(Path.Combine(d, "expected.i")));

    public static TheoryData<string> ErrorCases() => Cases(d => !File.Exists(Path.Combine(d, "expected.i")));

    private static TheoryData<string> Cases(Func<string, bool> pick)
    {
        var data = new TheoryData<string>();
        foreach (var d in Directory.GetDirectories(DataDir).Order(StringComparer.Ordinal))
        {
            if (File.Exists(Path.Combine(d, "main.dts")) && pick(d))
                data.Add(Path.GetFileName(d));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(SuccessCases))]
    public void Output_matches_cpp_token_for_token_and_line_for_line(string name)
    {
        var dir = Path.Combine(DataDir, name);
        var result = Run(dir);
        var expected = Located(File.ReadAllText(Path.Combine(dir, "expected.i")), "");
        var actual = Located(result.Text, dir + "/");
        for (var i = 0; i < Math.Min(expected.Count, actual.Count); i++)
            Assert.True(expected[i] == actual[i], $"token {i}: cpp {expected[i]}, dtmem {actual[i]}");
        Assert.Equal(expected.Count, actual.Count);
    }

    [Theory]
    [MemberData(nameof(ErrorCases))]
    public void Errors_are_located_where_cpp_reports_them(string name)
    {
        var dir = Path.Combine(DataDir, name);
        var (file, line, message) = FirstDiagnostic(dir, "error");
        var e = Assert.Throws<DtException>(() => Run(dir));
        Assert.NotNull(e.At);
        Assert.Equal(file, e.At!.File.Replace(dir + "/", "", StringComparison.Ordinal));
        Assert.Equal(line, e.At.Line);
        var chain = File.ReadAllLines(Path.Combine(dir, "expected.err")).Count(l => IncludedFromRe().IsMatch(l));
        Assert.Equal(chain, e.At.IncludeChain().Count());
        // Our messages explain more, but carry cpp's key words.
        foreach (var word in KeyWords().Matches(message).Select(m => m.Value))
            Assert.Contains(word, e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Warning_directive_is_collected_with_its_location()
    {
        var dir = Path.Combine(DataDir, "warn-warning-directive");
        var (_, line, message) = FirstDiagnostic(dir, "warning");
        var w = Assert.Single(Run(dir).Warnings);
        Assert.Equal(line, w.At!.Line);
        Assert.StartsWith(w.Message, message, StringComparison.Ordinal);
    }

    internal static PreprocessResult Run(string dir, int maxIncludeDepth = 200)
    {
        var options = new PreprocessorOptions { MaxIncludeDepth = maxIncludeDepth };
        options.Defines["__DTS__"] = null;
        var flagsFile = Path.Combine(dir, "flags");
        var flags = File.Exists(flagsFile) ? File.ReadAllText(flagsFile).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [];
        for (var i = 0; i < flags.Length; i++)
        {
            var f = flags[i];
            if (f == "-I")
                options.IncludePaths.Add(Path.Combine(dir, flags[++i]));
            else if (f.StartsWith("-D", StringComparison.Ordinal))
            {
                var eq = f.IndexOf('=', StringComparison.Ordinal);
                options.Defines[eq < 0 ? f[2..] : f[2..eq]] = eq < 0 ? null : f[(eq + 1)..];
            }
            else if (f.StartsWith("-U", StringComparison.Ordinal))
                options.Undefines.Add(f[2..]);
        }
        return new Preprocessor(options).Run(Path.Combine(dir, "main.dts"));
    }

    /// <summary>cpp's first diagnostic of a kind: file (as cpp names it), line, message.</summary>
    private static (string File, int Line, string Message) FirstDiagnostic(string dir, string kind)
    {
        foreach (var l in File.ReadAllLines(Path.Combine(dir, "expected.err")))
        {
            var m = Regex.Match(l, $@"^([^:\s]+):(\d+)(?::\d+)?: (?:fatal )?{kind}: (.*)$");
            if (m.Success)
                return (m.Groups[1].Value, int.Parse(m.Groups[2].Value), m.Groups[3].Value);
        }
        throw new InvalidOperationException($"no {kind} in {dir}/expected.err");
    }

    [GeneratedRegex(@"^(In file included | +)from \S+:\d+[,:]$")]
    private static partial Regex IncludedFromRe();

    [GeneratedRegex(@"#\w+|unterminated|division|nested|requires|No such file")]
    private static partial Regex KeyWords();

    [GeneratedRegex("""
        [A-Za-z_$][A-Za-z0-9_$]*
        | \.?[0-9](?:[eEpP][+-]|[A-Za-z0-9_.])*
        | "(?:\\.|[^"\\\n])*"
        | '(?:\\.|[^'\\\n])*'
        | ["'][^\n]*
        | \.\.\.|<<=|>>=|->|\+\+|--|<<|>>|<=|>=|==|!=|&&|\|\||\*=|/=|%=|\+=|-=|&=|\^=|\|=|\#\#
        | \S
        """, RegexOptions.IgnorePatternWhitespace)]
    private static partial Regex TokenRe();

    [GeneratedRegex("""^# (\d+) "((?:\\.|[^"\\])*)"( [0-9 ]+)?$""")]
    private static partial Regex MarkerRe();

    /// <summary>Tokens of preprocessed text with the file:line the linemarkers give them.</summary>
    internal static List<string> Located(string text, string stripPrefix)
    {
        var list = new List<string>();
        var file = "";
        var line = 1;
        foreach (var l in text.Split('\n'))
        {
            var m = MarkerRe().Match(l);
            if (m.Success)
            {
                line = int.Parse(m.Groups[1].Value);
                file = stripPrefix.Length == 0 ? m.Groups[2].Value : m.Groups[2].Value.Replace(stripPrefix, "", StringComparison.Ordinal);
                continue;
            }
            foreach (Match t in TokenRe().Matches(stripPrefix.Length == 0 ? l : l.Replace(stripPrefix, "", StringComparison.Ordinal)))
                list.Add($"{file}:{line} {t.Value}");
            line++;
        }
        return list;
    }
}
