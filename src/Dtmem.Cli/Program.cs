using System.CommandLine;
using Dtmem.DeviceTree.Model;

namespace Dtmem.Cli;

internal static class Program
{
    private static int Main(string[] args)
    {
        var root = new RootCommand(
            "dtmem: predicts what an arm64 Linux kernel will do with physical memory at boot from a board's device tree " +
            "and kernel, flags layouts that will crash it, and diagnoses oopses and boot logs.");
        foreach (var c in Commands.All()) root.Subcommands.Add(c);
        root.Options.Add(Limits.Option);
        // Ctrl-C or SIGTERM during an output write: drop the temporary file, keep the old output, end as signalled.
        using var sigint = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, _ => AtomicFile.AbandonPending());
        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, _ => AtomicFile.AbandonPending());
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0) return UsageError(parsed);
        ProtectInputs(parsed.RootCommandResult);
        try
        {
            Limits.Read(parsed);
        }
        catch (CliException e)
        {
            Console.Error.WriteLine("dtmem: error: " + e.Message);
            return ExitCodes.BadInput;
        }
        return parsed.Invoke();
    }

    /// <summary>Every existing file named on the command line, except as an output option's value, is an input.</summary>
    private static void ProtectInputs(System.CommandLine.Parsing.CommandResult command)
    {
        foreach (var child in command.Children)
        {
            switch (child)
            {
                case System.CommandLine.Parsing.CommandResult sub:
                    ProtectInputs(sub);
                    break;
                case System.CommandLine.Parsing.OptionResult o when AtomicFile.OutputOptions.Contains(o.Option.Name):
                    break;
                default:
                    foreach (var t in child.Tokens) AtomicFile.ProtectInput(t.Value);
                    break;
            }
        }
    }

    private static int UsageError(ParseResult parsed)
    {
        foreach (var e in parsed.Errors) Console.Error.WriteLine($"dtmem: error: {e.Message}");
        Console.Error.WriteLine("Run 'dtmem --help' or 'dtmem <command> --help' for usage.");
        return ExitCodes.BadInput;
    }

    /// <summary>
    /// Runs a command body and turns every input problem into a located message and exit code 2. Anything else is
    /// a dtmem bug: one line, exit 3, with the stack trace only when DTMEM_DEBUG is set.
    /// </summary>
    public static int Guard(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (DtException e)
        {
            ErrorPrinter.Print(Console.Error, e);
            return ExitCodes.BadInput;
        }
        catch (CliException e)
        {
            Console.Error.WriteLine(e.Message.Contains(": error: ", StringComparison.Ordinal) ? e.Message : "dtmem: error: " + e.Message);
            return ExitCodes.BadInput;
        }
        catch (Exception e) when (InputErrors.Describe(e) is { } msg)
        {
            Console.Error.WriteLine(msg);
            return ExitCodes.BadInput;
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("DTMEM_DEBUG") is null)
        {
            Console.Error.WriteLine($"dtmem: internal error: {e.GetType().Name}: {e.Message} (set DTMEM_DEBUG=1 for details; please report it)");
            return ExitCodes.Internal;
        }
    }
}
