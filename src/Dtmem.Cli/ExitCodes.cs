namespace Dtmem.Cli;

/// <summary>Exit codes fit for CI: findings and bad input are told apart.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>Something reached the <c>--fail-on</c> severity.</summary>
    public const int Findings = 1;
    /// <summary>The input could not be used (a located error was printed).</summary>
    public const int BadInput = 2;
    /// <summary>dtmem itself failed: a bug, reported without a stack trace unless DTMEM_DEBUG is set.</summary>
    public const int Internal = 3;
}

/// <summary>A usage or input problem found by the CLI itself (inconsistent options, unreadable files).</summary>
internal sealed class CliException(string message) : Exception(message);
