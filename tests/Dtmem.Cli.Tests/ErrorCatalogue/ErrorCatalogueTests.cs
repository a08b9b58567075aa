namespace Dtmem.Cli.Tests.ErrorCatalogue;

/// <summary>
/// Every example of docs/errors.md, run through the real dtmem executable: the documented message must appear at its
/// documented location (file:line:col, or file:+0xOFFSET for blobs), the exit code must be 2 (bad input) and no stack
/// trace may leak. The messages are also required to appear verbatim in docs/errors.md so the page cannot go stale.
/// </summary>
public sealed class ErrorCatalogueTests
{
    /// <summary>One catalogue entry: input files written to a scratch directory, the CLI arguments and the
    /// expected "location: error: message" fragment.</summary>
    public sealed record Case(string Name, (string File, byte[] Content)[] Files, string[] Args, string Location, string Message);

    private static (string, byte[]) Text(string file, string text) => (file, System.Text.Encoding.UTF8.GetBytes(text));

    // dtc 1.6.1 output for "/dts-v1/; / { model = "x"; n { p = <1>; }; };" (dtc -O dtb).
    private static readonly byte[] SmallDtb = Convert.FromHexString(
        "d00dfeed0000007c000000380000007400000028000000110000001000000000000000080000003c000000000000000000000000000000"
        + "00000000010000000000000003000000020000000078000000000000016e000000000000030000000400000006000000010000000200"
        + "000002000000096d6f64656c007000");

    // dtc 1.6.1 -@ output for "/dts-v1/; /plugin/; &nolabel { status = "okay"; };".
    private static readonly byte[] OverlayNoLabel = Convert.FromHexString(
        "d00dfeed000000e200000038000000cc00000028000000110000001000000000000000160000009400000000000000000000000000000000"
        + "000000010000000000000001667261676d656e7440300000000000030000000400000000ffffffff000000015f5f6f7665726c61795f5f"
        + "000000000300000005000000076f6b6179000000000000000200000002000000015f5f6669787570735f5f0000000000030000001500"
        + "00000e2f667261676d656e7440303a7461726765743a300000000000000002000000020000000974617267657400737461747573006e"
        + "6f6c6162656c00");

    private static byte[] Patched(byte[] blob, int offset, uint value)
    {
        var b = (byte[])blob.Clone();
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(offset), value);
        return b;
    }

    private static readonly string[] Compile = ["compile", "in.dts", "-o", "out.dtb"];
    private static readonly string[] CompileDtb = ["compile", "in.dtb", "-o", "out.dtb"];

    public static readonly Case[] Cases =
    [
        new("dts-syntax", [Text("in.dts", "/dts-v1/;\n/ {\n\ta = <1 2;\n};\n")], Compile,
            "in.dts:3:10", "syntax error: expected a number, '(' expression ')', a &reference or '>' in the cell list, found ';'"),
        new("unknown-label", [Text("in.dts", "/dts-v1/;\n/ { a = <&lable>; label: m { }; };\n")], Compile,
            "in.dts:2:10", "reference to non-existent node or label &lable in property 'a' of /; did you mean &label?"),
        new("duplicate-label", [Text("in.dts", "/dts-v1/;\n/ {\n\tx: a { };\n\tx: b { };\n};\n")], Compile,
            "in.dts:4:5", "duplicate label 'x' on node /b and node /a (first at in.dts:3:5)"),
        new("cell-overflow", [Text("in.dts", "/dts-v1/;\n/ {\n\tp = <0x1ffffffff>;\n};\n")], Compile,
            "in.dts:3:7", "value 0x1ffffffff out of range for 32-bit array element (dtc >= 1.7 would truncate it to 0xffffffff)"),
        new("node-depth", [Text("in.dts", "/dts-v1/;\n/ {" + string.Concat(Enumerable.Repeat(" a {", 300)) + string.Concat(Enumerable.Repeat(" };", 300)) + " };\n")], Compile,
            "in.dts:2:1025", "nodes nested deeper than 256 levels, the 'node-depth' limit"),
        new("expression-depth", [Text("in.dts", "/dts-v1/;\n/ { p = <" + new string('(', 300) + "1" + new string(')', 300) + ">; };\n")], Compile,
            "in.dts:2:", "expression nested more than 200 parentheses deep"),
        new("missing-include-cpp", [Text("in.dts", "/dts-v1/;\n#include \"nope.h\"\n/ { };\n")], Compile,
            "in.dts:2:1", "nope.h: No such file or directory (searched .); add the directory that holds it to the include paths (-I)"),
        new("include-dev-zero-cpp", [Text("in.dts", "/dts-v1/;\n#include \"/dev/zero\"\n/ { };\n")], Compile,
            "in.dts:2:1", "#include \"/dev/zero\": file is larger than 64 MiB, the 'file-size' limit"),
        new("input-dev-zero", [], ["compile", "/dev/zero", "-o", "out.dtb"],
            "/dev/zero", "larger than 64 MiB, the 'file-size' limit (device trees are rarely over 1 MiB)"),
        new("missing-include-dts", [Text("in.dts", "/dts-v1/;\n/include/ \"nope.dtsi\"\n")], Compile,
            "in.dts:2:1", "/include/ file \"nope.dtsi\" not found (searched .)"),
        new("include-cycle-dts", [Text("in.dts", "/dts-v1/;\n/include/ \"self.dtsi\"\n"), Text("self.dtsi", "/include/ \"self.dtsi\"\n")], Compile,
            "self.dtsi:1:1", "/include/ nested more than 200 deep, the 'include-depth' limit: \"self.dtsi\" includes itself (directly or through other files)"),
        new("include-cycle-cpp", [Text("in.dts", "/dts-v1/;\n#include \"self.h\"\n"), Text("self.h", "#include \"self.h\"\n")], Compile,
            "self.h:1:1", "#include nested depth 200 exceeds maximum of 200"),
        new("error-directive", [Text("in.dts", "/dts-v1/;\n#error board not supported\n")], Compile,
            "in.dts:2:2", "#error board not supported"),
        new("if-unbalanced", [Text("in.dts", "/dts-v1/;\n#if (1\n#endif\n")], Compile,
            "in.dts:2:2", "missing ')' in #if expression"),
        new("if-division-by-zero", [Text("in.dts", "/dts-v1/;\n#if 1 / 0\n#endif\n")], Compile,
            "in.dts:2:7", "division by zero in #if"),
        new("if-nesting", [Text("in.dts", "#if " + new string('(', 300) + "1" + new string(')', 300) + "\n#endif\n")], Compile,
            "in.dts:1:", "#if expression nested too deeply"),
        new("macro-bomb", [Text("in.dts", "#define A(x) B(x) B(x)\n#define B(x) C(x) C(x)\n#define C(x) D(x) D(x)\n#define D(x) E(x) E(x)\n#define E(x) x x x x x x x x x x\n/dts-v1/;\n/ { p = <A(A(A(A(A(1)))))>; };\n")], Compile,
            "in.dts:7:1", "macro expansion produced more than 250000 tokens, the 'expansion-tokens' limit (runaway recursion?)"),
        new("dtb-truncated", [("in.dtb", SmallDtb[..60])], CompileDtb,
            "in.dtb:+0x4", "totalsize says 124 bytes but the input has only 60 (truncated file?)"),
        new("dtb-bad-version", [("in.dtb", Patched(SmallDtb, 24, 18))], CompileDtb,
            "in.dtb:+0x18", "last_comp_version 18 is newer than the newest supported version 17"),
        new("dtb-bad-block", [("in.dtb", Patched(SmallDtb, 8, 200))], CompileDtb,
            "in.dtb:+0x8", "structure block 0xc8+0x3c extends outside 0x28..0x7c"),
        new("overlay-unresolved", [("base.dtb", SmallDtb), ("ov.dtbo", OverlayNoLabel)], ["overlay", "base.dtb", "ov.dtbo", "-o", "out.dtb"],
            "ov.dtbo:+0x9c", "overlay ov.dtbo: symbol 'nolabel' (used at /fragment@0:target) cannot be resolved: the base has no /__symbols__ node"),
        new("log-missing", [], ["diagnose", "crash.log"], "crash.log", "cannot read"),
        new("log-folder", [], ["bootlog", "."], ".", "is a folder; pass the log file inside it"),
        new("va-bits", [("crash.log", []) ], ["diagnose", "crash.log", "--va-bits", "99"], "--va-bits", "99 is not an arm64 VA size; arm64 kernels use 36 to 52 bits"),
        new("map-no-input", [], ["map"], "map", "map needs a board (.dts or .dtb) or boot evidence"),
        new("map-width", [("in.dtb", SmallDtb)], ["map", "in.dtb", "--width", "40"], "--width", "40 columns are too few; the map needs at least 60"),
        new("kernel-version", [("in.dtb", SmallDtb)], ["check", "in.dtb", "--kernel-version", "banana"],
            "--kernel-version", "'banana' is not a kernel version"),
        new("kernel-config", [("in.dtb", SmallDtb), Text("cfg", "hello\n")], ["check", "in.dtb", "--config", "cfg"],
            "cfg:line 1", "'hello' is not a config line (CONFIG_NAME=value or # CONFIG_NAME is not set)"),
        new("image-short", [("in.dtb", SmallDtb), ("Image", new byte[10])], ["check", "in.dtb", "--image", "Image"],
            "Image:byte 0xa", "file is 10 bytes, shorter than the 64-byte arm64 Image header"),
    ];

    public static TheoryData<string> Names() => [.. Cases.Select(c => c.Name)];

    [Theory]
    [MemberData(nameof(Names))]
    public void Example_gives_located_error_and_exit_code_2(string name)
    {
        var c = Cases.Single(x => x.Name == name);
        var dir = Directory.CreateTempSubdirectory("dtmem-errcat-");
        try
        {
            foreach (var (file, content) in c.Files) File.WriteAllBytes(Path.Combine(dir.FullName, file), content);
            var r = DtmemProcess.RunIn(dir.FullName, c.Args);
            Assert.Equal(2, r.ExitCode);
            Assert.Contains($"{c.Location}", r.Stderr);
            Assert.Contains($": error: ", r.Stderr);
            Assert.Contains(c.Message, r.Stderr);
            var errorLine = r.Stderr.Split('\n').First(l => l.Contains(c.Message, StringComparison.Ordinal));
            Assert.StartsWith(c.Location, errorLine);
            Assert.DoesNotContain("   at ", r.Stderr);
            Assert.DoesNotContain("Exception", r.Stderr);
        }
        finally { dir.Delete(recursive: true); }
    }

    [Fact]
    public void Every_example_is_documented_in_docs_errors_md()
    {
        var doc = File.ReadAllText(Path.Combine(DtmemProcess.RepoRoot, "docs", "errors.md"));
        var missing = Cases.Where(c => !doc.Contains(c.Message, StringComparison.Ordinal)).Select(c => c.Name).ToList();
        Assert.Empty(missing);
    }
}
