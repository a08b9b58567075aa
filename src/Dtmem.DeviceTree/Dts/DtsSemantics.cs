using System.Buffers.Binary;
using Dtmem.DeviceTree.Model;

namespace Dtmem.DeviceTree.Dts;

/// <summary>
/// The passes dtc runs after parsing that change the output (checks.c fixups and livetree.c generators),
/// in dtc's order: name checks, duplicate labels, explicit phandles, phandle references, path references,
/// /omit-if-no-ref/, then <c>__symbols__</c> (-@) and <c>__fixups__</c>/<c>__local_fixups__</c> (plugins).
/// </summary>
internal sealed class DtsSemantics
{
    private readonly LNode _root;
    private readonly bool _plugin;
    private readonly DtsCompileOptions _options;
    private readonly Action<SourceSpan, string>? _warn;
    private readonly Dictionary<uint, LNode> _phandles = [];
    private Dictionary<string, LNode>? _labels;
    private uint _nextPhandle = 1;

    public DtsSemantics(LNode root, bool plugin, DtsCompileOptions options, Action<SourceSpan, string>? warn)
    {
        _root = root;
        _plugin = plugin;
        _options = options;
        _warn = warn;
    }

    public void Run()
    {
        // The passes up to the reference fixups see the same set of nodes (they add properties only): walk once.
        var nodes = Walk(_root).ToList();
        CheckNames(nodes);
        CheckDuplicateLabels(nodes);
        ExplicitPhandles(nodes);
        _labels = BuildLabelIndex(nodes);
        FixPhandleReferences(nodes);
        FixPathReferences(nodes);
        OmitUnused(_root);
        if (_options.AutoAliases) GenerateLabelTree("aliases", allocatePhandles: false);
        if (_options.Symbols) GenerateLabelTree("__symbols__", allocatePhandles: true);
        if (_plugin)
        {
            GenerateFixups();
            GenerateLocalFixups();
        }
    }

    private static IEnumerable<LNode> Walk(LNode root)
    {
        var stack = new Stack<LNode>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            var n = stack.Pop();
            yield return n;
            for (var i = n.Children.Count - 1; i >= 0; i--)
                if (!n.Children[i].Deleted) stack.Push(n.Children[i]);
        }
    }

    private static SourceSpan? Where(LNode n) => n.Spans.Count > 0 ? n.Spans[^1] : null;

    private static SourceSpan? Where(LProp p, LNode n) => p.LastSpan ?? Where(n);

    // duplicate_node_names, duplicate_property_names, node_name_format, property_name_chars, name_properties.
    private static void CheckNames(List<LNode> nodes)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var validPropNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var n in nodes)
        {
            seen.Clear();
            foreach (var c in n.Children)
            {
                if (c.Deleted) continue;
                if (!seen.Add(c.Name))
                    throw new DtException(Where(c), $"duplicate node name '{c.Name}' in {n.FullPath} (two definitions in one block; a repeated block merges instead)");
                foreach (var ch in c.Name)
                    if (ch is '*' or '#' or '?' || !DtsLexer.IsPropNodeChar(ch))
                        throw new DtException(Where(c), $"bad character '{ch}' in node name '{c.Name}' (node names use a-z A-Z 0-9 , . _ + - @)");
                if (c.Name.IndexOf('@') is var at and >= 0 && c.Name.IndexOf('@', at + 1) >= 0)
                    throw new DtException(Where(c), $"multiple '@' characters in node name '{c.Name}'");
            }
            seen.Clear();
            LProp? nameProp = null;
            foreach (var p in n.Props)
            {
                if (p.Deleted) continue;
                if (!seen.Add(p.Name))
                    throw new DtException(Where(p, n), $"duplicate property name '{p.Name}' in {n.FullPath}");
                if (!validPropNames.Contains(p.Name))
                {
                    var bad = p.Name.AsSpan().IndexOfAnyExcept(PropertyNameChars);
                    if (bad >= 0)
                        throw new DtException(Where(p, n), $"bad character '{p.Name[bad]}' in property name '{p.Name}' (property names use a-z A-Z 0-9 , . _ + * # ? -)");
                    validPropNames.Add(p.Name);
                }
                if (p.Name == "name" && nameProp is null) nameProp = p;
            }
            if (nameProp is not null)
            {
                // A correct "name" property is redundant and dtc drops it; a wrong one is an error.
                var v = nameProp.Value.Bytes;
                var baseLen = n.BaseNameLength;
                var matches = v.Length == baseLen + 1 && v[baseLen] == 0;
                for (var i = 0; matches && i < baseLen; i++) matches = v[i] == n.Name[i];
                if (!matches)
                    throw new DtException(Where(nameProp, n), $"\"name\" property of {n.FullPath} is incorrect (it must equal the base node name)");
                n.Props.Remove(nameProp);
            }
        }
    }

    private static readonly System.Buffers.SearchValues<char> PropertyNameChars =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789,._+*#?-");

    private static void CheckDuplicateLabels(List<LNode> nodes)
    {
        // Owner: a node, a property (with its node) or a value marker (with its property and node).
        var owners = new Dictionary<string, (object Owner, LNode Node, LProp? Prop)>(StringComparer.Ordinal);
        foreach (var n in nodes)
        {
            foreach (var l in n.LabelSpan)
                if (!l.Deleted) See(owners, l.Name, n, n, null);
            foreach (var p in n.Props)
            {
                if (p.Deleted) continue;
                foreach (var l in p.LabelSpan)
                    if (!l.Deleted) See(owners, l.Name, p, n, p);
                if (p.Value.Markers is null) continue;
                foreach (var m in p.Value.Markers)
                    if (m.Kind == LMarkerKind.Label) See(owners, m.Text!, m, n, p);
            }
        }
    }

    private static void See(Dictionary<string, (object Owner, LNode Node, LProp? Prop)> owners, string label, object owner, LNode node, LProp? prop)
    {
        if (owners.TryAdd(label, (owner, node, prop))) return;
        var prev = owners[label];
        if (ReferenceEquals(prev.Owner, owner)) return;
        var at = owner is LMarker m ? m.Span : prop is null ? Where(node) : Where(prop, node);
        var prevAt = prev.Owner is LMarker pm ? pm.Span : prev.Prop is null ? Where(prev.Node) : Where(prev.Prop, prev.Node);
        throw new DtException(at, $"duplicate label '{label}' on {Describe(owner, node, prop)} and {Describe(prev.Owner, prev.Node, prev.Prop)}"
            + (prevAt is null ? "" : $" (first at {prevAt})"));
    }

    private static string Describe(object owner, LNode node, LProp? prop) => owner switch
    {
        LMarker => $"a value of '{prop!.Name}' in {node.FullPath}",
        LProp => $"property '{prop!.Name}' in {node.FullPath}",
        _ => $"node {node.FullPath}",
    };

    private static Dictionary<string, LNode> BuildLabelIndex(List<LNode> nodes)
    {
        var index = new Dictionary<string, LNode>(StringComparer.Ordinal);
        foreach (var n in nodes)
            foreach (var l in n.LabelSpan)
                if (!l.Deleted) index.TryAdd(l.Name, n);
        return index;
    }

    /// <summary>get_node_by_ref with the label index; labels deleted since the index was built are not found.</summary>
    private LNode? Find(string reference)
    {
        if (reference == "/") return _root;
        if (reference.StartsWith('/')) return References.ByPath(_root, reference);
        var slash = reference.IndexOf('/');
        var label = slash < 0 ? reference : reference[..slash];
        if (!_labels!.TryGetValue(label, out var node) || !LabelList.HasLive(node.LabelSpan, label)) return null;
        return slash < 0 ? node : References.ByPath(node, reference.AsSpan(slash + 1));
    }

    private bool PhandleInUse(uint p) => _phandles.TryGetValue(p, out var n) && n.Phandle == p && n.IsLive;

    private static bool IsValidPhandle(uint p) => p != 0 && p != 0xffffffff;

    // check_explicit_phandles
    private void ExplicitPhandles(List<LNode> nodes)
    {
        foreach (var n in nodes)
        {
            var phandle = PhandleProp(n, "phandle");
            var linux = PhandleProp(n, "linux,phandle");
            if (phandle == 0 && linux == 0) continue;
            if (linux != 0 && phandle != 0 && phandle != linux)
                throw new DtException(Where(n), $"mismatching 'phandle' (0x{phandle:x}) and 'linux,phandle' (0x{linux:x}) in {n.FullPath}");
            if (phandle == 0) phandle = linux;
            if (PhandleInUse(phandle) && _phandles[phandle] != n)
                throw new DtException(Where(n), $"duplicated phandle 0x{phandle:x} in {n.FullPath} (seen before at {_phandles[phandle].FullPath})");
            n.Phandle = phandle;
            _phandles[phandle] = n;
        }
    }

    private uint PhandleProp(LNode n, string name)
    {
        var p = n.GetProp(name);
        if (p is null) return 0;
        if (p.Value.Length != 4)
            throw new DtException(Where(p, n), $"bad length ({p.Value.Length}) '{name}' property in {n.FullPath} (must be one cell)");
        if (p.Value.Markers is not null)
        {
            foreach (var m in p.Value.Markers)
            {
                if (m.Kind != LMarkerKind.RefPhandle) continue;
                // <&self> asks for a fresh phandle; pointing at another node is nonsensical.
                if (References.Find(_root, m.Text!) != n)
                    throw new DtException(m.Span ?? Where(p, n), $"'{name}' of {n.FullPath} is a reference to another node");
                return 0;
            }
        }
        var v = BinaryPrimitives.ReadUInt32BigEndian(p.Value.Bytes);
        if (!IsValidPhandle(v))
            throw new DtException(Where(p, n), $"bad value (0x{v:x}) in '{name}' property of {n.FullPath}");
        return v;
    }

    // get_node_phandle: the next free number from a counter that never goes back.
    private uint GetPhandle(LNode n)
    {
        if (IsValidPhandle(n.Phandle)) return n.Phandle;
        while (PhandleInUse(_nextPhandle)) _nextPhandle++;
        var p = _nextPhandle;
        n.Phandle = p;
        _phandles[p] = n;
        if ((_options.PhandleFormat & PhandleFormat.Legacy) != 0 && n.GetProp("linux,phandle") is null)
            n.Props.Add(CellProp("linux,phandle", p));
        if ((_options.PhandleFormat & PhandleFormat.Epapr) != 0 && n.GetProp("phandle") is null)
            n.Props.Add(CellProp("phandle", p));
        return p;
    }

    private static LProp CellProp(string name, uint value)
    {
        var d = new LData(4);
        d.AddMarker(new LMarker(LMarkerKind.TypeUint32, 0, null, null, 0, 0));
        d.AppendInteger(value, 32);
        return new LProp(name, d, null);
    }

    private void FixPhandleReferences(List<LNode> nodes)
    {
        foreach (var n in nodes)
        {
            // Indexed: allocating a phandle may append a property to this very node.
            for (var pi = 0; pi < n.Props.Count; pi++)
            {
                var p = n.Props[pi];
                if (p.Deleted || p.Value.Markers is null) continue;
                foreach (var m in p.Value.Markers)
                {
                    if (m.Kind != LMarkerKind.RefPhandle) continue;
                    var target = Find(m.Text!);
                    if (target is null)
                    {
                        if (!_plugin) throw Unresolved(m, p, n);
                        BinaryPrimitives.WriteUInt32BigEndian(p.Value.Bytes[m.Offset..], 0xffffffff);
                        continue;
                    }
                    BinaryPrimitives.WriteUInt32BigEndian(p.Value.Bytes[m.Offset..], GetPhandle(target));
                    target.IsReferenced = true;
                }
            }
        }
    }

    private DtException Unresolved(LMarker m, LProp p, LNode n)
    {
        var shown = m.Text!.StartsWith('/') || m.Text.Contains('/') ? $"&{{{m.Text}}}" : $"&{m.Text}";
        return new DtException(m.Span ?? Where(p, n),
            $"reference to non-existent node or label {shown} in property '{p.Name}' of {n.FullPath}{References.Suggest(_root, m.Text)}");
    }

    private void FixPathReferences(List<LNode> nodes)
    {
        foreach (var n in nodes)
        {
            foreach (var p in n.Props)
            {
                if (p.Deleted || p.Value.Markers is null) continue;
                for (var i = 0; i < p.Value.Markers.Count; i++)
                {
                    var m = p.Value.Markers[i];
                    if (m.Kind != LMarkerKind.RefPath) continue;
                    var target = Find(m.Text!) ?? throw Unresolved(m, p, n);
                    var path = target.FullPath;
                    var bytes = new byte[path.Length + 1];
                    for (var k = 0; k < path.Length; k++) bytes[k] = (byte)path[k];
                    p.Value.InsertAt(m, bytes);
                    target.IsReferenced = true;
                }
                if (p.Value.Length > _options.MaxPropertySize)
                    throw new DtException(Where(p, n), $"property '{p.Name}' grew to {p.Value.Length} bytes, more than the {_options.MaxPropertySize}-byte 'property-size' limit") { Limit = "property-size" };
            }
        }
    }

    private void OmitUnused(LNode root)
    {
        foreach (var n in Walk(root))
        {
            // dtc keeps labelled nodes under -@ (their label may be the target of an overlay).
            if (_options.Symbols && n.LabelSpan.Length > 0) continue;
            if (n.OmitIfUnused && !n.IsReferenced && !n.Deleted) n.Delete();
        }
    }

    private static bool AnyLabel(LNode n)
    {
        if (n.LabelSpan.Length > 0) return true;
        foreach (var c in n.Children)
            if (!c.Deleted && AnyLabel(c)) return true;
        return false;
    }

    private static LNode Subnode(LNode parent, string name)
    {
        var n = parent.GetChild(name);
        if (n is not null) return n;
        n = new LNode(null) { Name = name };
        parent.AddChild(n);
        return n;
    }

    // dtc's generate_label_tree: one property per live label holding the node's path (-@ into /__symbols__,
    // -A into /aliases).
    private void GenerateLabelTree(string name, bool allocatePhandles)
    {
        if (!AnyLabel(_root)) return;
        var symbols = Subnode(_root, name);
        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in symbols.Props)
            if (!p.Deleted) present.Add(p.Name);
        foreach (var n in Walk(_root))
        {
            if (n.LabelSpan.Length == 0) continue;
            foreach (var l in n.LabelSpan)
            {
                if (l.Deleted) continue;
                if (!present.Add(l.Name))
                {
                    _warn?.Invoke(Where(n) ?? new SourceSpan("<dts>", 0, 0), $"label {l.Name} already exists in /{name}");
                    continue;
                }
                var d = new LData(n.FullPath.Length + 1);
                d.AddMarker(new LMarker(LMarkerKind.TypeString, 0, null, null, 0, 0));
                AppendString(d, n.FullPath);
                symbols.Props.Add(new LProp(l.Name, d, null));
            }
            if (allocatePhandles) GetPhandle(n);
        }
    }

    private static void AppendString(LData d, string s)
    {
        var b = d.Grow(s.Length + 1);
        for (var i = 0; i < s.Length; i++) b[i] = (byte)s[i];
        b[s.Length] = 0;
    }

    private static void Append(LNode node, string name, LMarkerKind kind, ReadOnlySpan<byte> data)
    {
        var p = node.GetProp(name);
        if (p is null)
        {
            p = new LProp(name, new LData(data.Length), null);
            node.Props.Add(p);
        }
        p.Value.AddMarker(new LMarker(kind, p.Value.Length, name, null, 0, 0));
        p.Value.Append(data);
    }

    private IEnumerable<(LNode Node, LProp Prop, LMarker Marker)> PhandleRefs()
    {
        foreach (var n in Walk(_root))
        {
            foreach (var p in n.Props)
            {
                if (p.Deleted || p.Value.Markers is null) continue;
                foreach (var m in p.Value.Markers)
                    if (m.Kind == LMarkerKind.RefPhandle) yield return (n, p, m);
            }
        }
    }

    private void GenerateFixups()
    {
        if (!PhandleRefs().Any(r => Find(r.Marker.Text!) is null)) return;
        var fixups = Subnode(_root, "__fixups__");
        foreach (var (n, p, m) in PhandleRefs().ToList())
        {
            if (Find(m.Text!) is not null) continue;
            if (m.Text!.Contains('/'))
                throw new DtException(m.Span ?? Where(p, n), $"can't generate a fixup for a reference to path &{{{m.Text}}} (overlays can only refer to labels)");
            if (n.FullPath.Contains(':') || p.Name.Contains(':'))
                throw new DtException(Where(p, n), $"fixup entry for {n.FullPath}:{p.Name} would contain ':' in a node path or property name");
            var entry = $"{n.FullPath}:{p.Name}:{m.Offset}";
            var bytes = new byte[entry.Length + 1];
            for (var i = 0; i < entry.Length; i++) bytes[i] = (byte)entry[i];
            Append(fixups, m.Text, LMarkerKind.TypeString, bytes);
        }
    }

    private void GenerateLocalFixups()
    {
        if (!PhandleRefs().Any(r => Find(r.Marker.Text!) is not null)) return;
        var local = Subnode(_root, "__local_fixups__");
        var chain = new List<LNode>();
        Span<byte> cell = stackalloc byte[4];
        foreach (var (n, p, m) in PhandleRefs().ToList())
        {
            if (Find(m.Text!) is null) continue;
            chain.Clear();
            for (var w = n; w.Parent is not null; w = w.Parent) chain.Add(w);
            var at = local;
            for (var i = chain.Count - 1; i >= 0; i--) at = Subnode(at, chain[i].Name);
            BinaryPrimitives.WriteUInt32BigEndian(cell, (uint)m.Offset);
            Append(at, p.Name, LMarkerKind.TypeUint32, cell);
        }
    }
}
