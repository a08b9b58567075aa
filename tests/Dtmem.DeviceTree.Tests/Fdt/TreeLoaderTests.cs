using Dtmem.DeviceTree.Decompile;
using Dtmem.DeviceTree.Dts;
using Dtmem.DeviceTree.Model;

namespace Dtmem.DeviceTree.Tests.Fdt;

public class TreeLoaderTests
{
    [Fact]
    public void DtbAndDtsOfTheSameBoardLoadToTheSameTree()
    {
        var fromDtb = TreeLoader.Load(FdtTestData.PathOf("dtb", "value-guessing.dtb"));
        var fromDts = TreeLoader.Load(FdtTestData.PathOf("dtb", "src/value-guessing.dts"));
        Assert.True(fromDtb.Root.Span!.IsBinary);
        Assert.False(fromDts.Root.Span!.IsBinary);
        // The DTS tree carries labels and type markers, so compare values through the blob view.
        var expected = FdtTestData.Text("dtb", "value-guessing.expected.dts");
        Assert.Equal(expected, DtsWriter.Write(fromDtb));
        Assert.Equal(expected, DtsWriter.Write(fromDts, asBlob: true));
        Assert.NotEqual(expected, DtsWriter.Write(fromDts));
    }

    [Fact]
    public void OverlayBlobWithOnlyTargetPathFragmentsIsAPlugin()
    {
        var overlay = DtsCompiler.CompileText("/dts-v1/;\n/plugin/;\n/ { fragment@0 { target-path = \"/\"; __overlay__ { x = <1>; }; }; };\n",
            "o.dts", new DtsCompileOptions());
        var blob = Dtmem.DeviceTree.Fdt.FdtWriter.Write(overlay);
        Assert.True(TreeLoader.Load(blob, "o.dtbo").IsPlugin);
    }

    [Fact]
    public void MissingFileIsADtException()
    {
        var e = Assert.Throws<DtException>(() => TreeLoader.Load("/nonexistent/board.dtb"));
        Assert.StartsWith("cannot read: ", e.Message);
        Assert.Equal("/nonexistent/board.dtb: error: " + e.Message, e.ToString());
    }

    [Fact]
    public void EndlessDeviceStopsAtTheFileSizeLimit()
    {
        // /dev/zero reports a length of 0 and never ends: the read must stop at the limit, not at memory exhaustion.
        var e = Assert.Throws<DtException>(() => TreeLoader.Load("/dev/zero", new DtsCompileOptions { MaxFileBytes = 1 << 20 }));
        Assert.Equal("file-size", e.Limit);
        Assert.Equal("/dev/zero: error: larger than 1 MiB, the 'file-size' limit (device trees are rarely over 1 MiB)", e.ToString());
    }

    [Fact]
    public void DamagedBlobIsReportedAsABlob()
    {
        var blob = FdtTestData.Bytes("dtb", "value-guessing.dtb")[..100];
        var e = Assert.Throws<DtException>(() => TreeLoader.Load(blob, "cut.dtb"));
        Assert.Equal("cut.dtb:+0x4", e.At!.ToString());
    }
}
