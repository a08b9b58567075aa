using CsCheck;
using Dtmem.Diagnosis.Boot;
using Dtmem.Diagnosis.Logs;
using Dtmem.Diagnosis.Translation;

namespace Dtmem.Diagnosis.Tests.Diagnose;

/// <summary>The whole join (oops, boot evidence, translation, attribution, rules) never throws on damaged real inputs.</summary>
public class DiagnoserRobustnessTests
{
    private static readonly string[] Logs =
        [.. Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "data", "oops"), "*.log").Order(StringComparer.Ordinal).Select(File.ReadAllText)];

    private static readonly string[] Boots =
        [.. Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "data", "boot")).Where(f => !f.EndsWith(".md", StringComparison.Ordinal)).Order(StringComparer.Ordinal).Select(File.ReadAllText)];

    private static string Mutate(string text, int op, int seed)
    {
        var rnd = new Random(seed);
        int at = text.Length == 0 ? 0 : rnd.Next(text.Length);
        return op switch
        {
            0 => text[..at],
            1 => text.Remove(at, Math.Min(rnd.Next(1, 400), text.Length - at)),
            2 => string.Join('\n', text.Split('\n').OrderBy(_ => rnd.Next())),
            3 => text.Replace("0000", "ffff", StringComparison.Ordinal),
            _ => new string([.. text.Select(c => rnd.Next(40) == 0 ? "0123456789abcdefx-[] "[rnd.Next(21)] : c)]),
        };
    }

    [Fact]
    public void Diagnose_never_throws_on_mutated_logs_and_boot_evidence_with_any_overrides() =>
        Gen.Select(Gen.Int[0, Logs.Length - 1], Gen.Int[0, Boots.Length - 1], Gen.Int[0, 4], Gen.Int[0, int.MaxValue], Gen.ULong, Gen.Int[0, 3])
            .Sample((li, bi, op, seed, number, which) =>
            {
                var overrides = which switch
                {
                    0 => new TranslationOverrides(),
                    1 => new TranslationOverrides { PhysOffset = number },
                    2 => new TranslationOverrides { PageOffset = number, VaBits = 36 + (int)(number % 17) },
                    _ => new TranslationOverrides { KimageVoffset = number },
                };
                var report = Diagnoser.Run(new DiagnosisInputs
                {
                    Log = LogEvidence.Parse(Mutate(Logs[li], op, seed), "crash.log"),
                    Boot = [BootLogParser.Parse(Mutate(Boots[bi], op, seed + 1), "boot.log"), IomemParser.Parse(Mutate(Boots[bi], op, seed + 2), "iomem")],
                    Overrides = overrides,
                });
                Assert.NotNull(report.Findings);
            }, iter: 300);
}
