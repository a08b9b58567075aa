using Dtmem.Diagnosis.Pte;

namespace Dtmem.Diagnosis.Tests.Pte;

/// <summary>Walk values from real logs (data/oops), decoded by the Arm ARM stage 1 descriptor layout.</summary>
public class PteDecoderTests
{
    [Fact]
    public void SeedPteIsReadOnlyKernelTextAtPa0x10080000()
    {
        // seed: [ffff000010080000] … pte=0060000010080793
        var p = PteDecoder.Decode(0x0060000010080793, "pte");
        Assert.Equal(DescriptorType.Page, p.Type);
        Assert.Equal(0x10080000ul, p.OutputAddress);
        Assert.Equal(2ul, p.Fields.Single(f => f.Name == "AP").Value); // AP[2]=1 read-only, AP[1]=0 no EL0
        Assert.True(p.ReadOnly);
        Assert.False(p.UserAccessible);
        Assert.True(p.AccessFlag);
        Assert.True(p.PrivilegedExecuteNever);
        Assert.True(p.UserExecuteNever);
        Assert.Equal(4u, p.AttrIndx);
        Assert.Equal(3ul, p.Fields.Single(f => f.Name == "SH").Value);
        Assert.False(p.NotGlobal);
        Assert.False(p.DirtyBitModifier);
    }

    [Fact]
    public void TableDescriptorPointsAtTheNextLevel()
    {
        var p = PteDecoder.Decode(0x000000007ef7f003, "pmd");
        Assert.Equal(DescriptorType.Table, p.Type);
        Assert.Equal(0x7ef7f000ul, p.OutputAddress);
    }

    [Fact]
    public void Level2BlockWithPxnExplainsTheLevel2PermissionFault()
    {
        // ubicloud log: FSC = 0x0e level 2 permission fault on execute; walk ends at pmd=00680007f8e00f01
        var p = PteDecoder.Decode(0x00680007f8e00f01, "pmd", PageGranule.Size4K, 48, 48);
        Assert.Equal(DescriptorType.Block, p.Type);
        Assert.Equal(0x7f8e00000ul, p.OutputAddress);
        Assert.True(p.PrivilegedExecuteNever);
        Assert.False(p.ReadOnly);
        Assert.True(p.NotGlobal);
    }

    [Fact]
    public void EmptyAndInvalidEntries()
    {
        Assert.Equal(DescriptorType.Invalid, PteDecoder.Decode(0, "pmd").Type);
        Assert.Null(PteDecoder.Decode(0, "pmd").OutputAddress);
        Assert.Equal(DescriptorType.Reserved, PteDecoder.Decode(0x0000000040000001, "pte").Type);
    }

    [Fact]
    public void DbmMakesAReadOnlyEntryWritableClean()
    {
        var p = PteDecoder.Decode((1ul << 51) | 0x0000000040000000 | 0x4c3, "pte"); // AP=0b11, AF, DBM
        Assert.True(p.DirtyBitModifier);
        Assert.False(p.ReadOnly);
        Assert.Contains("writable-clean", p.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void SixtyFourKGranuleWith52BitOutputAddress()
    {
        // FEAT_LPA: OA[51:48] in descriptor bits [15:12]
        var p = PteDecoder.Decode(0x000000004001F703, "pte", PageGranule.Size64K, 52);
        Assert.Equal(0x000F000040010000ul, p.OutputAddress);
    }

    [Fact]
    public void Lpa2PutsOutputAddressBits51To50InBits9To8()
    {
        var p = PteDecoder.Decode(0x0000000040000000 | (3ul << 8) | 0x403, "pte", PageGranule.Size4K, 52);
        Assert.Equal(0x000C000040000000ul, p.OutputAddress);
        Assert.Null(p.Fields.SingleOrDefault(f => f.Name == "SH"));
    }

    [Fact]
    public void BlockSizeDependsOnLevelsIn39BitConfigs()
    {
        // 39-bit VA, 4K: three levels, pgd is level 1 -> 1 GiB blocks
        var p = PteDecoder.Decode(0x0000000040000701, "pgd", PageGranule.Size4K, 48, 39);
        Assert.Equal(DescriptorType.Block, p.Type);
        Assert.Equal(0x40000000ul, p.OutputAddress);
    }
}
