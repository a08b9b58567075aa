namespace Dtmem.DeviceTree.Dts;

/// <summary>Finds /include/ and /incbin/ files the way dtc's fopen_any_on_path does.</summary>
internal static class IncludeResolver
{
    public static string? Find(string name, string? currentDir, IReadOnlyList<string> searchPaths)
    {
        if (Path.IsPathRooted(name)) return File.Exists(name) ? name : null;
        var local = currentDir is null ? name : Path.Combine(currentDir, name);
        if (File.Exists(local)) return local;
        foreach (var dir in searchPaths)
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    public static string Describe(string? currentDir, IReadOnlyList<string> searchPaths)
    {
        var dirs = new List<string> { currentDir is null or "" ? "." : currentDir };
        dirs.AddRange(searchPaths);
        return string.Join(", ", dirs);
    }
}
