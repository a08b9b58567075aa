using Dtmem.Kernel;
using Dtmem.Kernel.Config;
using Dtmem.Kernel.Image;
using Dtmem.Kernel.Symbols;

namespace Dtmem.Layout.Tests.Kernel;

/// <summary>
/// /dev/zero reports a length of 0 and never ends (as /proc/config.gz reports 0 and ends): each kernel-file reader
/// must stop at its size limit by reading, not trust the length, and say which limit it hit.
/// </summary>
public class EndlessInputTests
{
    [Fact]
    public void Image_reader_stops_at_512_MiB() =>
        Assert.Contains("larger than 512 MiB; no arm64 Image is that large",
            Assert.Throws<KernelInputException>(() => KernelImageFile.Read("/dev/zero")).Message);

    [Fact]
    public void System_map_reader_stops_at_64_MiB() =>
        Assert.Contains("larger than 64 MiB; no System.map is that large",
            Assert.Throws<KernelInputException>(() => SystemMap.Read("/dev/zero")).Message);

    [Fact]
    public void Config_reader_stops_at_16_MiB() =>
        Assert.Contains("larger than 16 MiB; no kernel config is that large",
            Assert.Throws<KernelInputException>(() => KconfigFile.Read("/dev/zero")).Message);
}
