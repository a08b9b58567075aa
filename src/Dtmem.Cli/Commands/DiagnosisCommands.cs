using System.CommandLine;
using Dtmem.Diagnosis.Esr;
using Dtmem.Reports.Diagnosis;

namespace Dtmem.Cli;

/// <summary><c>esr</c>: one ESR_ELx value decoded.</summary>
internal static partial class Commands
{
    private static Command Esr()
    {
        var value = new Argument<string>("value") { Description = "The ESR as the kernel prints it, e.g. 0x9600004f (from 'Internal error: Oops: 9600004f' or 'ESR = 0x...')" };
        var cmd = new Command("esr", "Decode an arm64 ESR_ELx value into its fields: exception class, ISS fields, fault status and level") { value };
        cmd.SetAction(r => Program.Guard(() =>
        {
            var text = r.GetValue(value)!.Trim();
            // "Oops: 9600004f" prints the ESR in hex without a prefix; accept both forms.
            var hex = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text : "0x" + text;
            var esr = NumberArg.Parse("esr", hex);
            EsrText.Write(Console.Out, EsrDecoder.Decode(esr));
            return ExitCodes.Ok;
        }));
        return cmd;
    }
}
