using Dtmem.DeviceTree.Decompile;
using Dtmem.DeviceTree.Fdt;
using Dtmem.DeviceTree.Model;
using Dtmem.DeviceTree.Tests.Fdt;

namespace Dtmem.DeviceTree.Tests.Decompile;

/// <summary>Every expected text is `dtc -I dtb -O dts` (dtc 1.6.1) of the same blob; see scripts/regen-dtb-goldens.</summary>
public class DtsWriterGoldenTests
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var f in Directory.GetFiles(FdtTestData.Dir("dtb"), "*.dtb").Order())
            data.Add("dtb", Path.GetFileNameWithoutExtension(f));
        foreach (var f in Directory.GetFiles(FdtTestData.Dir("overlay"), "*.out.dtb").Order())
            data.Add("overlay", Path.GetFileNameWithoutExtension(f));
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesDtc(string dir, string name)
    {
        var expected = FdtTestData.Text(dir, name + (dir == "dtb" ? ".expected.dts" : ".dts"));
        var tree = FdtReader.ReadTree(FdtTestData.Bytes(dir, name + ".dtb"), name + ".dtb");
        Assert.Equal(expected, DtsWriter.Write(tree));
    }

    [Fact]
    public void GoldenSetCoversTheHeuristics()
    {
        // Guard against an empty data folder making the theory vacuous.
        Assert.True(Cases().Count >= 7);
        var text = FdtTestData.Text("dtb", "value-guessing.expected.dts");
        Assert.Contains("/memreserve/\t0x0000000010000000 0x0000000000800000;", text);
        Assert.Contains("bytes3 = [01 02 03];", text);
        Assert.Contains("digits-after-nul = \"0\\01\\0-1\";", text);
    }

    [Fact]
    public void MarkersAtOneOffsetKeepTheirOrder()
    {
        // `p = <&a 1>, ..., <&a 10>;` with a's phandle 1: each list starts with a type marker, then the
        // reference at the same offset, which dtc 1.6.1 prints as a space after '<' (except at offset 0).
        var value = new List<byte>();
        var p = new DtProperty("p", []);
        for (var i = 1; i <= 10; i++)
        {
            p.Markers.Add(new ValueMarker(MarkerKind.TypeCells, value.Count, Bits: 32));
            p.Markers.Add(new ValueMarker(MarkerKind.PhandleRef, value.Count, "a", 32));
            value.AddRange(DtValue.FromCells(1, (uint)i));
        }
        p.Value = [.. value];
        var root = new DtNode("");
        root.Properties.Add(p);
        // Expected line: `dtc -I dts -O dts` of that source.
        Assert.Contains("\tp = <0x01 0x01>, < 0x01 0x02>, < 0x01 0x03>, < 0x01 0x04>, < 0x01 0x05>, < 0x01 0x06>, "
            + "< 0x01 0x07>, < 0x01 0x08>, < 0x01 0x09>, < 0x01 0x0a>;\n", DtsWriter.Write(new DtTree(root)));
    }

    [Fact]
    public void MarkedValuesFollowTheirTypeMarkers()
    {
        // dtc -I dts -O dts prints `a = "x", <0x01>, [02], /bits/ 16 <0x03>;` for the same value and markers.
        var p = new DtProperty("a", [(byte)'x', 0, 0, 0, 0, 1, 2, 0, 3]);
        p.Markers.Add(new ValueMarker(MarkerKind.TypeString, 0));
        p.Markers.Add(new ValueMarker(MarkerKind.TypeCells, 2, Bits: 32));
        p.Markers.Add(new ValueMarker(MarkerKind.TypeBytes, 6));
        p.Markers.Add(new ValueMarker(MarkerKind.TypeCells, 7, Bits: 16));
        var root = new DtNode("");
        root.Properties.Add(p);
        Assert.Equal("/dts-v1/;\n\n/ {\n\ta = \"x\", <0x01>, [02], /bits/ 16 <0x03>;\n};\n", DtsWriter.Write(new DtTree(root)));
    }
}
