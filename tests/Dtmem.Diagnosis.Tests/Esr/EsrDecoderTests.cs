using Dtmem.Diagnosis.Esr;

namespace Dtmem.Diagnosis.Tests.Esr;

/// <summary>
/// Expected values come from the kernel's own decoding of the same ESR in real logs (data/oops: "EC = 0x25: DABT (current EL),
/// IL = 32 bits", "FSC = 0x0f: level 3 permission fault", …), from fault_info[]/esr_class_str[] in arch/arm64, and for
/// fields the kernel does not print, from the ESR_ELx layout in the Arm ARM.
/// </summary>
public class EsrDecoderTests
{
    private static ulong F(EsrDecoding d, string name) => d.Field(name)!.Value;

    [Fact]
    public void SeedWriteToReadOnlyTextIsLevel3PermissionWrite()
    {
        // seed: ESR = 0x9600004f, EC = 0x25: DABT (current EL), IL = 32 bits, SET = 0, FnV = 0, EA = 0, S1PTW = 0,
        // ISV = 0, ISS = 0x0000004f, CM = 0, WnR = 1
        var d = EsrDecoder.Decode(0x9600004f);
        Assert.Equal(0x25u, d.ExceptionClass);
        Assert.Equal("DABT (current EL)", d.ClassName);
        Assert.Equal(EsrKind.DataAbort, d.Kind);
        Assert.True(d.Il32);
        Assert.Equal(0x4fu, d.Iss);
        Assert.Equal(0ul, F(d, "ISV"));
        Assert.Equal(0ul, F(d, "SET"));
        Assert.Equal(0ul, F(d, "FnV"));
        Assert.Equal(0ul, F(d, "EA"));
        Assert.Equal(0ul, F(d, "S1PTW"));
        Assert.Equal(0ul, F(d, "CM"));
        Assert.Equal(1ul, F(d, "WnR"));
        Assert.Equal(0x0ful, F(d, "DFSC"));
        Assert.Equal("level 3 permission fault", d.FaultStatusName);
        Assert.Equal(3, d.FaultLevel);
        Assert.Equal(FaultType.Permission, d.FaultType);
        Assert.True(d.IsWrite);
        Assert.True(d.CurrentEl);
        Assert.Null(d.Field("SAS")); // no instruction syndrome when ISV = 0
    }

    [Theory]
    // (ESR, FSC, kernel's FSC text) as printed by 6.x kernels in data/oops
    [InlineData(0x000000008600000ful, 0x0fu, "level 3 permission fault", EsrKind.InstructionAbort)]
    [InlineData(0x000000008600000eul, 0x0eu, "level 2 permission fault", EsrKind.InstructionAbort)]
    [InlineData(0x0000000096000046ul, 0x06u, "level 2 translation fault", EsrKind.DataAbort)]
    [InlineData(0x0000000096000004ul, 0x04u, "level 0 translation fault", EsrKind.DataAbort)]
    public void FaultStatusNamesMatchTheKernel(ulong esr, uint fsc, string name, EsrKind kind)
    {
        var d = EsrDecoder.Decode(esr);
        Assert.Equal(kind, d.Kind);
        Assert.Equal(fsc, d.FaultStatusCode);
        Assert.Equal(name, d.FaultStatusName);
    }

    [Fact]
    public void InstructionAbortHasIfscAndNoWnR()
    {
        var d = EsrDecoder.Decode(0x8600000f);
        Assert.Equal("IABT (current EL)", d.ClassName);
        Assert.Equal(0x0ful, F(d, "IFSC"));
        Assert.Null(d.Field("WnR"));
        Assert.Null(d.IsWrite);
    }

    [Fact]
    public void ValidInstructionSyndromeFieldsFollowTheArmArmLayout()
    {
        // EC 0x24, IL 1, ISV 1, SAS 0b10 (word), SSE 0, SRT 5, SF 0, AR 0, WnR 1, DFSC 0x07
        var d = EsrDecoder.Decode(0x93850047);
        Assert.Equal("DABT (lower EL)", d.ClassName);
        Assert.Equal(1ul, F(d, "ISV"));
        Assert.Equal(2ul, F(d, "SAS"));
        Assert.Equal("access size: word", d.Field("SAS")!.Meaning);
        Assert.Equal(5ul, F(d, "SRT"));
        Assert.Equal(0ul, F(d, "SF"));
        Assert.Equal(1ul, F(d, "WnR"));
        Assert.Equal("level 3 translation fault", d.FaultStatusName);
        Assert.False(d.CurrentEl);
        Assert.Equal(new EsrField("SRT", 20, 16, 5, "transfer register x5"), d.Field("SRT"));
        Assert.Equal("[20:16]", d.Field("SRT")!.Bits);
    }

    [Fact]
    public void Iss2FieldsOfDataAborts()
    {
        // TnD (ISS2[10] = ESR[42]) and Xs (ESR[36:32]) set
        var d = EsrDecoder.Decode((1ul << 42) | (3ul << 32) | 0x96000046);
        Assert.Equal(0x403u, d.Iss2);
        Assert.Equal(1ul, F(d, "TnD"));
        Assert.Equal(3ul, F(d, "Xs"));
        Assert.Equal(0ul, F(d, "GCS"));
    }

    [Theory]
    // SError code values printed by "SError Interrupt on CPUn, code …" in data/oops
    [InlineData(0xbe000000ul, 0x00u, "uncategorized")]
    [InlineData(0xbe000011ul, 0x11u, "asynchronous SError interrupt")]
    public void SErrorSyndrome(ulong esr, uint dfsc, string name)
    {
        var d = EsrDecoder.Decode(esr);
        Assert.Equal(0x2fu, d.ExceptionClass);
        Assert.Equal("SError", d.ClassName);
        Assert.Equal(EsrKind.SError, d.Kind);
        Assert.Equal(dfsc, d.FaultStatusCode);
        Assert.Equal(name, d.FaultStatusName);
        Assert.Equal(0ul, F(d, "IDS"));
    }

    [Fact]
    public void SErrorAetIsNamedForAsynchronousErrors()
    {
        var d = EsrDecoder.Decode(0xbe000011);
        Assert.Equal("Uncontainable (UC)", d.Field("AET")!.Meaning);
        var impdef = EsrDecoder.Decode(0xbf000123);
        Assert.Equal(1ul, impdef.Field("IDS")!.Value);
        Assert.Equal(0x123ul, impdef.Field("IMPDEF")!.Value);
    }

    [Fact]
    public void BugTrapIsBrkWithComment0x800()
    {
        // arm64 BUG(): "Internal error: Oops - BUG: 00000000f2000800"
        var d = EsrDecoder.Decode(0xf2000800);
        Assert.Equal(0x3cu, d.ExceptionClass);
        Assert.Equal("BRK (AArch64)", d.ClassName);
        Assert.Equal(0x800ul, d.Field("Comment")!.Value);
        Assert.Contains("BUG", d.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void SvcAndSysregTrapsDecodeGenerically()
    {
        var svc = EsrDecoder.Decode(0x56000000); // EC 0x15, IL 1, imm16 0
        Assert.Equal("SVC (AArch64)", svc.ClassName);
        Assert.Equal(0ul, svc.Field("imm16")!.Value);
        // EC 0x18, Op0 3, Op2 0, Op1 3, CRn 14, Rt 1, CRm 0, read: MRS x1, CNTFRQ_EL0 (S3_3_C14_C0_0)
        ulong iss = (3ul << 20) | (0ul << 17) | (3ul << 14) | (14ul << 10) | (1ul << 5) | (0ul << 1) | 1;
        var sys = EsrDecoder.Decode((0x18ul << 26) | (1ul << 25) | iss);
        Assert.Equal("MSR/MRS (AArch64)", sys.ClassName);
        Assert.Equal("MSR/MRS (AArch64): MRS (read) S3_3_C14_C0_0, x1", sys.Summary);
    }

    [Theory]
    [InlineData(0x2c000000ul)] // EC 0x0b: unallocated
    [InlineData(0xfc000000ul)] // EC 0x3f
    [InlineData(ulong.MaxValue)]
    [InlineData(0ul)]
    public void UnknownEncodingsDecodeToRawFields(ulong esr)
    {
        var d = EsrDecoder.Decode(esr);
        Assert.NotNull(d.Field("EC"));
        Assert.NotNull(d.Field("ISS"));
        Assert.False(string.IsNullOrEmpty(d.Summary));
        if (esr == ulong.MaxValue) Assert.Equal(0xfful, d.Field("RES0")!.Value);
        if (esr == 0x2c000000) Assert.Equal("UNRECOGNIZED EC", d.ClassName);
        if (esr == 0) Assert.Equal("Unknown/Uncategorized", d.ClassName);
    }

    [Fact]
    public void EveryFaultStatusCodeHasAName()
    {
        for (uint fsc = 0; fsc < 64; fsc++)
        {
            var d = EsrDecoder.Decode(0x96000000u | fsc);
            Assert.False(string.IsNullOrEmpty(d.FaultStatusName));
        }
        Assert.Equal("synchronous external abort", EsrDecoder.Decode(0x96000010).FaultStatusName);
        Assert.Equal("level -1 (translation table walk)", EsrDecoder.Decode(0x96000013).FaultStatusName);
        Assert.Equal("alignment fault", EsrDecoder.Decode(0x96000021).FaultStatusName);
        Assert.Equal("unknown 50", EsrDecoder.Decode(0x96000032).FaultStatusName);
    }
}
