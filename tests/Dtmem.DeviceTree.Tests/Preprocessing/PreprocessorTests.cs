using Dtmem.DeviceTree.Model;
using Dtmem.DeviceTree.Preprocessing;

namespace Dtmem.DeviceTree.Tests.Preprocessing;

public sealed class PreprocessorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dtmem-cpp-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    private static Preprocessor Make(params string[] includes) => new(new PreprocessorOptions { IncludePaths = [.. includes] });

    [Fact]
    public void Linemarkers_follow_cpp_exactly()
    {
        // Marker lines of the include-search golden, as cpp wrote them (paths made relative).
        var dir = Path.Combine(AppContext.BaseDirectory, "data", "cpp", "include-search");
        var expected = File.ReadAllLines(Path.Combine(dir, "expected.i")).Where(l => l.StartsWith("# ", StringComparison.Ordinal));
        var actual = CppGoldenTests.Run(dir).Text.Replace(dir + "/", "", StringComparison.Ordinal).Split('\n')
            .Where(l => l.StartsWith("# ", StringComparison.Ordinal));
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Missing_include_lists_the_directories_searched()
    {
        var inc = Path.Combine(_dir, "inc");
        Directory.CreateDirectory(inc);
        var e = Assert.Throws<DtException>(() => Make(inc).RunText("a;\n#include <nope.h>\n", Path.Combine(_dir, "m.dts")));
        Assert.Equal(2, e.At!.Line);
        Assert.Contains("nope.h: No such file or directory", e.Message);
        Assert.Contains($"searched {inc}", e.Message);
        Assert.Equal("#include <nope.h>", e.SourceLine);
    }

    [Fact]
    public void Quoted_include_searches_the_current_directory_first_and_angled_does_not()
    {
        Write("sub/x.h", "from_sub");
        Write("inc/x.h", "from_inc");
        Write("sub/a.dtsi", "#include \"x.h\"\n#include <x.h>\n");
        var r = Make(Path.Combine(_dir, "inc")).Run(Path.Combine(_dir, "sub/a.dtsi"));
        var tokens = CppGoldenTests.Located(r.Text, _dir + "/");
        Assert.Equal(["sub/x.h:1 from_sub", "inc/x.h:1 from_inc"], tokens);
    }

    [Fact]
    public void Include_depth_limit_is_configurable_and_names_the_cycle()
    {
        var path = Write("loop.dtsi", "x;\n#include \"loop.dtsi\"\n");
        var pp = new Preprocessor(new PreprocessorOptions { MaxIncludeDepth = 5 });
        var e = Assert.Throws<DtException>(() => pp.Run(path));
        Assert.Contains("nested depth 5 exceeds maximum of 5", e.Message);
        Assert.Contains("includes itself", e.Message);
        Assert.Equal(2, e.At!.Line);
        // cpp lists max-1 "included from" sites (199 in data/cpp/err-include-cycle).
        Assert.Equal(4, e.At.IncludeChain().Count());
    }

    [Fact]
    public void Errors_in_headers_carry_the_include_chain()
    {
        Write("h.h", "ok;\n#if\n#endif\n");
        var main = Write("m.dts", "/ { };\n\n#include \"h.h\"\n");
        var e = Assert.Throws<DtException>(() => Make().Run(main));
        Assert.Equal((Path.Combine(_dir, "h.h"), 2), (e.At!.File, e.At.Line));
        var from = Assert.Single(e.At.IncludeChain());
        Assert.Equal((main, 3), (from.File, from.Line));
    }

    [Fact]
    public void Exponential_expansion_stops_at_the_token_budget()
    {
        var text = string.Concat(Enumerable.Range(0, 40).Select(i => $"#define M{i} M{i + 1} M{i + 1}\n")) + "M0\n";
        var pp = new Preprocessor(new PreprocessorOptions { MaxExpansionTokens = 100_000 });
        var e = Assert.Throws<DtException>(() => pp.RunText(text, "m.dts"));
        Assert.Contains("more than 100000 tokens", e.Message);
        Assert.Equal(41, e.At!.Line);
    }

    [Fact]
    public void Else_after_else_points_at_both()
    {
        var e = Assert.Throws<DtException>(() => Make().RunText("#if 1\n#else\n#else\n#endif\n", "m.dts"));
        Assert.Equal((3, 2), (e.At!.Line, e.At.Column));
        Assert.Contains("first #else is at line 2", e.Message);
    }

    [Fact]
    public void Unterminated_comment_is_located_at_its_start()
    {
        var e = Assert.Throws<DtException>(() => Make().RunText("a;\n  b /* open\n", "m.dts"));
        Assert.Equal((2, 5), (e.At!.Line, e.At.Column));
    }

    [Fact]
    public void Dependencies_list_each_file_once_main_first()
    {
        var h = Write("g.h", "#ifndef G\n#define G\n#endif\n");
        var main = Write("m.dts", "#include \"g.h\"\n#include \"g.h\"\n");
        Assert.Equal([main, h], Make().Run(main).Dependencies);
    }

    [Fact]
    public void Incompatible_redefinition_is_a_warning()
    {
        var r = Make().RunText("#define A 1\n#define A 1\n#define A 2\nA\n", "m.dts");
        var w = Assert.Single(r.Warnings);
        Assert.Equal(3, w.At!.Line);
        Assert.Contains("\"A\" redefined", w.Message);
    }

    [Fact]
    public void Concurrent_runs_sharing_a_cache_agree_with_a_fresh_run()
    {
        Write("inc/d.h", "#define V(x) <x>\n");
        var mains = Enumerable.Range(0, 16).Select(i => Write($"b{i}.dts", $"#include <d.h>\np = V({i});\n")).ToArray();
        var cache = new SourceCache();
        var shared = new string[mains.Length];
        Parallel.For(0, mains.Length, i => shared[i] = new Preprocessor(new PreprocessorOptions { IncludePaths = [Path.Combine(_dir, "inc")] }, cache).Run(mains[i]).Text);
        for (var i = 0; i < mains.Length; i++)
            Assert.Equal(Make(Path.Combine(_dir, "inc")).Run(mains[i]).Text, shared[i]);
    }

    [Fact]
    public void Kernel_defaults_use_the_kernel_include_set_and_define_DTS()
    {
        var o = PreprocessorOptions.KernelDefaults("/k/arch/arm64/boot/dts/rockchip/b.dts", "/k", "arm64");
        Assert.Equal(["/k/include", "/k/arch/arm64/boot/dts/rockchip", "/k/arch/arm64/boot/dts", "/k/scripts/dtc/include-prefixes"], o.IncludePaths);
        Assert.True(o.Defines.ContainsKey("__DTS__"));
        var rel = PreprocessorOptions.KernelDefaults("arch/arm/boot/dts/x.dts", ".", "arm");
        Assert.Equal(["include", "arch/arm/boot/dts", "arch/arm/boot/dts", "scripts/dtc/include-prefixes"], rel.IncludePaths);
    }

    [Fact]
    public void Bad_command_line_define_is_rejected()
    {
        var e = Assert.Throws<DtException>(() => new Preprocessor(new PreprocessorOptions { Defines = { ["1X"] = "2" } }));
        Assert.Contains("macro names must be identifiers", e.Message);
    }

    [Fact]
    public void Device_files_are_refused_at_the_include_site()
    {
        var e = Assert.Throws<DtException>(() => Make().RunText("a;\n  #include \"/dev/zero\"\n", "m.dts"));
        Assert.Contains("#include \"/dev/zero\": file is larger than 64 MiB, the 'file-size' limit", e.Message);
        Assert.Equal("file-size", e.Limit);
        Assert.Equal(("m.dts", 2, 3), (e.At!.File, e.At.Line, e.At.Column));
        Assert.Null(e.At.IncludedFrom);

        // From a header: at the header's directive, with the chain back to the main file.
        Write("big.dtsi", "/ { };\n#include \"/dev/zero\"\n");
        var main = Write("m.dts", "#include \"big.dtsi\"\n");
        e = Assert.Throws<DtException>(() => Make().Run(main));
        Assert.Equal((Path.Combine(_dir, "big.dtsi"), 2, 1), (e.At!.File, e.At.Line, e.At.Column));
        Assert.Equal((main, 1), (e.At.IncludedFrom!.File, e.At.IncludedFrom.Line));
        Assert.Equal("#include \"/dev/zero\"", e.SourceLine);
    }

    [Fact]
    public void Deeply_nested_invocations_stop_at_a_budget_not_out_of_memory()
    {
        var text = "#define f(x) x\n" + string.Concat(Enumerable.Repeat("f(", 20_000)) + "1" + new string(')', 20_000) + "\n";
        var e = Assert.Throws<DtException>(() => Make().RunText(text, "m.dts"));
        Assert.Matches("more than 250000 tokens|nested more than 256 levels", e.Message);
    }
}
