namespace Dtmem.Diagnosis.Logs;

/// <summary>One console line with its transport prefixes (syslog/journald header, printk level, timestamp,
/// caller id, kdb prompt) split off. <see cref="Text"/> is the kernel's message with its own indentation kept.</summary>
public sealed class LogLine
{
    internal LogLine(string file, int number, string raw, string text, double? timestamp, string? caller, int? level, bool truncated)
    {
        File = file;
        Number = number;
        Raw = raw;
        Text = text;
        Timestamp = timestamp;
        Caller = caller;
        Level = level;
        Truncated = truncated;
    }

    public string File { get; }

    /// <summary>1-based line number in the input.</summary>
    public int Number { get; }

    /// <summary>The line as read (CR stripped, cut at the reader's length limit).</summary>
    public string Raw { get; }

    public string Text { get; }

    /// <summary>Seconds since boot from a `[  123.456789]` prefix.</summary>
    public double? Timestamp { get; }

    /// <summary>printk caller id (`T123` thread or `C0` CPU) when CONFIG_PRINTK_CALLER printed one.</summary>
    public string? Caller { get; }

    /// <summary>printk level from a `&lt;N&gt;` prefix (syslog priority values are reduced to the level, 0..7).</summary>
    public int? Level { get; }

    /// <summary>True when the line exceeded the reader's limit and was cut.</summary>
    public bool Truncated { get; }

    public LineRef Ref => new(File, Number, Raw);

    public override string ToString() => $"{File}:{Number}: {Text}";
}

/// <summary>A problem in the input itself, located by line and column (1-based).</summary>
public sealed record LogIssue(string File, int Line, int Column, string Message)
{
    public override string ToString() => $"{File}:{Line}:{Column}: {Message}";
}

/// <summary>A whole log split into lines.</summary>
public sealed record LogDocument(string File, IReadOnlyList<LogLine> Lines, IReadOnlyList<LogIssue> Issues);
