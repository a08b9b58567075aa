namespace Dtmem.Cli;

/// <summary>
/// Writes an output whole or not at all: the bytes go to a temporary file in the target's folder, which is then
/// renamed over the target, so an interrupted run leaves the old file or the new one, never half of one.
/// </summary>
internal static class AtomicFile
{
    /// <summary>The temporary file being written, for the signal handler: Ctrl-C or SIGTERM must not leave it behind.</summary>
    private static volatile string? s_pending;

    /// <summary>Deletes the temporary file of an unfinished write (called on SIGINT/SIGTERM before the process ends). The
    /// target keeps its old content; a rename already done is not undone.</summary>
    public static void AbandonPending()
    {
        if (Interlocked.Exchange(ref s_pending, null) is { } p) TryDelete(p);
    }

    /// <summary>The options whose values are written, not read; every other file named on the command line is an input.</summary>
    public static readonly IReadOnlySet<string> OutputOptions = new HashSet<string>(StringComparer.Ordinal) { "--out", "--svg", "--html" };

    private static readonly HashSet<string> s_inputs = new(StringComparer.Ordinal);

    /// <summary>Files this run reads: no output may replace one (<c>-o board.dts</c> on <c>board.dts</c> is refused).</summary>
    public static void ProtectInput(string path)
    {
        if (File.Exists(path)) s_inputs.Add(Identity(path));
    }

    /// <summary>The file a path ends at: full, with symbolic links followed, so two names of one file compare equal.</summary>
    private static string Identity(string path)
    {
        var full = Path.GetFullPath(path);
        try
        {
            return File.ResolveLinkTarget(full, returnFinalTarget: true)?.FullName ?? full;
        }
        catch (IOException)
        {
            return full;
        }
    }

    public static void Write(string path, ReadOnlySpan<byte> bytes)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full) ?? ".";
        if (!Directory.Exists(dir)) throw new CliException($"{path}: error: output folder '{dir}' does not exist; create it first");
        if (Directory.Exists(full)) throw new CliException($"{path}: error: is a directory; name an output file");
        if (File.Exists(full) && s_inputs.Contains(Identity(full)))
            throw new CliException($"{path}: error: is an input of this run; dtmem never writes over its inputs: choose another output file");
        var tmp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        s_pending = tmp;
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                fs.Write(bytes);
                fs.Flush(flushToDisk: true);
            }
            // Claim the file before the rename so a signal arriving now does not delete it under File.Move.
            if (Interlocked.Exchange(ref s_pending, null) is null)
                throw new CliException($"{path}: error: interrupted; the old file is kept");
            File.Move(tmp, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(tmp);
            throw new CliException($"{path}: error: cannot write output: {Dtmem.Io.BoundedFile.Reason(path, e)}");
        }
        catch
        {
            TryDelete(tmp);
            throw;
        }
    }

    public static void WriteText(string path, string text) => Write(path, System.Text.Encoding.UTF8.GetBytes(text));

    private static void TryDelete(string p)
    {
        try { File.Delete(p); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
