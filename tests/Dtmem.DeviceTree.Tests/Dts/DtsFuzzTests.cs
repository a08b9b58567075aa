using CsCheck;
using Dtmem.DeviceTree.Dts;
using Dtmem.DeviceTree.Fdt;
using Dtmem.DeviceTree.Model;

namespace Dtmem.DeviceTree.Tests.Dts;

/// <summary>Damaged sources compile or fail with a located DtException: never another exception or a hang.</summary>
public class DtsFuzzTests
{
    private static readonly string[] Seeds =
        [.. new[] { "basic", "expressions", "references", "merge-delete", "plugin", "symbols", "include", "omit", "linemarkers", "deep-names" }
            .Select(n => File.ReadAllText(Path.Combine(DtsTestSupport.DataDir, n + ".dts")))];

    // Fragments that steer mutations into the grammar's corners.
    private static readonly string[] Pieces =
    [
        "{", "}", ";", "<", ">", "[", "]", "(", ")", "&", "&{/", "&{a/b}", "/", "\"", "'", "\\", "\\x", ":", "=", ",",
        "0x", "09", "?", "-", "!", "<<", "/bits/ 8", "/bits/ 7", "/delete-node/", "/delete-property/", "/omit-if-no-ref/",
        "/incbin/(\"blob.bin\", 1, 2)", "/include/ \"nope\"", "/memreserve/", "/plugin/;", "/dts-v1/;", "\n# 3 \"x.dtsi\" 1\n",
        "\n#line 9 \"y\"\n", "lbl:", "&lbl", "phandle = <&lbl>;", "name = \"n\";", "0xffffffffffffffff", "(1/0)", "\n",
    ];

    private sealed record Edit(int Kind, int Position, int Length, int Piece);

    private static string Apply(string seed, Edit[] edits)
    {
        var s = seed;
        foreach (var e in edits)
        {
            var pos = s.Length == 0 ? 0 : e.Position % s.Length;
            var len = Math.Min(e.Length, s.Length - pos);
            s = e.Kind switch
            {
                0 => s.Remove(pos, len),
                1 => s.Insert(pos, Pieces[e.Piece % Pieces.Length]),
                _ => s.Insert(pos, s.Substring(pos, len)),
            };
        }
        return s;
    }

    private static void CompileOrLocatedError(string source, bool symbols)
    {
        try
        {
            var tree = DtsCompiler.CompileText(source, Path.Combine(DtsTestSupport.DataDir, "fuzz.dts"), new DtsCompileOptions { Symbols = symbols });
            Assert.NotEmpty(FdtWriter.Write(tree));
        }
        catch (DtException e)
        {
            Assert.True(e.At is { Line: >= 0, Column: >= 1 }, e.ToString());
        }
    }

    [Fact]
    public void MutatedSourcesFailOnlyWithLocatedDtException()
    {
        var edit = Gen.Select(Gen.Int[0, 2], Gen.Int[0, int.MaxValue], Gen.Int[0, 40], Gen.Int[0, int.MaxValue], (k, p, l, i) => new Edit(k, p, l, i));
        Gen.Select(Gen.Int[0, Seeds.Length - 1], edit.Array[1, 5], Gen.Bool)
            .Sample((s, e, sym) => CompileOrLocatedError(Apply(Seeds[s], e), sym), iter: 5_000, threads: 1);
    }

    [Fact]
    public void EveryPrefixOfASourceFailsCleanly()
    {
        var seed = Seeds[0];
        for (var len = 0; len < seed.Length; len++) CompileOrLocatedError(seed[..len], false);
    }
}
