using System.Text;
using Dtmem.DeviceTree.Model;

namespace Dtmem.DeviceTree.Preprocessing;

/// <summary>The state of one preprocessing run: macros, the include stack, conditionals, output.</summary>
internal sealed partial class PreprocessRun
{
    private sealed class FileState
    {
        public required SourceFile File;
        public required string Name;
        public required FileState? Parent;
        public required SourceSpan? IncludedFrom;
        public required int Depth;

        /// <summary>Index in the -I list where the file was found (-1: not found via -I), for #include_next.</summary>
        public required int FoundIn;

        public int Next;
        public int LineDelta;
        public readonly List<Cond> Conds = [];

        public bool Skipping => Conds.Count > 0 && Conds[^1].Skipping;
    }

    private struct Cond
    {
        public bool Skipping;
        public bool Taken;
        public bool ParentSkipping;
        public int ElseLine;
        public int Line;
        public int Col;
        public string Directive;
    }

    private readonly PreprocessorOptions _options;
    private readonly string[] _includePaths;
    private readonly SourceCache _cache;
    private readonly Dictionary<string, Macro> _macros;
    private readonly MacroExpander _expander;
    private readonly List<string> _deps = [];
    private readonly HashSet<string> _depSet = new(StringComparer.Ordinal);
    private readonly HashSet<string> _pragmaOnce = new(StringComparer.Ordinal);
    private readonly List<DtException> _warnings = [];
    private readonly List<Token> _scratch = new(256);
    private OutputWriter _out = null!;
    private FileState _cur = null!;
    private string _baseName = "";
    private int _counter;
    private bool _collectingArgs;

    public PreprocessRun(PreprocessorOptions options, string[] includePaths, SourceCache cache, Dictionary<string, Macro> initial)
    {
        _options = options;
        _includePaths = includePaths;
        _cache = cache;
        _macros = new Dictionary<string, Macro>(initial, StringComparer.Ordinal);
        _expander = new MacroExpander(this);
    }

    /// <summary>Line of the last source token read (gcc's expansion point, for __LINE__ and located errors).</summary>
    public int CurrentLine { get; set; }

    public long MaxExpansionTokens => _options.MaxExpansionTokens;

    public PreprocessResult Execute(SourceFile main, string name)
    {
        _baseName = name;
        _out = new OutputWriter(main.Text.Length * 2 + 1024);
        _out.Start(name);
        AddDependency(main.Path);
        ProcessFile(new FileState { File = main, Name = name, Parent = null, IncludedFrom = null, Depth = 0, FoundIn = -1 });
        return new PreprocessResult(_out.Finish(), _deps, _warnings);
    }

    public bool TryGetMacro(string name, out Macro macro) => _macros.TryGetValue(name, out macro!);

    private void ProcessFile(FileState fs)
    {
        var parent = _cur;
        _cur = fs;
        var file = fs.File;
        if (file.Error is { } err)
            throw new DtException(new SourceSpan(fs.Name, Math.Max(1, err.Line), Math.Max(1, err.Col), fs.IncludedFrom), err.Message);
        while (fs.Next < file.Lines.Length)
        {
            var li = fs.Next++;
            var line = file.Lines[li];
            if (line.Directive && HandleDirective(fs, li))
                continue;
            if (fs.Skipping)
                continue;
            _scratch.Clear();
            _expander.ExpandText(file, line.First, line.Count, _scratch);
            _out.Write(_scratch, fs.Name, fs.LineDelta);
        }
        if (fs.Conds.Count > 0)
        {
            var c = fs.Conds[^1];
            throw new DtException(new SourceSpan(fs.Name, c.Line + fs.LineDelta, c.Col, fs.IncludedFrom),
                $"unterminated #{c.Directive}: the file ends before its #endif; add #endif at the end of the group")
            { SourceLine = SourceLineOf(file, c.Line) };
        }
        _cur = parent;
    }

    /// <summary>For a macro invocation whose arguments run past the end of its line: the next text line of the
    /// current file, processing the directives (except #include) met on the way, as gcc does.</summary>
    public bool TryNextTextLine(out int first, out int count)
    {
        var fs = _cur;
        var file = fs.File;
        _collectingArgs = true;
        try
        {
            while (fs.Next < file.Lines.Length)
            {
                var li = fs.Next++;
                var line = file.Lines[li];
                if (line.Directive && HandleDirective(fs, li))
                    continue;
                if (fs.Skipping)
                    continue;
                first = line.First;
                count = line.Count;
                return true;
            }
        }
        finally
        {
            _collectingArgs = false;
        }
        first = count = 0;
        return false;
    }

    /// <summary>Handles a line starting with '#'. False when it is not a directive (assembler mode passes
    /// <c>#address-cells</c> and the like through as text).</summary>
    private bool HandleDirective(FileState fs, int li)
    {
        var file = fs.File;
        if (file.Lines[li].Count == 1)
            return true;
        var skipping = fs.Skipping;
        var directive = file.DirectiveName(li);
        // Hot path: a #define already parsed from this line by an earlier run, or any line of a skipped group.
        if (directive == "define" && !skipping && file.Defines[li] is { } cached)
        {
            DefineMacro(fs, li, cached);
            return true;
        }
        if (skipping && directive is not ("if" or "ifdef" or "ifndef" or "elif" or "elifdef" or "elifndef" or "else" or "endif"))
            return true;
        var toks = file.LineTokens(li);
        var hash = toks[0];
        var nameTok = toks[1];
        var args = toks.AsSpan(2);
        switch (nameTok.Kind == TokKind.Ident ? nameTok.Name : null)
        {
            case "if":
                PushCond(fs, nameTok, "if", skipping || !Condition(toks, nameTok, "if"), skipping);
                return true;
            case "ifdef":
            case "ifndef":
                PushCond(fs, nameTok, nameTok.Name!, skipping || IfDef(args, nameTok) != (nameTok.Name == "ifdef"), skipping);
                return true;
            case "elif":
            case "elifdef":
            case "elifndef":
                Elif(fs, toks, nameTok);
                return true;
            case "else":
                Else(fs, nameTok);
                return true;
            case "endif":
                if (fs.Conds.Count == 0)
                    throw Error(nameTok, "#endif without #if: remove it or add the matching #if");
                fs.Conds.RemoveAt(fs.Conds.Count - 1);
                return true;
        }
        if (skipping)
            return true;
        switch (nameTok.Kind == TokKind.Ident ? nameTok.Name : null)
        {
            case "define":
                DefineMacro(fs, li, null);
                return true;
            case "undef":
                if (args.Length == 0 || args[0].Kind != TokKind.Ident)
                    throw Error(nameTok, "#undef needs a macro name");
                _macros.Remove(args[0].Name!);
                return true;
            case "include":
            case "include_next":
            case "import":
                if (_collectingArgs)
                    throw Error(hash, $"#{nameTok.Name} inside the arguments of a macro invocation is not supported; close the invocation first");
                Include(fs, toks, li, hash, next: nameTok.Name == "include_next" && fs.FoundIn >= 0);
                return true;
            case "error":
                throw new DtException(Span(nameTok), "#error " + RestOfLine(args)) { SourceLine = SourceLineOf(fs.File, hash.Line) };
            case "warning":
                _warnings.Add(new DtException(Span(nameTok), "#warning " + RestOfLine(args)) { SourceLine = SourceLineOf(fs.File, hash.Line) });
                return true;
            case "pragma":
                if (args.Length == 1 && args[0].Name == "once")
                    _pragmaOnce.Add(fs.File.Path);
                return true;
            case "line":
                LineDirective(fs, li, toks, nameTok);
                return true;
            case "ident":
            case "sccs":
            case "assert":
            case "unassert":
                // Accepted; assembler-mode cpp prints nothing for them.
                return true;
            default:
                // Unknown directive: assembler source keeps the line as text (DTS "#address-cells = <1>;").
                return false;
        }
    }

    private void PushCond(FileState fs, in Token at, string directive, bool skip, bool parentSkipping) =>
        fs.Conds.Add(new Cond
        {
            Skipping = skip,
            Taken = !skip || parentSkipping,
            ParentSkipping = parentSkipping,
            Line = at.Line,
            Col = at.Col,
            Directive = directive,
        });

    private bool IfDef(ReadOnlySpan<Token> args, in Token nameTok)
    {
        if (args.Length == 0 || args[0].Kind != TokKind.Ident)
            throw Error(nameTok, $"#{nameTok.Name} needs a macro name");
        return _macros.ContainsKey(args[0].Name!);
    }

    private bool Condition(Token[] toks, in Token nameTok, string directive)
    {
        var expanded = new List<Token>(toks.Length);
        _expander.ExpandLine(toks, 2, toks.Length - 2, expanded, inIf: true);
        return ExpressionEvaluator.Evaluate(expanded, this, nameTok, directive);
    }

    private void Elif(FileState fs, Token[] toks, in Token nameTok)
    {
        var args = toks.AsSpan(2);
        var directive = nameTok.Name!;
        if (fs.Conds.Count == 0)
            throw Error(nameTok, $"#{directive} without #if");
        var c = fs.Conds[^1];
        if (c.ElseLine != 0)
            throw Error(nameTok, $"#{directive} after #else (line {c.ElseLine + fs.LineDelta}): move it before the #else");
        if (c.ParentSkipping || c.Taken)
            c.Skipping = true;
        else
        {
            var value = directive == "elif" ? Condition(toks, nameTok, directive) : IfDef(args, nameTok) == (directive == "elifdef");
            c.Skipping = !value;
            c.Taken = value;
        }
        fs.Conds[^1] = c;
    }

    private void Else(FileState fs, in Token at)
    {
        if (fs.Conds.Count == 0)
            throw Error(at, "#else without #if");
        var c = fs.Conds[^1];
        if (c.ElseLine != 0)
            throw Error(at, $"#else after #else (the first #else is at line {c.ElseLine + fs.LineDelta}): a group has one #else; use #elif or #endif");
        c.ElseLine = at.Line;
        c.Skipping = c.ParentSkipping || c.Taken;
        c.Taken = true;
        fs.Conds[^1] = c;
    }

    private void DefineMacro(FileState fs, int li, Macro? m)
    {
        var file = fs.File;
        if (m is null)
        {
            var line = file.LineTokens(li);
            var toks = line.AsSpan(2);
            var at = toks.Length > 0 ? toks[0] : line[1];
            m = Macro.Parse(toks, $"{file.Path}:{at.Line}:{at.Col}", out var error, out var errorAt);
            if (m is null)
                throw Error(toks.Length > 0 ? toks[Math.Min(errorAt, toks.Length - 1)] : at, error!);
            file.Defines[li] = m;
        }
        if (_macros.TryGetValue(m.Name, out var old) && !ReferenceEquals(old, m) && !old.SameDefinition(m))
            Warn(file.LineTokens(li)[2], $"\"{m.Name}\" redefined" + (old.DefinedAt is null ? "" : $" (previous definition at {old.DefinedAt})"));
        _macros[m.Name] = m;
    }

    private void LineDirective(FileState fs, int li, Token[] toks, in Token nameTok)
    {
        var line = fs.File.Lines[li];
        var expanded = new List<Token>();
        _expander.ExpandLine(toks, 2, toks.Length - 2, expanded, inIf: false);
        if (expanded.Count == 0 || expanded[0].Kind != TokKind.Number || !int.TryParse(expanded[0].Text, out var n) || n < 0)
            throw Error(nameTok, "#line needs a positive line number, optionally followed by \"file name\"");
        if (expanded.Count > 1)
        {
            if (expanded[1].Kind != TokKind.String)
                throw Error(expanded[1], $"invalid file name \"{expanded[1]}\" in #line: write it as a string");
            fs.Name = Unescape(expanded[1].Text[1..^1]);
        }
        // The line after the directive is line n.
        fs.LineDelta = n - (line.EndLine + 1);
        _out.Marker(n, fs.Name, "");
    }

    internal Token BuiltinToken(Macro m, in Token at)
    {
        string text;
        var kind = TokKind.Number;
        switch (m.Builtin)
        {
            case BuiltinMacro.File:
            case BuiltinMacro.BaseFile:
                kind = TokKind.String;
                text = Quote(m.Builtin == BuiltinMacro.File ? _cur.Name : _baseName);
                break;
            case BuiltinMacro.Line:
                text = (CurrentLine + _cur.LineDelta).ToString(System.Globalization.CultureInfo.InvariantCulture);
                break;
            case BuiltinMacro.Counter:
                text = (_counter++).ToString(System.Globalization.CultureInfo.InvariantCulture);
                break;
            default:
                text = _cur.Depth.ToString(System.Globalization.CultureInfo.InvariantCulture);
                break;
        }
        return Token.Synthetic(text, kind, at.Flags & TokFlags.PrevWhite, at);
    }

    private static string Quote(string s)
    {
        var sb = new StringBuilder(s.Length + 2).Append('"');
        foreach (var c in s)
        {
            if (c is '"' or '\\')
                sb.Append('\\');
            sb.Append(c);
        }
        return sb.Append('"').ToString();
    }

    private static string Unescape(ReadOnlySpan<char> s)
    {
        var sb = new StringBuilder(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] == '\\' && i + 1 < s.Length)
                i++;
            sb.Append(s[i]);
        }
        return sb.ToString();
    }

    /// <summary>The directive's operand text as written (comments and continuations removed).</summary>
    private static string RestOfLine(ReadOnlySpan<Token> args)
    {
        if (args.Length == 0)
            return "";
        var sb = new StringBuilder();
        for (var i = 0; i < args.Length; i++)
        {
            if (i > 0 && args[i].PrevWhite)
                sb.Append(' ');
            sb.Append(args[i].Text);
        }
        return sb.ToString();
    }

    private void AddDependency(string path)
    {
        if (_depSet.Add(path))
            _deps.Add(path);
    }

    private void Warn(in Token at, string message) => _warnings.Add(new DtException(Span(at), message));

    /// <summary>A located error at <paramref name="at"/> in the current file (an expansion's tokens are placed
    /// on the line being expanded).</summary>
    internal DtException Error(in Token at, string message, string? limit = null) =>
        new(Span(at), message) { SourceLine = (at.Flags & TokFlags.Source) != 0 ? SourceLineOf(_cur.File, at.Line) : null, Limit = limit };

    private SourceSpan Span(in Token at)
    {
        var fs = _cur;
        return (at.Flags & TokFlags.Source) != 0
            ? new SourceSpan(fs.Name, at.Line + fs.LineDelta, at.Col, fs.IncludedFrom)
            : new SourceSpan(fs.Name, Math.Max(CurrentLine, 1) + fs.LineDelta, 1, fs.IncludedFrom);
    }

    private static string? SourceLineOf(SourceFile file, int line)
    {
        foreach (var l in file.Lines)
        {
            if (l.Line == line && l.Count > 0)
            {
                var t = file.Get(l.First);
                var start = t.Start - (t.Col - 1);
                var end = file.Text.IndexOf('\n', t.Start);
                return file.Text[start..(end < 0 ? file.Text.Length : end)].TrimEnd('\r');
            }
        }
        return null;
    }
}
