namespace Dtmem.Cli.Tests;

public class CorpusCommandTests
{
    private const string Header = "/dts-v1/;\n#include <dt-bindings/sizes.h>\n/ {\n\t#address-cells = <1>;\n\t#size-cells = <1>;\n\tmemory@40000000 { device_type = \"memory\"; reg = <0x40000000 SZ_64M>; };\n";

    [Fact]
    public void ChecksEveryBoardOfATreeAndListsTheBoardsWithErrors()
    {
        var root = Directory.CreateTempSubdirectory("dtmem-corpus").FullName;
        Directory.CreateDirectory(Path.Combine(root, "include", "dt-bindings"));
        File.WriteAllText(Path.Combine(root, "include", "dt-bindings", "sizes.h"), "#define SZ_64M 0x4000000\n#define SZ_128M 0x8000000\n");
        File.WriteAllText(Path.Combine(root, "Makefile"), "VERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 99\n");
        var dts = Path.Combine(root, "arch", "arm64", "boot", "dts", "acme");
        Directory.CreateDirectory(dts);
        // 128 MiB of dynamic CMA cannot fit in 64 MiB of RAM: the kernel fails the allocation.
        File.WriteAllText(Path.Combine(dts, "too-big.dts"), Header +
            "\treserved-memory { #address-cells = <1>; #size-cells = <1>; ranges;\n" +
            "\t\tlinux,cma { compatible = \"shared-dma-pool\"; reusable; size = <SZ_128M>; linux,cma-default; };\n\t};\n};\n");
        File.WriteAllText(Path.Combine(dts, "fine.dts"), Header + "};\n");

        var r = DtmemProcess.Run("corpus", root, "--arch", "arm64");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("2 boards, 2 checked, 0 failed to compile; Linux 6.1.99", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("Boards with error-level findings: 1", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("  arch/arm64/boot/dts/acme/too-big.dts: DTM017 ", r.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("fine.dts", r.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void ANonKernelFolderIsBadInput()
    {
        var r = DtmemProcess.Run("corpus", Directory.CreateTempSubdirectory("dtmem-corpus").FullName);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("not a kernel source tree", r.Stderr, StringComparison.Ordinal);
    }
}
