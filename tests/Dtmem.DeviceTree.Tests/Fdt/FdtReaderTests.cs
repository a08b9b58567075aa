using System.Text;
using Dtmem.DeviceTree.Fdt;
using Dtmem.DeviceTree.Model;

namespace Dtmem.DeviceTree.Tests.Fdt;

public class FdtReaderTests
{
    private static DtException Fails(byte[] blob) =>
        Assert.Throws<DtException>(() => FdtReader.ReadTree(blob, "t.dtb"));

    [Fact]
    public void TokenOffsetsMatchFdtdump()
    {
        // Offsets from `fdtdump -d value-guessing.dtb`: root at 0x58, compatible at 0x60 (value 0x6c),
        // model at 0x84, memory@40000000 at 0x310, chosen at 0x350, bootargs at 0x35c.
        var r = new FdtReader(FdtTestData.Bytes("dtb", "value-guessing.dtb"), "v.dtb");
        var seen = new Dictionary<string, (int, int)>();
        while (r.Read())
            if (r.TokenType is FdtTokenType.BeginNode or FdtTokenType.Property)
                seen.TryAdd(Encoding.ASCII.GetString(r.Name), (r.TokenOffset, r.ValueOffset));
        Assert.Equal(FdtTokenType.End, r.TokenType);
        Assert.Equal((0x58, -1), seen[""]);
        Assert.Equal((0x60, 0x6c), seen["compatible"]);
        Assert.Equal(0x84, seen["model"].Item1);
        Assert.Equal(0x310, seen["memory@40000000"].Item1);
        Assert.Equal(0x350, seen["chosen"].Item1);
        Assert.Equal((0x35c, 0x368), seen["bootargs"]);
    }

    [Fact]
    public void SkipNodeStopsOnItsEndNode()
    {
        // After /cpus (fdtdump: at 0x258, with cpu@0 and l2-cache inside) comes memory@40000000 at 0x310.
        var r = new FdtReader(FdtTestData.Bytes("dtb", "value-guessing.dtb"), "v.dtb");
        while (r.Read() && !(r.TokenType == FdtTokenType.BeginNode && r.Name.SequenceEqual("cpus"u8))) { }
        Assert.Equal(2, r.Depth);
        r.SkipNode();
        Assert.Equal((FdtTokenType.EndNode, 1), (r.TokenType, r.Depth));
        Assert.True(r.Read());
        Assert.Equal("memory@40000000", Encoding.ASCII.GetString(r.Name));
        Assert.Equal(0x310, r.TokenOffset);
    }

    [Fact]
    public void TreeCarriesValuesSpansAndReservations()
    {
        var t = FdtReader.ReadTree(FdtTestData.Bytes("dtb", "value-guessing.dtb"), "v.dtb");
        // /memreserve/ lines of the source; `fdtget` gives the values below.
        Assert.Equal([(0x10000000UL, 0x800000UL), (0UL, 0x1000UL)], t.MemReserves.Select(m => (m.Address, m.Size)));
        Assert.Equal(0x28, t.MemReserves[0].Span!.ByteOffset);
        Assert.Equal(0x38, t.MemReserves[1].Span!.ByteOffset);
        var chosen = t.Find("/chosen")!;
        Assert.Equal("v.dtb:+0x350", chosen.Span!.ToString());
        var bootargs = chosen.Property("bootargs")!;
        Assert.Equal("console=ttyS2,1500000n8 cma=64M", DtValue.String(bootargs.Value));
        Assert.Equal(0x35c, bootargs.Span!.ByteOffset);
        Assert.Equal([0x40000000u, 0x80000000u], DtValue.Cells(t.Find("/memory@40000000")!.Property("reg")!.Value));
        // phandles assigned by dtc: l2-cache 1, cpu@0 2 (fdtget /cpus/cpu@0 phandle).
        Assert.Equal(2u, t.Find("/cpus/cpu@0")!.Phandle);
        Assert.Equal(1u, t.Find("/cpus/l2-cache")!.Phandle);
        Assert.Equal(0u, t.BootCpuId);
        Assert.False(t.IsPlugin);
    }

    [Fact]
    public void Version16BlobReadsLikeVersion17()
    {
        var v16 = FdtReader.ReadTree(FdtTestData.Bytes("dtb", "value-guessing.v16.dtb"), "v16.dtb");
        Assert.Equal(7, v16.Root.DescendantsAndSelf().Count());
        Assert.Equal("cpu", DtValue.String(v16.Find("/cpus/cpu@0")!.Property("device_type")!.Value));
    }

    [Fact]
    public void Version3FullPathsAndAlignedValues()
    {
        // fdtdump -d value-guessing.v3.dtb: compatible's FDT_PROP at 0x60 has its value at 0x70 (8-aligned);
        // node names are full paths, e.g. "/cpus/cpu@0".
        var r = new FdtReader(FdtTestData.Bytes("dtb", "value-guessing.v3.dtb"), "v3.dtb");
        Assert.True(r.Read());
        Assert.True(r.Read());
        Assert.Equal("compatible", Encoding.ASCII.GetString(r.Name));
        Assert.Equal((0x60, 0x70), (r.TokenOffset, r.ValueOffset));
        var t = FdtReader.ReadTree(FdtTestData.Bytes("dtb", "value-guessing.v3.dtb"), "v3.dtb");
        Assert.Equal("cpu@0", t.Find("/cpus/cpu@0")!.Name);
        Assert.Equal("cpus", DtValue.String(t.Find("/cpus")!.Property("name")!.Value));
    }

    [Fact]
    public void Version3PathMustExtendTheParentPath()
    {
        var blob = new BlobBuilder().Begin("/").Begin("/a").Begin("/b/c").EndNode().EndNode().EndNode().End().Build();
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(blob.AsSpan(20), 3);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(blob.AsSpan(24), 1);
        var e = Fails(blob);
        Assert.Equal(0x48, e.At!.ByteOffset);
        Assert.Equal("node path \"/b/c\" does not continue its parent's path \"/a\"", e.Message);
    }

    [Fact]
    public void OverlayIsRecognisedAsPlugin()
    {
        Assert.True(FdtReader.ReadTree(FdtTestData.Bytes("overlay", "ovl-basic.dtbo"), "o.dtbo").IsPlugin);
    }

    [Fact]
    public void NopsAreSkipped()
    {
        var t = FdtReader.ReadTree(new BlobBuilder().Nop().Begin("").Nop().Prop("a", 1, 2).Begin("n").EndNode().EndNode().Nop().End().Build(), "t");
        Assert.Equal([1, 2], t.Root.Property("a")!.Value);
        Assert.Equal("n", t.Root.Children.Single().Name);
    }

    [Fact]
    public void PropertyAfterSubnodeIsAcceptedWithAWarning()
    {
        // dtc reads this and warns "Flat tree input has subnodes preceding a property"; libfdt accepts it.
        var blob = new BlobBuilder().Begin("").Begin("n").EndNode().Prop("late").EndNode().End().Build();
        var warnings = new List<string>();
        var t = FdtReader.ReadTree(blob, "t", (at, msg) => warnings.Add($"{at}: {msg}"));
        Assert.NotNull(t.Root.Property("late"));
        Assert.Equal("t:+0x4c: property \"late\" follows subnodes of / (dtc: \"Flat tree input has subnodes preceding a property\")", Assert.Single(warnings));
    }

    [Fact]
    public void DuplicateNamesAreReported()
    {
        // dtc -I dtb stops on these with ERROR (duplicate_property_names) / (duplicate_node_names).
        var blob = new BlobBuilder().Begin("").Prop("p").Prop("p").Begin("n").EndNode().Begin("n").EndNode().EndNode().End().Build();
        var warnings = new List<string>();
        var t = FdtReader.ReadTree(blob, "t", (at, msg) => warnings.Add($"{at}: {msg}"));
        Assert.Equal(2, t.Root.Properties.Count);
        Assert.Equal(
        [
            "t:+0x4c: duplicate property /:p (dtc: ERROR (duplicate_property_names))",
            "t:+0x64: duplicate node /n (dtc: ERROR (duplicate_node_names))",
        ], warnings);
    }

    [Fact]
    public void MissingEnd()
    {
        var e = Fails(new BlobBuilder().Begin("").EndNode().Build());
        Assert.Equal(0x44, e.At!.ByteOffset);
        Assert.Equal("structure block ends without an FDT_END token", e.Message);
    }

    [Fact]
    public void UnclosedNode()
    {
        var e = Fails(new BlobBuilder().Begin("").Begin("a").EndNode().End().Build());
        Assert.Equal(0x4c, e.At!.ByteOffset);
        Assert.Equal("FDT_END inside a node (depth 1): missing FDT_END_NODE", e.Message);
    }

    [Fact]
    public void ExtraEndNode()
    {
        var e = Fails(new BlobBuilder().Begin("").EndNode().EndNode().End().Build());
        Assert.Equal(0x44, e.At!.ByteOffset);
        Assert.Equal("FDT_END_NODE without a matching FDT_BEGIN_NODE", e.Message);
    }

    [Fact]
    public void SecondRootNode()
    {
        var e = Fails(new BlobBuilder().Begin("").EndNode().Begin("").EndNode().End().Build());
        Assert.Equal(0x44, e.At!.ByteOffset);
        Assert.Contains("second top-level node", e.Message);
    }

    [Fact]
    public void EndNotLast()
    {
        var e = Fails(new BlobBuilder().Begin("").EndNode().End().Nop().Build());
        Assert.Equal(0x44, e.At!.ByteOffset);
        Assert.StartsWith("FDT_END is not the last token", e.Message);
    }

    [Fact]
    public void UnknownToken()
    {
        var e = Fails(new BlobBuilder().Begin("").Word(7).EndNode().End().Build());
        Assert.Equal(0x40, e.At!.ByteOffset);
        Assert.StartsWith("unknown structure token 0x00000007", e.Message);
    }

    [Fact]
    public void StringOffsetOutsideStringsBlock()
    {
        var e = Fails(new BlobBuilder().Begin("").PropAt(100).EndNode().End().Build());
        Assert.Equal(0x40, e.At!.ByteOffset);
        Assert.Equal("property name offset 0x64 is outside the 0-byte strings block", e.Message);
    }

    [Fact]
    public void StringNotTerminatedInsideStringsBlock()
    {
        var blob = new BlobBuilder().Begin("").Prop("abc").EndNode().End().Build();
        blob[^1] = (byte)'d'; // the NUL of "abc", last byte of the strings block
        var e = Fails(blob);
        Assert.Contains("not NUL-terminated inside the strings block", e.Message);
    }

    [Fact]
    public void ValueRunningPastStructureBlock()
    {
        var blob = new BlobBuilder().Begin("").Prop("p", 1, 2, 3, 4).EndNode().End().Build();
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(blob.AsSpan(0x44), 0x7fffffff);
        var e = Fails(blob);
        Assert.Equal(0x40, e.At!.ByteOffset);
        Assert.StartsWith("property value of 2147483647 bytes runs past the end of the structure block", e.Message);
    }

    [Fact]
    public void RootNameMustBeEmpty()
    {
        Assert.Equal("root node name must be empty, found \"x\"", Fails(new BlobBuilder().Begin("x").EndNode().End().Build()).Message);
    }

    [Theory]
    [InlineData("a b", "bad character ' ' in node name \"a b\"")]
    [InlineData("a@1@2", "node name \"a@1@2\" has more than one '@'")]
    [InlineData("", "node has an empty name (only the root node may)")]
    [InlineData("a/b", "bad character '/' in node name \"a/b\"")]
    public void NodeNamesFollowDtcRules(string name, string message)
    {
        var e = Fails(new BlobBuilder().Begin("").Begin(name).EndNode().EndNode().End().Build());
        Assert.Equal(0x40, e.At!.ByteOffset);
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void PropertyNamesFollowDtcRules()
    {
        var e = Fails(new BlobBuilder().Begin("").Prop("a=b").EndNode().End().Build());
        Assert.Equal("bad character '=' in property name \"a=b\"", e.Message);
        Assert.Null(Record.Exception(() => FdtReader.ReadTree(new BlobBuilder().Begin("").Prop("#a,b?*+_.-").EndNode().End().Build(), "t")));
    }

    [Fact]
    public void DepthIsLimited()
    {
        var b = new BlobBuilder().Begin("");
        for (var i = 0; i < FdtReader.MaxDepth; i++) b.Begin("n");
        for (var i = 0; i <= FdtReader.MaxDepth; i++) b.EndNode();
        var e = Fails(b.End().Build());
        Assert.Equal($"nodes nested deeper than {FdtReader.MaxDepth} levels", e.Message);
        Assert.Equal(0x38 + 8 * FdtReader.MaxDepth, e.At!.ByteOffset);
    }

    [Fact]
    public void PropertyOutsideRoot()
    {
        Assert.Equal("property outside any node", Fails(new BlobBuilder().Prop("p").Begin("").EndNode().End().Build()).Message);
        Assert.Equal("property after the root node closed", Fails(new BlobBuilder().Begin("").EndNode().Prop("p").End().Build()).Message);
    }

    [Fact]
    public void ReservationBlockWithoutTerminator()
    {
        var blob = FdtTestData.Bytes("dtb", "value-guessing.dtb");
        // Point the reservation map at the last 16 bytes of the blob, which hold no zero-size entry.
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(blob.AsSpan(16), 0x548);
        var e = Fails(blob);
        Assert.Equal(0x558, e.At!.ByteOffset);
        Assert.Contains("without its terminating zero-size entry", e.Message);
    }
}
