namespace Dtmem.Kernel;

/// <summary>
/// A kernel input (Image, vmlinux, System.map, .config, command line, number) that cannot be used.
/// The message names the file and the line or byte offset, says what is wrong and what to do.
/// </summary>
public sealed class KernelInputException : Exception
{
    public KernelInputException(string source, string location, string problem, string remedy)
        : base(Compose(source, location, problem, remedy))
    {
        Source = source;
        Location = location;
        Problem = problem;
        Remedy = remedy;
    }

    public KernelInputException(string source, string location, string problem, string remedy, Exception inner)
        : base(Compose(source, location, problem, remedy), inner)
    {
        Source = source;
        Location = location;
        Problem = problem;
        Remedy = remedy;
    }

    /// <summary>File name, option name or "command line".</summary>
    public new string Source { get; }

    /// <summary>"line 12", "byte 0x38", "column 5" or empty.</summary>
    public string Location { get; }

    public string Problem { get; }

    public string Remedy { get; }

    public static KernelInputException AtLine(string file, int line, string problem, string remedy) =>
        new(file, $"line {line}", problem, remedy);

    public static KernelInputException AtOffset(string file, long offset, string problem, string remedy) =>
        new(file, $"byte 0x{offset:x}", problem, remedy);

    private static string Compose(string source, string location, string problem, string remedy) =>
        $"{source}{(location.Length > 0 ? ":" + location : "")}: {problem}. {remedy}";
}
