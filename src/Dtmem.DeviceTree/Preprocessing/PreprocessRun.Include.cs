using System.Text;
using Dtmem.DeviceTree.Model;

namespace Dtmem.DeviceTree.Preprocessing;

/// <summary>#include, #include_next and __has_include: header names, the search, nesting.</summary>
internal sealed partial class PreprocessRun
{
    private void Include(FileState fs, Token[] toks, int li, in Token hash, bool next)
    {
        var line = fs.File.Lines[li];
        var (name, angled) = HeaderName(toks, 2, toks.Length - 2, hash);
        var (path, file, foundIn) = Resolve(name, angled, next, fs);
        if (file is null)
            throw new DtException(Span(hash), MissingMessage(name, angled, next, fs)) { SourceLine = SourceLineOf(fs.File, hash.Line) };
        if (file.Error is { Line: 0 } refused)
            throw new DtException(Span(hash), $"#include \"{path}\": {refused.Message}") { SourceLine = SourceLineOf(fs.File, hash.Line), Limit = "file-size" };
        AddDependency(file.Path);
        // gcc's multiple-include optimisation and #pragma once: skipped without linemarkers.
        if ((file.Guard is { } guard && _macros.ContainsKey(guard)) || _pragmaOnce.Contains(file.Path))
            return;

        var from = Span(hash);
        // gcc counts the main file as depth 1 and refuses to open depth MaxIncludeDepth + 1.
        if (fs.Depth + 1 >= _options.MaxIncludeDepth)
        {
            var cycle = false;
            for (var f = fs; f is not null; f = f.Parent)
                cycle |= f.File.Path == file.Path;
            throw new DtException(from,
                $"#include nested depth {fs.Depth + 1} exceeds maximum of {_options.MaxIncludeDepth}, the 'include-depth' limit"
                + (cycle ? $": \"{path}\" includes itself (directly or through other files); add an include guard" : ""))
            { Limit = cycle ? null : "include-depth" };
        }

        _out.SyncTo(hash.Line + fs.LineDelta, fs.Name);
        _out.Marker(1, path, " 1");
        ProcessFile(new FileState
        {
            File = file,
            Name = path,
            Parent = fs,
            IncludedFrom = from,
            Depth = fs.Depth + 1,
            FoundIn = foundIn,
        });
        _out.Marker(line.EndLine + 1 + fs.LineDelta, fs.Name, " 2");
    }

    internal bool HasInclude(List<Token> parts, in Token op, bool next)
    {
        var arr = parts.ToArray();
        var (name, angled) = HeaderName(arr, 0, arr.Length, op);
        return Resolve(name, angled, next && _cur.FoundIn >= 0, _cur).File is not null;
    }

    /// <summary>"name" or &lt;name&gt;, taken literally, else from the macro-expanded operands.</summary>
    private (string Name, bool Angled) HeaderName(Token[] toks, int first, int count, in Token at)
    {
        if (count > 0)
        {
            var t = toks[first];
            if (t.Kind == TokKind.String && t.Src[t.Start] == '"')
                return (t.Text[1..^1].ToString(), false);
            if (t.IsPunct('<'))
            {
                // The text between < and > as written (it is not a token sequence: "dt-bindings/x.h").
                for (var k = first + 1; k < first + count; k++)
                {
                    if (toks[k].IsPunct('>') && ReferenceEquals(toks[k].Src, t.Src))
                        return (t.Src[(t.Start + 1)..toks[k].Start], true);
                }
                throw Error(t, "missing terminating > character in #include");
            }
        }
        var expanded = new List<Token>();
        _expander.ExpandLine(toks, first, count, expanded, inIf: false);
        if (expanded.Count > 0)
        {
            var t = expanded[0];
            if (t.Kind == TokKind.String && t.Src[t.Start] == '"')
                return (t.Text[1..^1].ToString(), false);
            if (t.IsPunct('<'))
            {
                var sb = new StringBuilder();
                for (var k = 1; k < expanded.Count; k++)
                {
                    if (expanded[k].IsPunct('>'))
                        return (sb.ToString(), true);
                    if (k > 1 && expanded[k].PrevWhite)
                        sb.Append(' ');
                    sb.Append(expanded[k].Text);
                }
                throw Error(t, "missing terminating > character in #include");
            }
        }
        throw Error(at, "#include expects \"FILENAME\" or <FILENAME>");
    }

    private (string Path, SourceFile? File, int FoundIn) Resolve(string name, bool angled, bool next, FileState fs)
    {
        if (name.Length == 0)
            throw Error(default, "empty file name in #include");
        if (name[0] == '/')
            return (name, _cache.Get(name), -1);
        if (!angled && !next)
        {
            var path = Join(DirOf(fs.Name), name);
            if (_cache.Get(path) is { } f)
                return (path, f, -1);
        }
        for (var i = next ? fs.FoundIn + 1 : 0; i < _includePaths.Length; i++)
        {
            var path = Join(_includePaths[i], name);
            if (_cache.Get(path) is { } f)
                return (path, f, i);
        }
        return (name, null, -1);
    }

    private string MissingMessage(string name, bool angled, bool next, FileState fs)
    {
        var dirs = new List<string>();
        if (!angled && !next)
            dirs.Add(DirOf(fs.Name) is { Length: > 0 } d ? d : ".");
        for (var i = next ? fs.FoundIn + 1 : 0; i < _includePaths.Length; i++)
            dirs.Add(_includePaths[i]);
        return $"{name}: No such file or directory (searched {(dirs.Count == 0 ? "no directories" : string.Join(", ", dirs))}); "
            + "add the directory that holds it to the include paths (-I)";
    }

    /// <summary>The directory part of a path as written ("" for a bare name), as gcc forms include names.</summary>
    private static string DirOf(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash < 0 ? "" : path[..(slash + 1)];
    }

    private static string Join(string dir, string name) =>
        dir.Length == 0 ? name : dir.EndsWith('/') ? dir + name : dir + "/" + name;
}
