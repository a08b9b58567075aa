namespace Dtmem.DeviceTree.Model;

/// <summary>
/// A located problem in device-tree input (DTS text or DTB bytes). The CLI prints it as
/// <c>file:line:col: error: message</c> and exits 2; it is never a crash.
/// </summary>
public sealed class DtException : Exception
{
    public DtException(SourceSpan? at, string message) : base(message) => At = at;

    public SourceSpan? At { get; }

    /// <summary>The source line the error points at, when the caller could recover it (for the caret display).</summary>
    public string? SourceLine { get; init; }

    /// <summary>
    /// When the input hit one of dtmem's resource limits rather than being wrong: the limit's name
    /// (<c>node-depth</c>, <c>expansion-tokens</c>, ...; see docs/limits.md), so a front end can say how to raise it.
    /// </summary>
    public string? Limit { get; init; }

    public override string ToString() => At is null ? $"error: {Message}" : $"{At}: error: {Message}";
}
