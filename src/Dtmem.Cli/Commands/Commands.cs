using System.CommandLine;

namespace Dtmem.Cli;

/// <summary>The table of subcommands; each group lives in its own file in this folder.</summary>
internal static partial class Commands
{
    public static IEnumerable<Command> All() => [Compile(), Decompile(), Overlay(), Check(), Simulate(), Map(), Corpus(), Esr(), Diagnose(), Bootlog()];
}
