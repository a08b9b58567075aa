using Dtmem.Diagnosis.Logs;
using Dtmem.Diagnosis.RootCause;

namespace Dtmem.Diagnosis.Tests.Diagnose;

/// <summary>
/// The boot-evidence rules on real kernels: Debian's 6.1 and 6.12 arm64 kernels booted under QEMU on twelve layouts
/// (scripts/fidelity wrote these logs; tests/Dtmem.Layout.Tests/data/fidelity/README.md says how). Each layout's
/// known problem must be found from the log alone, and the healthy layouts must stay silent.
/// </summary>
public class RealBootLogTests
{
    private static readonly string Fidelity = Path.Combine(FindRoot(), "tests", "Dtmem.Layout.Tests", "data", "fidelity");

    public static TheoryData<string, string, string> Cases()
    {
        var expected = new Dictionary<string, string>
        {
            // These boots run a memory fill after boot, and the real kernel crashes: RC001 explains that oops.
            ["cma-over-kernel"] = "RC001,RC101,RC102",
            ["mem-limit"] = "RC103",
            ["misaligned-cma"] = "RC106",
            ["nomap-over-kernel"] = "RC106",
            ["overlap"] = "RC105",
            ["bad-cells"] = "RC106",
            ["static-cma"] = "",
            ["dynamic-cma"] = "",
            ["cmdline-cma"] = "",
            ["cma-zero"] = "",
            ["nomap"] = "",
            ["none"] = "",
        };
        var data = new TheoryData<string, string, string>();
        foreach (var kernel in new[] { "6.1.0-50-arm64", "6.12.117+deb12-arm64" })
            foreach (var (layout, ids) in expected)
                data.Add(kernel, layout, ids);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_layouts_problem_is_found_from_its_boot_log_alone(string kernel, string layout, string ids)
    {
        var path = Path.Combine(Fidelity, kernel, layout + ".log");
        var report = Diagnoser.Run(new DiagnosisInputs { Log = LogEvidence.Parse(File.ReadAllText(path), path) });
        Assert.Equal(ids, string.Join(',', report.Findings.Select(f => f.Id).Distinct().Order(StringComparer.Ordinal)));
    }

    [Theory]
    [InlineData("6.1.0-50-arm64")]
    [InlineData("6.12.117+deb12-arm64")]
    public void A_real_kernels_crash_on_the_seed_layout_is_explained_by_RC001_from_its_console_log_alone(string kernel)
    {
        var path = Path.Combine(Fidelity, kernel, "cma-over-kernel.log");
        var report = Diagnoser.Run(new DiagnosisInputs { Log = LogEvidence.Parse(File.ReadAllText(path), path) });
        var f = report.Findings[0];
        Assert.Equal("RC001", f.Id);
        Assert.Equal(Confidence.High, f.Confidence);
        Assert.StartsWith("linux,cma", f.Culprit!.Name, StringComparison.Ordinal);
        // The formula (PHYS_OFFSET from the RAM base) and the kernel's own page-table walk agree.
        Assert.True(report.Translation!.AgreesWithWalk);
        Assert.Contains(report.Hits, h => h.Role == Attribution.RegionRole.KernelCode);
    }

    [Fact]
    public void The_mem_limit_shortfall_is_blamed_on_the_pool_outside_ram_not_on_an_overlap()
    {
        var path = Path.Combine(Fidelity, "6.12.117+deb12-arm64", "mem-limit.log");
        var f = Assert.Single(Diagnoser.Run(new DiagnosisInputs { Log = LogEvidence.Parse(File.ReadAllText(path), path) }).Findings);
        Assert.Equal("CMA area outside RAM", f.Title);
        Assert.Equal("linux,cma@50000000", f.Culprit!.Name);
    }

    private static string FindRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Dtmem.slnx"))) return d.FullName;
        throw new InvalidOperationException("repository root not found");
    }
}
