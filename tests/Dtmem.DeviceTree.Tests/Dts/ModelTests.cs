using Dtmem.DeviceTree.Dts;
using Dtmem.DeviceTree.Model;
using static Dtmem.DeviceTree.Tests.Dts.DtsTestSupport;

namespace Dtmem.DeviceTree.Tests.Dts;

/// <summary>What the compiler records beyond the bytes: spans through cpp line markers, labels, markers, phandles.</summary>
public class ModelTests
{
    [Fact]
    public void LineMarkersMapSpansToOriginalFilesWithIncludeChain()
    {
        var tree = DtsCompiler.Compile(Path.Combine(DataDir, "linemarkers.dts"), new DtsCompileOptions());
        var soc = tree.Find("/soc")!;
        Assert.Equal(2, soc.Spans.Count);
        Assert.Equal(("soc.dtsi", 2, 7), (soc.Spans[0].File, soc.Spans[0].Line, soc.Spans[0].Column));
        var from = Assert.Single(soc.Spans[0].IncludeChain());
        Assert.Equal(("board.dts", 2, 1), (from.File, from.Line, from.Column));
        Assert.Equal(("other.dtsi", 40, 1), (soc.Spans[1].File, soc.Spans[1].Line, soc.Spans[1].Column));
        Assert.Empty(soc.Spans[1].IncludeChain());
        var status = soc.Property("status")!;
        Assert.Equal("other.dtsi:40:8", status.Span!.ToString());
        Assert.Equal("soc.dtsi:1:1", tree.Root.Span!.ToString());
    }

    [Fact]
    public void OverriddenPropertyKeepsEveryDefinitionSite()
    {
        var tree = Compile("/dts-v1/;\n/ { n: n { p = <1>; }; };\n&n { p = <2>; };\n/ { n { p = <3>; }; };\n");
        var p = tree.Find("/n")!.Property("p")!;
        Assert.Equal(["test.dts:2:12", "test.dts:3:6", "test.dts:4:9"], p.Spans.Select(s => s.ToString().Replace(DataDir + Path.DirectorySeparatorChar, "", StringComparison.Ordinal)));
        Assert.Equal(new byte[] { 0, 0, 0, 3 }, p.Value);
        Assert.Equal(3, tree.Find("/n")!.Spans.Count);
    }

    [Fact]
    public void ValueMarkersRecordTypesLabelsAndReferences()
    {
        var tree = Compile("/dts-v1/;\n/ { a: a { }; b { p = \"s\", <1 l: &a>, [00], &a; }; };\n");
        var p = tree.Find("/b")!.Property("p")!;
        Assert.Equal(new byte[] { (byte)'s', 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, (byte)'/', (byte)'a', 0 }, p.Value);
        Assert.Equal(
            [(MarkerKind.TypeString, 0, null, 0), (MarkerKind.TypeCells, 2, null, 32), (MarkerKind.Label, 6, "l", 0),
             (MarkerKind.PhandleRef, 6, "a", 32), (MarkerKind.TypeBytes, 10, null, 8), (MarkerKind.TypeString, 11, null, 0),
             (MarkerKind.PathRef, 11, "a", 0)],
            p.Markers.Select(m => (m.Kind, m.Offset, m.Text, m.Bits)));
        Assert.Equal(2, p.Markers[3].Span!.Line);
    }

    [Fact]
    public void LabelsFollowDtcOrderAndPhandlesAreRecorded()
    {
        var tree = Compile("/dts-v1/;\n/memreserve/ 1 2;\nr1: r2: /memreserve/ 3 4;\n/ { a: b: n { pl: p; }; u { x = <&b>; }; };\nc: &a { };\n");
        var n = tree.Find("/n")!;
        Assert.Equal(["c", "a", "b"], n.Labels);
        Assert.Equal(["pl"], n.Property("p")!.Labels);
        Assert.Equal(1u, n.Phandle);
        Assert.True(n.IsReferenced);
        Assert.Equal([(1UL, 2UL), (3UL, 4UL)], tree.MemReserves.Select(r => (r.Address, r.Size)));
        Assert.Equal(["r1", "r2"], tree.MemReserves[1].Labels);
    }

    [Fact]
    public void BootCpuIsGuessedFromFirstCpuAndOverridable()
    {
        const string src = "/dts-v1/;\n/ { cpus { cpu@100 { reg = <0x100>; }; cpu@0 { reg = <0>; }; }; };\n";
        Assert.Equal(0x100u, Compile(src).BootCpuId);
        Assert.Equal(3u, Compile(src, new DtsCompileOptions { BootCpu = 3 }).BootCpuId);
    }

    [Fact]
    public void PluginFlagAndOmittedNodes()
    {
        Assert.True(Compile("/dts-v1/;\n/plugin/;\n&x { p; };\n").IsPlugin);
        var tree = Compile("/dts-v1/;\n/ { /omit-if-no-ref/ a { }; /omit-if-no-ref/ l: b { }; };\n");
        Assert.Null(tree.Find("/a"));
        Assert.Null(tree.Find("/b"));
        var kept = Compile("/dts-v1/;\n/ { /omit-if-no-ref/ a { }; /omit-if-no-ref/ l: b { }; };\n", new DtsCompileOptions { Symbols = true });
        Assert.Null(kept.Find("/a"));
        Assert.True(kept.Find("/b")!.OmitIfNoRef);
    }

    [Fact]
    public void PreprocessingDefinesDtsLikeTheKernelAndMapsLinesBack()
    {
        const string src = "/dts-v1/;\n#ifdef __DTS__\n#define V 7\n#endif\n/ {\n\tp = <V>;\n};\n";
        var tree = DtsTestSupport.Compile(src, new DtsCompileOptions { Preprocess = true }, "pp.dts");
        var p = tree.Root.Property("p")!;
        Assert.Equal(new byte[] { 0, 0, 0, 7 }, p.Value);
        Assert.Equal((Path.Combine(DataDir, "pp.dts"), 6), (p.Span!.File, p.Span.Line));
    }

    [Fact]
    public void SpansThroughIncludesOfTheBuiltInPreprocessorCarryTheIncludeChain()
    {
        var dir = Directory.CreateTempSubdirectory("dtmem-dts-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "part.dtsi"), "/ {\n\tpart: part { };\n};\n");
            var main = Path.Combine(dir.FullName, "main.dts");
            File.WriteAllText(main, "/dts-v1/;\n\n#include \"part.dtsi\"\n&part { x; };\n");
            var tree = DtsCompiler.Compile(main, new DtsCompileOptions { Preprocess = true });
            var part = tree.Find("/part")!;
            Assert.Equal((Path.Combine(dir.FullName, "part.dtsi"), 2), (part.Spans[0].File, part.Spans[0].Line));
            var from = Assert.Single(part.Spans[0].IncludeChain());
            Assert.Equal((main, 3), (from.File, from.Line));
            Assert.Equal((main, 4, 1), (part.Spans[1].File, part.Spans[1].Line, part.Spans[1].Column));
        }
        finally
        {
            dir.Delete(true);
        }
    }

    [Fact]
    public void LegacyPhandleFormatEmitsLinuxPhandle()
    {
        var tree = Compile("/dts-v1/;\n/ { a: a { }; u { x = <&a>; }; };\n", new DtsCompileOptions { PhandleFormat = PhandleFormat.Both });
        Assert.Equal(["linux,phandle", "phandle"], tree.Find("/a")!.Properties.Select(p => p.Name));
    }
}
