using Dtmem.DeviceTree.Model;

namespace Dtmem.Reports.Findings;

/// <summary>File names as reports print them: relative to the base folder when inside it, with '/' separators.</summary>
internal static class SourcePaths
{
    public static string Relative(string file, string baseDir)
    {
        if (file.StartsWith('<')) return file; // <stdin>, <command-line>
        var full = Path.GetFullPath(file);
        var rel = Path.GetRelativePath(baseDir, full);
        return (rel.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(rel) ? full : rel).Replace('\\', '/');
    }

    public static string Location(SourceSpan s, string baseDir) =>
        s.IsBinary ? $"{Relative(s.File, baseDir)}:+0x{s.ByteOffset:x}" : $"{Relative(s.File, baseDir)}:{s.Line}:{s.Column}";
}
