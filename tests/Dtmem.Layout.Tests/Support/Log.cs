using System.Text.RegularExpressions;
using Dtmem.Layout.Model;

namespace Dtmem.Layout.Tests.Support;

internal static partial class Log
{
    /// <summary>Lines printed at the default loglevel, split where one printk prints two lines.</summary>
    public static List<string> Visible(BootResult r) =>
        r.Events.Where(e => e.LogLine is not null && !e.DebugOnly).SelectMany(e => e.LogLine!.Split('\n')).ToList();

    public static List<string> All(BootResult r) =>
        r.Events.Where(e => e.LogLine is not null).SelectMany(e => e.LogLine!.Split('\n')).ToList();

    /// <summary>Strips the <c>%pS</c> offset a real kernel prints after the caller (and the spec's "+..." placeholder).</summary>
    public static string Normalize(string line) => Offset().Replace(line, "");

    /// <summary>Asserts the expected lines occur in this order (other lines may come between).</summary>
    public static void ContainsInOrder(BootResult r, params string[] expected)
    {
        var lines = All(r);
        var at = 0;
        foreach (var e in expected)
        {
            var want = Normalize(e);
            while (at < lines.Count && Normalize(lines[at]) != want) at++;
            Assert.True(at < lines.Count, $"missing (in order): {e}\nlines:\n{string.Join("\n", lines)}");
            at++;
        }
    }

    [GeneratedRegex(@"\+(0x[0-9a-f]+/0x[0-9a-f]+|\.\.\.)")]
    private static partial Regex Offset();
}
