namespace Dtmem.Cli;

/// <summary>Maps each layer's own input-error exception to the message the user sees (exit code 2).</summary>
internal static class InputErrors
{
    public static string? Describe(Exception e) => e switch
    {
        Dtmem.Kernel.KernelInputException k => $"{k.Source}{(k.Location.Length > 0 ? ":" + k.Location : "")}: error: {k.Problem}. {k.Remedy}",
        FileNotFoundException f => $"{f.FileName}: error: no such file",
        DirectoryNotFoundException d => $"error: {d.Message}",
        UnauthorizedAccessException u => $"error: {u.Message}",
        _ => null,
    };
}
