using System.Text.Json;
using Dtmem.Layout.Model;
using Dtmem.Layout.Tests.Support;

namespace Dtmem.Layout.Tests.Model;

public class ResultShapeTests
{
    /// <summary>Renderers serialise results as they are: no cycles, no members that throw.</summary>
    [Fact]
    public void ResultAndFindingsSerialiseToJson()
    {
        var result = BootSimulator.Run(SeedFidelityTests.SeedTree().Input(TestKernel.Facts("5.4.74", text: 0x10080000, size: 24 << 20)));
        var findings = Layout.Checks.CheckRegistry.Run(result);
        var json = JsonSerializer.Serialize(new { result.Events, result.Map, result.Regions, result.CmaAreas, result.Rules, findings });
        using var doc = JsonDocument.Parse(json);
        Assert.Equal(JsonValueKind.Array, doc.RootElement.GetProperty("Events").ValueKind);
        Assert.Contains("\"cma-overlaps-kernel\"", json, StringComparison.Ordinal);
        Assert.Contains("\"Start\":268435456", json, StringComparison.Ordinal);
    }

    [Fact]
    public void PhysMapPiecesAreSortedAndDisjoint()
    {
        var result = BootSimulator.Run(SeedFidelityTests.SeedTree().Input(TestKernel.Facts("6.12.38", text: 0x10000000, size: 24 << 20)));
        var p = result.Map.Pieces;
        for (var i = 0; i + 1 < p.Count; i++) Assert.True(p[i].Range.End <= p[i + 1].Range.Start);
        Assert.Equal(0x200000UL, p[0].Range.Start);
        Assert.Equal(0x80000000UL, p[^1].Range.End);
    }
}
