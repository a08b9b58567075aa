namespace Dtmem.Cli.Tests;

public class EsrCommandTests
{
    // The seed's "Internal error: Oops: 9600004f": EC 0x25 (data abort, same EL), IL=1, WnR=1 (write),
    // DFSC 0b001111 = permission fault, level 3 (Arm ARM, ESR_ELx ISS encoding for data aborts).
    [Theory]
    [InlineData("0x9600004f")]
    [InlineData("9600004f")]
    public void SeedEsrDecodesToAWriteLevel3PermissionFault(string value)
    {
        var r = DtmemProcess.Run("esr", value);
        Assert.Equal(0, r.ExitCode);
        var rows = r.Stdout.Split('\n');
        Assert.Contains(rows, l => l.StartsWith("[31:26]  EC     0x25", StringComparison.Ordinal));
        Assert.Contains(rows, l => l.StartsWith("[6]      WnR    0x1", StringComparison.Ordinal));
        Assert.Contains(rows, l => l.StartsWith("[5:0]    DFSC   0xf", StringComparison.Ordinal) && l.Contains("level 3 permission fault", StringComparison.Ordinal));
    }

    [Fact]
    public void NonHexIsBadInput() => Assert.Equal(2, DtmemProcess.Run("esr", "zz").ExitCode);
}
