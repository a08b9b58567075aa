using Dtmem.DeviceTree.Model;

namespace Dtmem.DeviceTree.Preprocessing;

/// <summary>
/// The C preprocessor as the kernel runs it on DTS (<c>cpp -nostdinc -undef -D__DTS__ -x assembler-with-cpp</c>),
/// in process. Thread-safe: one instance can serve many concurrent <see cref="Run"/> calls; give several
/// instances the same <see cref="SourceCache"/> to share lexed headers between them.
/// </summary>
public sealed class Preprocessor
{
    private readonly PreprocessorOptions _options;
    private readonly SourceCache _cache;
    private readonly Dictionary<string, Macro> _initial;
    private readonly string[] _includePaths;

    public Preprocessor(PreprocessorOptions options, SourceCache? cache = null)
    {
        _options = options;
        _cache = cache ?? new SourceCache();
        // gcc drops trailing slashes of -I directories when it builds file names.
        _includePaths = options.IncludePaths.Select(p => p.Length > 1 ? p.TrimEnd('/') : p).ToArray();
        _initial = BuildInitialMacros(options);
    }

    /// <summary>The kernel's include set and defines for <paramref name="dtsPath"/>; see
    /// <see cref="PreprocessorOptions.KernelDefaults"/>.</summary>
    public static Preprocessor KernelDefaults(string dtsPath, string kernelRoot, string arch, SourceCache? cache = null) =>
        new(PreprocessorOptions.KernelDefaults(dtsPath, kernelRoot, arch), cache);

    public SourceCache Cache => _cache;

    /// <summary>Preprocesses the file at <paramref name="path"/> (named in linemarkers as written here).</summary>
    /// <exception cref="DtException">On a missing file, <c>#error</c>, or any malformed directive or macro use.</exception>
    public PreprocessResult Run(string path)
    {
        var file = _cache.Get(path) ?? throw new DtException(SourceSpan.WholeFile(path), "No such file or directory");
        return new PreprocessRun(_options, _includePaths, _cache, _initial).Execute(file, path);
    }

    /// <summary>Preprocesses <paramref name="text"/> as if it were the file <paramref name="fileName"/>
    /// ("..." includes look in that name's directory first).</summary>
    public PreprocessResult RunText(string text, string fileName) =>
        new PreprocessRun(_options, _includePaths, _cache, _initial).Execute(SourceCache.FromText(fileName, text), fileName);

    private static Dictionary<string, Macro> BuildInitialMacros(PreprocessorOptions options)
    {
        var macros = new Dictionary<string, Macro>(StringComparer.Ordinal);
        // What `cpp -nostdinc -undef -x assembler-with-cpp -dM` still defines, plus the dynamic builtins.
        Define(macros, "__STDC__ 1");
        Define(macros, "__STDC_HOSTED__ 1");
        Define(macros, "__ASSEMBLER__ 1");
        macros["__FILE__"] = Macro.MakeBuiltin("__FILE__", BuiltinMacro.File);
        macros["__LINE__"] = Macro.MakeBuiltin("__LINE__", BuiltinMacro.Line);
        macros["__COUNTER__"] = Macro.MakeBuiltin("__COUNTER__", BuiltinMacro.Counter);
        macros["__INCLUDE_LEVEL__"] = Macro.MakeBuiltin("__INCLUDE_LEVEL__", BuiltinMacro.IncludeLevel);
        macros["__BASE_FILE__"] = Macro.MakeBuiltin("__BASE_FILE__", BuiltinMacro.BaseFile);
        foreach (var (name, value) in options.Defines)
        {
            var paren = name.IndexOf('(');
            var head = paren < 0 ? name : name[..paren];
            if (head.Length == 0 || !CppLexer.IsIdentStart(head[0]) || !head.All(CppLexer.IsIdentChar))
                throw new DtException(new SourceSpan("<command-line>", 1, 1), $"-D {name}: macro names must be identifiers");
            Define(macros, name + " " + (value ?? "1"));
        }
        foreach (var name in options.Undefines)
            macros.Remove(name);
        return macros;
    }

    private static void Define(Dictionary<string, Macro> macros, string definition)
    {
        var f = CppLexer.Lex("<command-line>", definition);
        var m = Macro.Parse(f.LineTokens(0), "<command-line>", out var error, out _)
            ?? throw new DtException(new SourceSpan("<command-line>", 1, 1), $"-D {definition}: {error}");
        macros[m.Name] = m;
    }
}
