using Dtmem.DeviceTree.Dts;
using Dtmem.DeviceTree.Fdt;

namespace Dtmem.DeviceTree.Tests.Dts;

/// <summary>
/// Each data/dts/X.dts compiles to exactly the bytes of X.dtb, which real dtc produced
/// (scripts/regen-dts-goldens; flags from a first line "// dtc-flags: ...").
/// </summary>
public class GoldenTests
{
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(DtsTestSupport.DataDir, "*.dts").Order(StringComparer.Ordinal))
            if (!f.EndsWith(".equiv.dts", StringComparison.Ordinal)) data.Add(Path.GetFileNameWithoutExtension(f));
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesDtcByteForByte(string name)
    {
        var path = Path.Combine(DtsTestSupport.DataDir, name + ".dts");
        var options = new DtsCompileOptions();
        var writer = new FdtWriteOptions();
        var first = File.ReadLines(path).First();
        if (first.StartsWith("// dtc-flags:", StringComparison.Ordinal))
        {
            var flags = first["// dtc-flags:".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            for (var i = 0; i < flags.Length; i++)
            {
                switch (flags[i])
                {
                    case "cpp":
                        options.Preprocess = true;
                        options.Defines.Add("__DTS__");
                        options.IncludePaths.Add(DtsTestSupport.DataDir);
                        break;
                    case "-@": options.Symbols = true; break;
                    case "-A": options.AutoAliases = true; break;
                    case "-b": options.BootCpu = uint.Parse(flags[++i]); break;
                    case "-R": writer.ExtraReserveSlots = int.Parse(flags[++i]); break;
                    case "-p": writer.Padding = int.Parse(flags[++i]); break;
                    case "-S": writer.MinSize = int.Parse(flags[++i]); break;
                    case "-a": writer.Alignment = int.Parse(flags[++i]); break;
                    case "-H": options.PhandleFormat = Enum.Parse<PhandleFormat>(flags[++i], ignoreCase: true); break;
                    default: throw new InvalidOperationException($"unknown flag {flags[i]} in {name}.dts");
                }
            }
        }
        var actual = FdtWriter.Write(DtsCompiler.Compile(path, options), writer);
        var expected = File.ReadAllBytes(Path.Combine(DtsTestSupport.DataDir, name + ".dtb"));
        var at = 0;
        while (at < Math.Min(actual.Length, expected.Length) && actual[at] == expected[at]) at++;
        Assert.True(at == actual.Length && at == expected.Length,
            $"{name}: first difference at byte 0x{at:x} (dtmem {actual.Length} bytes, dtc {expected.Length} bytes)");
    }
}
