using Dtmem.DeviceTree.Decompile;
using Dtmem.DeviceTree.Dts;
using Dtmem.DeviceTree.Fdt;
using Dtmem.DeviceTree.Model;
using Dtmem.DeviceTree.Overlay;
using Dtmem.DeviceTree.Tests.Fdt;

namespace Dtmem.DeviceTree.Tests.Overlay;

/// <summary>Expected trees are fdtoverlay's (dtc 1.6.1) output for the cases in data/overlay/src/cases.</summary>
public class OverlayApplierTests
{
    private static DtTree Load(string file) => FdtReader.ReadTree(FdtTestData.Bytes("overlay", file), file);

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var line in File.ReadAllLines(FdtTestData.PathOf("overlay", "src/cases")))
            if (line.Length > 0 && line[0] != '#') data.Add(line);
        return data;
    }

    private static DtTree ApplyCase(string line)
    {
        var parts = line.Split('+');
        var tree = Load(parts[0] + ".dtb");
        foreach (var o in parts[1..]) OverlayApplier.Apply(tree, Load(o + ".dtbo"), o + ".dtbo");
        return tree;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesFdtoverlay(string line)
    {
        var expected = FdtTestData.Text("overlay", line.Replace('+', '_') + ".out.dts");
        Assert.Equal(expected, DtsWriter.Write(ApplyCase(line)));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void BlobIsByteIdenticalToFdtoverlay(string line)
    {
        var parts = line.Split('+');
        var blob = OverlayApplier.ApplyToBlob(
            FdtTestData.Bytes("overlay", parts[0] + ".dtb"), parts[0] + ".dtb",
            parts[1..].Select(o => (o + ".dtbo", FdtTestData.Bytes("overlay", o + ".dtbo"))));
        var expected = FdtTestData.Bytes("overlay", line.Replace('+', '_') + ".out.dtb");
        Assert.NotEqual(expected, ZeroPadding(expected)); // the reference really carries stale padding
        Assert.Equal(ZeroPadding(expected), blob);
    }

    // libfdt 1.6.1's fdt_setprop and fdt_add_subnode leave the alignment padding after a new value or name
    // with whatever bytes the splice shifted there; dtmem writes zeros, as dtc does.
    private static byte[] ZeroPadding(byte[] blob)
    {
        var b = (byte[])blob.Clone();
        var r = new FdtReader(blob, "x");
        while (r.Read())
        {
            var end = r.TokenType switch
            {
                FdtTokenType.BeginNode => r.TokenOffset + 4 + r.Name.Length + 1,
                FdtTokenType.Property => r.ValueOffset + r.Value.Length,
                _ => -1,
            };
            for (var i = end; i > 0 && i % 4 != 0; i++) b[i] = 0;
        }
        return b;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void SourcesCompiledByDtmemApplyLikeDtcBlobs(string line)
    {
        // Same cases with every input compiled from data/overlay/src by dtmem (-@) instead of read from dtc's blobs.
        var options = new DtsCompileOptions { Symbols = true };
        DtTree Compile(string name) => DtsCompiler.Compile(FdtTestData.PathOf("overlay", $"src/{name}.dts"), options);
        var parts = line.Split('+');
        var tree = Compile(parts[0]);
        foreach (var o in parts[1..]) OverlayApplier.Apply(tree, Compile(o), o + ".dts");
        Assert.Equal(FdtTestData.Text("overlay", line.Replace('+', '_') + ".out.dts"), DtsWriter.Write(tree, asBlob: true));
    }

    [Fact]
    public void CasesExist() => Assert.True(Cases().Count >= 2);

    [Fact]
    public void PhandlesAndProvenanceAfterApply()
    {
        var tree = ApplyCase("base+ovl-basic");
        // fdtoverlay's output (decompiled) gives dma-controller phandle 5: its overlay phandle 1 + the base's largest, 4.
        var dma = tree.Find("/soc/dma-controller@fe530000")!;
        Assert.Equal(5u, dma.Phandle);
        // Applied nodes and properties point into the overlay file.
        Assert.Equal("ovl-basic.dtbo", dma.Span!.File);
        Assert.Equal("ovl-basic.dtbo", tree.Find("/soc/serial@fe650000")!.Property("status")!.Span!.File);
        Assert.Equal("base.dtb", tree.Find("/soc/serial@fe650000")!.Property("status")!.Spans[0].File);
    }

    [Fact]
    public void UnknownSymbolNamesTheLabelAndTheFixupOffset()
    {
        var tree = Load("base.dtb");
        var e = Assert.Throws<DtException>(() => OverlayApplier.Apply(tree, Load("ovl-badref.dtbo"), "ovl-badref.dtbo"));
        // `fdtdump -d ovl-badref.dtbo`: the __fixups__ property no_such_label is the FDT_PROP at 0x9c.
        Assert.Equal("ovl-badref.dtbo:+0x9c", e.At!.ToString());
        Assert.Equal("overlay ovl-badref.dtbo: symbol 'no_such_label' (used at /fragment@0:target) is not defined in the base's /__symbols__ (fdtoverlay: FDT_ERR_NOTFOUND)", e.Message);
    }

    [Fact]
    public void BaseWithoutSymbolsSaysToUseDtcAt()
    {
        var tree = Load("base.dtb");
        tree.Root.Children.Remove(tree.Find("/__symbols__")!);
        var e = Assert.Throws<DtException>(() => OverlayApplier.Apply(tree, Load("ovl-sugar.dtbo"), "ovl-sugar.dtbo"));
        Assert.Contains("the base has no /__symbols__ node; compile the base with dtc -@", e.Message);
    }

    [Fact]
    public void OverlayTreeIsNotModified()
    {
        var overlay = Load("ovl-basic.dtbo");
        var before = DtsWriter.Write(overlay);
        OverlayApplier.Apply(Load("base.dtb"), overlay, "ovl-basic.dtbo");
        Assert.Equal(before, DtsWriter.Write(overlay));
    }

    [Fact]
    public void FragmentWithoutTarget()
    {
        var overlay = Load("ovl-basic.dtbo");
        var fragment = overlay.Find("/fragment@1")!;
        fragment.Properties.Remove(fragment.Property("target-path")!);
        var e = Assert.Throws<DtException>(() => OverlayApplier.Apply(Load("base.dtb"), overlay, "o.dtbo"));
        Assert.Equal("overlay o.dtbo: /fragment@1 has an __overlay__ node but neither target nor target-path (fdtoverlay: FDT_ERR_BADOVERLAY)", e.Message);
        Assert.Equal(fragment.Span, e.At);
    }
}
