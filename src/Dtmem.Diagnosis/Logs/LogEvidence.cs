using Dtmem.Diagnosis.Boot;

namespace Dtmem.Diagnosis.Logs;

/// <summary>Everything one console capture says: its lines, the oops reports in it and the boot-time memory evidence.
/// Reads the text once; the entry point for a CLI that takes "a log" without knowing what is in it.</summary>
public sealed record LogEvidence(LogDocument Document, IReadOnlyList<Oops.Oops> Oopses, BootEvidence Boot)
{
    public static LogEvidence Parse(string text, string fileName, int maxLineLength = LogReader.DefaultMaxLineLength)
    {
        var doc = LogReader.Read(text, fileName, maxLineLength);
        return new LogEvidence(doc, Oops.OopsParser.Parse(doc), BootLogParser.Parse(doc));
    }
}
