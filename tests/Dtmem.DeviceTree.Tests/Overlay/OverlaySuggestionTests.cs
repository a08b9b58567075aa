using Dtmem.DeviceTree.Dts;
using Dtmem.DeviceTree.Model;
using Dtmem.DeviceTree.Overlay;

namespace Dtmem.DeviceTree.Tests.Overlay;

/// <summary>An overlay that names a label the base does not export gets the nearest exported one suggested.</summary>
public sealed class OverlaySuggestionTests
{
    private static readonly DtsCompileOptions WithSymbols = new() { Symbols = true };

    private static DtTree Base() => DtsCompiler.CompileText(
        "/dts-v1/;\n/ { soc { uart0: serial@1000 { }; i2c_main: i2c@2000 { }; }; };\n", "base.dts", WithSymbols);

    private static DtException Apply(string label) => Assert.Throws<DtException>(() => OverlayApplier.Apply(Base(),
        DtsCompiler.CompileText($"/dts-v1/;\n/plugin/;\n&{label} {{ status = \"okay\"; }};\n", "ov.dts", WithSymbols), "ov.dtbo"));

    [Theory]
    [InlineData("uart1", "uart0")]
    [InlineData("i2c_mian", "i2c_main")]
    public void A_near_miss_names_the_base_symbol(string used, string suggested) =>
        Assert.Contains($"symbol '{used}' (used at /fragment@0:target) is not defined in the base's /__symbols__; did you mean '{suggested}'?",
            Apply(used).Message);

    [Fact]
    public void A_label_unlike_any_symbol_gets_no_suggestion() =>
        Assert.DoesNotContain("did you mean", Apply("ethernet").Message);
}
