using System.Buffers.Binary;
using Dtmem.DeviceTree.Fdt;
using Dtmem.DeviceTree.Model;

namespace Dtmem.DeviceTree.Tests.Fdt;

public class FdtHeaderTests
{
    private static byte[] Blob() => FdtTestData.Bytes("dtb", "value-guessing.dtb");

    private static byte[] With(int offset, uint value)
    {
        var b = Blob();
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(offset), value);
        return b;
    }

    private static DtException Fails(byte[] blob)
    {
        var e = Assert.Throws<DtException>(() => FdtHeader.Read(blob, "t.dtb"));
        Assert.Equal("t.dtb", e.At!.File);
        return e;
    }

    [Fact]
    public void HeaderFieldsMatchFdtdump()
    {
        // Expected values: `fdtdump value-guessing.dtb` (dtc 1.6.1).
        var h = FdtHeader.Read(Blob(), "v.dtb");
        Assert.Equal(new FdtHeader(0x55b, 0x58, 0x41c, 0x28, 17, 16, 0, 0x13f, 0x3c4), h);
    }

    [Fact]
    public void BadMagicIsRejectedAtOffsetZero()
    {
        var e = Fails(With(0, 0x2f647473)); // "/dts"
        Assert.Equal(0, e.At!.ByteOffset);
        Assert.Contains("bad magic 0x2f647473", e.Message);
    }

    [Fact]
    public void TotalSizeLargerThanInputIsTruncation()
    {
        var e = Fails(Blob()[..0x400]);
        Assert.Equal(4, e.At!.ByteOffset);
        Assert.Equal("totalsize says 1371 bytes but the input has only 1024 (truncated file?)", e.Message);
    }

    [Fact]
    public void TotalSizeSmallerThanHeader()
    {
        var e = Fails(With(4, 39));
        Assert.Equal(4, e.At!.ByteOffset);
        Assert.Contains("smaller than the 40-byte header", e.Message);
    }

    [Fact]
    public void ShortInputIsReportedWhereItEnds()
    {
        var e = Fails(Blob()[..20]);
        Assert.Equal(20, e.At!.ByteOffset);
    }

    [Fact]
    public void Version1IsRefused()
    {
        // dtc -V 1 output: no boot_cpuid_phys; libfdt's oldest supported version is 2.
        var e = Assert.Throws<DtException>(() => FdtHeader.Read(FdtTestData.Bytes("dtb", "value-guessing.v1.bin"), "v1.dtb"));
        Assert.Equal(20, e.At!.ByteOffset);
        Assert.Equal("FDT version 1 is not supported (versions 2 to 17 are)", e.Message);
    }

    [Fact]
    public void Version2HeaderHasNoStringsSize()
    {
        // fdtdump value-guessing.v2.dtb: totalsize 0x60c, strings at 0x4c8; the strings run to the end.
        var h = FdtHeader.Read(FdtTestData.Bytes("dtb", "value-guessing.v2.dtb"), "v2.dtb");
        Assert.Equal((2u, 32, 0x60cu - 0x4c8u), (h.Version, h.Size, h.SizeDtStrings));
    }

    [Fact]
    public void LastCompVersionNewerThan17IsRefused()
    {
        var e = Fails(With(24, 18));
        Assert.Equal(24, e.At!.ByteOffset);
    }

    [Fact]
    public void VersionOlderThanLastCompVersionIsRefused()
    {
        var b = With(20, 16);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(24), 17);
        Assert.Equal(20, Fails(b).At!.ByteOffset);
    }

    [Fact]
    public void MisalignedReservationBlock()
    {
        var e = Fails(With(16, 0x2c));
        Assert.Equal(16, e.At!.ByteOffset);
        Assert.Contains("not 8-byte aligned", e.Message);
    }

    [Fact]
    public void MisalignedStructureBlock()
    {
        var e = Fails(With(8, 0x5a));
        Assert.Equal(8, e.At!.ByteOffset);
        Assert.Contains("not 4-byte aligned", e.Message);
    }

    [Fact]
    public void StructureBlockPastTotalSize()
    {
        var e = Fails(With(36, 0x1000));
        Assert.Equal(8, e.At!.ByteOffset);
        Assert.Contains("structure block 0x58+0x1000", e.Message);
    }

    [Fact]
    public void StringsBlockPastTotalSize()
    {
        var e = Fails(With(32, 0x140));
        Assert.Equal(12, e.At!.ByteOffset);
    }

    [Fact]
    public void ReservationMapInsideHeader()
    {
        Assert.Equal(16, Fails(With(16, 0x20)).At!.ByteOffset);
    }

    [Fact]
    public void IsDtbLooksAtTheMagic()
    {
        Assert.True(FdtReader.IsDtb(Blob()));
        Assert.False(FdtReader.IsDtb("/dts-v1/;"u8));
        Assert.False(FdtReader.IsDtb([0xd0, 0x0d]));
    }
}
