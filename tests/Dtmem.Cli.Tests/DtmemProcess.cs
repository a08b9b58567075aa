using System.Diagnostics;

namespace Dtmem.Cli.Tests;

/// <summary>Runs the real dtmem executable (the built dtmem.dll) as a user would, capturing both streams.</summary>
internal static class DtmemProcess
{
    public static string RepoRoot { get; } = FindRoot();

    public static string Example(string name) => Path.Combine(RepoRoot, "examples", "rk3566-cma", name);

    public static string ExampleInclude => Path.Combine(RepoRoot, "examples", "rk3566-cma", "include");

    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static Result Run(params string[] args) => RunIn(RepoRoot, args);

    public static Result RunIn(string cwd, params string[] args) => RunWithInput(cwd, null, args);

    /// <summary>Runs dtmem with <paramref name="stdin"/> piped to its standard input (null: none).</summary>
    public static Result RunWithInput(string cwd, byte[]? stdin, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = cwd,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "dtmem.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["NO_COLOR"] = "1";
        psi.Environment.Remove("DTMEM_DEBUG");
        using var p = Process.Start(psi)!;
        if (stdin is not null)
        {
            p.StandardInput.BaseStream.Write(stdin);
            p.StandardInput.Close();
        }
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(60_000))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"dtmem {string.Join(' ', args)} did not finish in 60 s");
        }
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }

    private static string FindRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Dtmem.slnx"))) return d.FullName;
        throw new InvalidOperationException("repository root (Dtmem.slnx) not found above " + AppContext.BaseDirectory);
    }
}
