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

    public static void Write(string path, ReadOnlySpan<byte> bytes)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full) ?? ".";
        if (!Directory.Exists(dir)) throw new CliException($"{path}: error: output folder '{dir}' does not exist; create it first");
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
            throw new CliException($"{path}: error: cannot write output: {e.Message}");
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
