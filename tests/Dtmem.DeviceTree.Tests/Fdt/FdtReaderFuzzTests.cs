using System.Buffers.Binary;
using CsCheck;
using Dtmem.DeviceTree.Decompile;
using Dtmem.DeviceTree.Fdt;
using Dtmem.DeviceTree.Model;
using Dtmem.DeviceTree.Overlay;

namespace Dtmem.DeviceTree.Tests.Fdt;

/// <summary>Damaged real blobs must fail with a located <see cref="DtException"/> and nothing else.</summary>
public class FdtReaderFuzzTests
{
    private static readonly byte[][] Seeds =
    [
        FdtTestData.Bytes("dtb", "value-guessing.dtb"),
        FdtTestData.Bytes("dtb", "foundation-v8.dtb"),
        FdtTestData.Bytes("overlay", "ovl-basic.dtbo"),
        FdtTestData.Bytes("dtb", "value-guessing.v3.dtb"),
        FdtTestData.Bytes("dtb", "value-guessing.v2.dtb"),
    ];

    // Values that steer a mutation into the interesting branches: tokens, sizes, offsets, overflow edges.
    private static readonly uint[] Interesting = [0, 1, 2, 3, 4, 9, 16, 17, 0x28, 0x38, 0x7fffffff, 0x80000000, 0xfffffffc, 0xffffffff, 0xd00dfeed];

    private sealed record Mutation(int Kind, int Position, uint Value);

    private static readonly Gen<Mutation> GenMutation =
        Gen.Select(Gen.Int[0, 3], Gen.Int[0, int.MaxValue], Gen.UInt, (k, p, v) => new Mutation(k, p, v));

    private static byte[] Apply(byte[] seed, Mutation[] mutations)
    {
        var b = (byte[])seed.Clone();
        foreach (var m in mutations)
        {
            if (b.Length < 8) break;
            var pos = m.Position % b.Length;
            switch (m.Kind)
            {
                case 0: b[pos] = (byte)m.Value; break;
                case 1: BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan((pos & ~3) % (b.Length - 3)), Interesting[m.Value % Interesting.Length]); break;
                case 2 when b.Length >= 40: BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(4 * (int)(m.Value % 10)), Interesting[pos % Interesting.Length]); break;
                case 3: b = b[..pos]; break;
            }
        }
        return b;
    }

    private static void ReadOnlyFailsWithDtException(byte[] blob)
    {
        try
        {
            var tree = FdtReader.ReadTree(blob, "fuzz.dtb");
            Assert.NotNull(DtsWriter.Write(tree));
        }
        catch (DtException e)
        {
            Assert.True(e.At is { IsBinary: true } at && at.ByteOffset >= 0 && at.ByteOffset <= blob.Length, e.ToString());
        }
    }

    [Fact]
    public void MutatedBlobsFailOnlyWithLocatedDtException()
    {
        Gen.Select(Gen.Int[0, Seeds.Length - 1], GenMutation.Array[1, 6])
            .Sample((s, m) => ReadOnlyFailsWithDtException(Apply(Seeds[s], m)), iter: 20_000, threads: 1);
    }

    [Fact]
    public void EveryTruncationFailsWithDtException()
    {
        var seed = Seeds[0];
        for (var len = 0; len < seed.Length; len++)
        {
            var e = Assert.Throws<DtException>(() => FdtReader.ReadTree(seed.AsSpan(0, len), "cut.dtb"));
            Assert.True(e.At!.ByteOffset <= len);
        }
    }

    [Fact]
    public void MutatedOverlaysFailOnlyWithDtException()
    {
        var baseBlob = FdtTestData.Bytes("overlay", "base.dtb");
        var overlayBlob = FdtTestData.Bytes("overlay", "ovl-basic.dtbo");
        GenMutation.Array[1, 4].Sample(m =>
        {
            var blob = Apply(overlayBlob, m);
            try
            {
                var overlay = FdtReader.ReadTree(blob, "fuzz.dtbo");
                var tree = FdtReader.ReadTree(baseBlob, "base.dtb");
                OverlayApplier.Apply(tree, overlay, "fuzz.dtbo");
                Assert.NotNull(DtsWriter.Write(tree));
            }
            catch (DtException)
            {
            }
        }, iter: 5_000, threads: 1);
    }
}
