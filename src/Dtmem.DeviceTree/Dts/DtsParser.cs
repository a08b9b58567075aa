using Dtmem.DeviceTree.Model;

namespace Dtmem.DeviceTree.Dts;

/// <summary>What the parser hands to the semantic passes.</summary>
internal sealed class ParsedSource(LNode root, List<MemReserve> memReserves, bool plugin, uint bootCpuGuess)
{
    public LNode Root { get; } = root;
    public List<MemReserve> MemReserves { get; } = memReserves;
    public bool IsPlugin { get; } = plugin;
    public uint BootCpuGuess { get; } = bootCpuGuess;
}

/// <summary>
/// Recursive-descent parser for dtc's v1 grammar (dtc-parser.y). It builds dtc's live tree with the same
/// actions as the bison rules (build, merge, delete, orphan fragments for plugins), so that later passes see
/// exactly what dtc sees.
/// </summary>
internal sealed partial class DtsParser
{
    private readonly DtsLexer _lex;
    private readonly DtsCompileOptions _options;
    private readonly NameTable _names = new();
    private Token _tok;
    private bool _plugin;
    private int _nodeCount;
    private int _orphans;
    private readonly References.LabelCache _labels = new();

    public DtsParser(string text, string fileName, string? directory, DtsCompileOptions options)
    {
        _options = options;
        _lex = new DtsLexer(text, fileName, directory, options);
        _tok = _lex.Next();
    }

    private void Advance() => _tok = _lex.Next();

    private DtException Unexpected(string expected) =>
        new(_tok.Span, $"syntax error: expected {expected}, found {_tok.Describe()}") { SourceLine = DtsLexer.LineAt(_tok.Src, _tok.Start) };

    private void ExpectChar(char c, string? context = null)
    {
        if (!_tok.IsChar(c)) throw Unexpected(context is null ? $"'{c}'" : $"'{c}' {context}");
        Advance();
    }

    public ParsedSource Parse()
    {
        ParseHeaders();
        var memReserves = ParseMemReserves();
        var root = ParseDeviceTree();
        return new ParsedSource(root, memReserves, _plugin, GuessBootCpu(root));
    }

    private void ParseHeaders()
    {
        if (_tok.Kind != Tok.V1)
            throw new DtException(_tok.Span,
                $"missing '/dts-v1/;' at the start of the source (found {_tok.Describe()}); dtc only accepts version 1 sources");
        var first = true;
        while (_tok.Kind == Tok.V1)
        {
            var at = _tok;
            Advance();
            ExpectChar(';', "after /dts-v1/");
            var plugin = false;
            if (_tok.Kind == Tok.Plugin)
            {
                Advance();
                ExpectChar(';', "after /plugin/");
                plugin = true;
            }
            if (first) _plugin = plugin;
            else if (plugin != _plugin)
                throw new DtException(at.Span, "header flags don't match earlier ones (/plugin/ on one /dts-v1/ but not another)");
            first = false;
        }
    }

    private List<MemReserve> ParseMemReserves()
    {
        var list = new List<MemReserve>();
        while (true)
        {
            if (_tok.Kind is not (Tok.MemReserve or Tok.Label)) return list;
            var labels = new List<string>();
            var start = _tok;
            while (_tok.Kind == Tok.Label)
            {
                labels.Add(_names.Get(_tok.Text));
                Advance();
            }
            // The tree itself cannot start with a label, so labels here belong to a /memreserve/.
            if (_tok.Kind != Tok.MemReserve) throw Unexpected("'/memreserve/' after the label");
            var span = _tok.Span;
            Advance();
            var address = ParsePrimary();
            var size = ParsePrimary();
            ExpectChar(';', "after the /memreserve/ address and size");
            // dtc's add_label prepends: the last label written comes first.
            var entry = new MemReserve(address, size, labels.Count > 0 ? start.Span : span);
            for (var i = labels.Count - 1; i >= 0; i--)
                if (!entry.Labels.Contains(labels[i])) entry.Labels.Insert(0, labels[i]);
            list.Add(entry);
        }
    }

    private LNode ParseDeviceTree()
    {
        LNode root;
        if (_tok.IsChar('/'))
        {
            var span = _tok.Span;
            Advance();
            root = ParseNodeDef(span, 1);
        }
        else if (_tok.Kind is Tok.LabelRef or Tok.PathRef)
        {
            var reft = _tok;
            var r = RefText(_tok);
            Advance();
            var body = ParseNodeDef(reft.Span, 1);
            if (!_plugin)
                throw new DtException(reft.Span, $"label or path {RefDisplay(reft)} not found: the tree has no root node yet (start with '/ {{ ... }};')");
            root = new LNode(reft.Span);
            AddOrphan(root, body, r, reft);
        }
        else
        {
            throw Unexpected("'/ {' (the root node)");
        }

        while (_tok.Kind != Tok.Eof)
        {
            var t = _tok;
            if (t.IsChar('/'))
            {
                Advance();
                root.Merge(ParseNodeDef(t.Span, 1));
            }
            else if (t.Kind == Tok.Label)
            {
                var label = _names.Get(t.Text);
                Advance();
                if (_tok.Kind is not (Tok.LabelRef or Tok.PathRef)) throw Unexpected("a &reference after the top-level label");
                var reft = _tok;
                Advance();
                var body = ParseNodeDef(reft.Span, 1);
                var target = Resolve(root, reft);
                LabelList.Add(target.Labels, label);
                target.Merge(body);
            }
            else if (t.Kind == Tok.PathRef)
            {
                Advance();
                var body = ParseNodeDef(t.Span, 1);
                if (_plugin) AddOrphan(root, body, RefText(t), t);
                else Resolve(root, t).Merge(body);
            }
            else if (t.Kind == Tok.LabelRef)
            {
                Advance();
                var body = ParseNodeDef(t.Span, 1);
                var target = _labels.Find(root, RefText(t));
                if (target is not null) target.Merge(body);
                else if (_plugin) AddOrphan(root, body, RefText(t), t);
                else throw NotFound(root, t);
            }
            else if (t.Kind is Tok.DelNode or Tok.OmitNoRef)
            {
                Advance();
                if (_tok.Kind is not (Tok.LabelRef or Tok.PathRef))
                    throw Unexpected(t.Kind == Tok.DelNode ? "a &reference after top-level /delete-node/" : "a &reference after top-level /omit-if-no-ref/");
                var reft = _tok;
                Advance();
                ExpectChar(';');
                var target = Resolve(root, reft);
                if (t.Kind == Tok.DelNode) target.Delete();
                else target.OmitIfUnused = true;
            }
            else
            {
                throw Unexpected("'/ {', '&label {', '&{/path} {', '/delete-node/' or '/omit-if-no-ref/' at the top level");
            }
        }
        return root;
    }

    private string RefText(Token t) => _names.Get(t.Text);

    private static string RefDisplay(Token t) => t.Kind == Tok.PathRef ? $"&{{{t.Text}}}" : $"&{t.Text}";

    private LNode Resolve(LNode root, Token reft) => _labels.Find(root, RefText(reft)) ?? throw NotFound(root, reft);

    private static DtException NotFound(LNode root, Token reft) =>
        new(reft.Span, $"label or path {RefDisplay(reft)} not found{References.Suggest(root, reft.Text.ToString())}");

    // dtc's add_orphan_node: an overlay fragment targeting a label (phandle fixup) or a path.
    private void AddOrphan(LNode root, LNode body, string reference, Token at)
    {
        var d = new LData();
        LProp target;
        if (reference.StartsWith('/'))
        {
            d.AddMarker(new LMarker(LMarkerKind.TypeString, 0, reference, at.File, at.Line, at.Column));
            d.Append(System.Text.Encoding.UTF8.GetBytes(reference));
            d.AppendByte(0);
            target = new LProp("target-path", d, at.Span);
        }
        else
        {
            if (reference.Contains('/'))
                throw new DtException(at.Span, $"label-relative reference &{{{reference}}} is not supported in a plugin");
            d.AddMarker(new LMarker(LMarkerKind.RefPhandle, 0, reference, at.File, at.Line, at.Column));
            d.AppendInteger(0xffffffff, 32);
            target = new LProp("target", d, at.Span);
        }
        body.Name = "__overlay__";
        var fragment = new LNode(at.Span) { Name = "fragment@" + _orphans++ };
        fragment.Props.Add(target);
        fragment.AddChild(body);
        root.AddChild(fragment);
    }

    /// <summary><c>'{' proplist subnodes '}' ';'</c>; <paramref name="span"/> is where the definition starts.</summary>
    private LNode ParseNodeDef(SourceSpan span, int depth)
    {
        if (depth > _options.MaxDepth)
            throw new DtException(span, $"nodes nested deeper than {_options.MaxDepth} levels, the 'node-depth' limit") { Limit = "node-depth" };
        if (++_nodeCount > _options.MaxNodes)
            throw new DtException(span, $"more than {_options.MaxNodes} node definitions, the 'nodes' limit") { Limit = "nodes" };
        ExpectChar('{', "to open the node");
        var node = new LNode(span);
        var sawSubnode = false;
        while (!_tok.IsChar('}'))
        {
            var labels = CollectLabels();
            var omit = false;
            var t = _tok;
            if (t.Kind == Tok.OmitNoRef)
            {
                Advance();
                omit = true;
                labels = CollectLabels(labels);
                t = _tok;
            }
            switch (t.Kind)
            {
                case Tok.DelProp when !omit:
                {
                    Advance();
                    var name = ExpectName("a property name after /delete-property/");
                    ExpectChar(';', "after /delete-property/ NAME");
                    if (sawSubnode) throw PropertyAfterSubnode(t);
                    var p = new LProp(name, new LData(0), t.Span) { Deleted = true };
                    if (labels is not null) AddLabels(p.Labels, labels);
                    node.Props.Add(p);
                    break;
                }
                case Tok.DelNode:
                {
                    Advance();
                    var name = ExpectName("a node name after /delete-node/");
                    ExpectChar(';', "after /delete-node/ NAME");
                    var child = new LNode(t.Span) { Name = name, Deleted = true, OmitIfUnused = omit };
                    if (labels is not null) AddLabels(child.Labels, labels);
                    node.AddChild(child);
                    sawSubnode = true;
                    break;
                }
                case Tok.Name:
                {
                    var name = _names.Get(t.Text);
                    Advance();
                    if (_tok.IsChar('{'))
                    {
                        var child = ParseNodeDef(t.Span, depth + 1);
                        child.Name = name;
                        child.OmitIfUnused = omit;
                        if (labels is not null) AddLabels(child.Labels, labels);
                        node.AddChild(child);
                        sawSubnode = true;
                        break;
                    }
                    if (omit) throw Unexpected($"'{{' after /omit-if-no-ref/ {name} (only nodes can be omitted)");
                    LData value;
                    if (_tok.IsChar('='))
                    {
                        Advance();
                        value = ParsePropData();
                    }
                    else if (_tok.IsChar(';'))
                    {
                        value = new LData(0);
                    }
                    else
                    {
                        throw Unexpected($"'=', ';' or '{{' after '{name}'");
                    }
                    if (!_tok.IsChar(';')) throw Unexpected($"';' to end property '{name}'");
                    Advance();
                    if (sawSubnode) throw PropertyAfterSubnode(t);
                    if (value.Length > _options.MaxPropertySize)
                        throw new DtException(t.Span, $"property '{name}' is {value.Length} bytes, more than the {_options.MaxPropertySize}-byte 'property-size' limit") { Limit = "property-size" };
                    var prop = new LProp(name, value, t.Span);
                    if (labels is not null) AddLabels(prop.Labels, labels);
                    node.Props.Add(prop);
                    break;
                }
                default:
                    throw Unexpected(omit ? "a node after /omit-if-no-ref/" : "a property, a child node or '}'");
            }
        }
        Advance();
        ExpectChar(';', "after '}' (every node definition ends with '};')");
        return node;
    }

    private static DtException PropertyAfterSubnode(Token t) =>
        new(t.Span, "properties must precede subnodes (move this property above the first child node)");

    private string ExpectName(string expected)
    {
        if (_tok.Kind != Tok.Name) throw Unexpected(expected);
        var name = _names.Get(_tok.Text);
        Advance();
        return name;
    }

    private List<string>? CollectLabels(List<string>? into = null)
    {
        while (_tok.Kind == Tok.Label)
        {
            (into ??= []).Add(_names.Get(_tok.Text));
            Advance();
        }
        return into;
    }

    /// <summary>Labels written <c>a: b: x</c> are added innermost first, as dtc's right-recursive rule does.</summary>
    private static void AddLabels(List<LLabel> target, List<string> labels)
    {
        for (var i = labels.Count - 1; i >= 0; i--) LabelList.Add(target, labels[i]);
    }

    // dtc's guess_boot_cpuid: reg of the first child of /cpus (the raw list, deleted or not).
    private static uint GuessBootCpu(LNode root)
    {
        var cpus = References.ByPath(root, "cpus");
        if (cpus is null || cpus.Children.Count == 0) return 0;
        var reg = cpus.Children[0].GetProp("reg");
        if (reg is null || reg.Value.Length != 4) return 0;
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(reg.Value.Bytes);
    }
}
