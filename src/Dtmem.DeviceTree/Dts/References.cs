namespace Dtmem.DeviceTree.Dts;

/// <summary>dtc's reference lookups (livetree.c get_node_by_ref / _by_label / _by_path), over live nodes only.</summary>
internal static class References
{
    /// <summary>
    /// Resolves a reference: <c>/</c>, an absolute path, a label, or (dtc 1.7+) <c>label/sub/path</c>.
    /// </summary>
    public static LNode? Find(LNode root, string reference)
    {
        if (reference == "/") return root;
        if (reference.StartsWith('/')) return ByPath(root, reference);
        var slash = reference.IndexOf('/');
        if (slash < 0) return ByLabel(root, reference);
        var target = ByLabel(root, reference[..slash]);
        return target is null ? null : ByPath(target, reference.AsSpan(slash + 1));
    }

    /// <summary>
    /// Label lookups while the tree is still being built. The index is a cache of dtc's depth-first search: an
    /// entry is used only while its label is still live on that node, and a miss rebuilds it (labels are added
    /// by merges and revived after deletes).
    /// </summary>
    public sealed class LabelCache
    {
        private Dictionary<string, LNode>? _map;

        public LNode? Find(LNode root, string reference)
        {
            if (reference == "/") return root;
            if (reference.StartsWith('/')) return ByPath(root, reference);
            var slash = reference.IndexOf('/');
            var label = slash < 0 ? reference : reference[..slash];
            var node = Lookup(root, label);
            if (node is null) return null;
            return slash < 0 ? node : ByPath(node, reference.AsSpan(slash + 1));
        }

        private LNode? Lookup(LNode root, string label)
        {
            if (_map is not null && _map.TryGetValue(label, out var hit) && LabelList.HasLive(hit.LabelSpan, label) && hit.IsLive)
                return hit;
            _map = new Dictionary<string, LNode>(StringComparer.Ordinal);
            Index(root, _map);
            return _map.TryGetValue(label, out hit) ? hit : null;
        }

        private static void Index(LNode n, Dictionary<string, LNode> map)
        {
            foreach (var l in n.LabelSpan)
                if (!l.Deleted) map.TryAdd(l.Name, n);
            foreach (var c in n.Children)
                if (!c.Deleted) Index(c, map);
        }
    }

    public static LNode? ByLabel(LNode node, string label)
    {
        if (LabelList.HasLive(node.LabelSpan, label)) return node;
        foreach (var c in node.Children)
        {
            if (c.Deleted) continue;
            var found = ByLabel(c, label);
            if (found is not null) return found;
        }
        return null;
    }

    /// <summary>Exact component names, as dtc matches them (no unit-address-less shortcut).</summary>
    public static LNode? ByPath(LNode node, ReadOnlySpan<char> path)
    {
        while (true)
        {
            if (path.IsEmpty) return node.Deleted ? null : node;
            while (!path.IsEmpty && path[0] == '/') path = path[1..];
            var slash = path.IndexOf('/');
            var part = slash < 0 ? path : path[..slash];
            LNode? next = null;
            foreach (var c in node.Children)
            {
                if (c.Deleted || !part.SequenceEqual(c.Name)) continue;
                next = c;
                break;
            }
            if (next is null) return null;
            if (slash < 0) return next;
            node = next;
            path = path[(slash + 1)..];
        }
    }

    /// <summary>"; did you mean &amp;x?" for the closest live label (or path), or empty.</summary>
    public static string Suggest(LNode root, string reference)
    {
        var labelPart = reference;
        var slash = reference.IndexOf('/');
        if (reference.StartsWith('/'))
        {
            var parentPath = reference[..reference.LastIndexOf('/')];
            var parent = parentPath.Length == 0 ? root : ByPath(root, parentPath);
            if (parent is null) return "";
            var sibling = new NearestName(reference[(reference.LastIndexOf('/') + 1)..]);
            foreach (var c in parent.Children)
                if (!c.Deleted) sibling.Offer(c.Name);
            return sibling.Result is { } name ? $"; did you mean &{{{parentPath}/{name}}}?" : "";
        }
        if (slash >= 0)
        {
            labelPart = reference[..slash];
            if (ByLabel(root, labelPart) is not null) return $"; label '{labelPart}' exists but has no node at '{reference[(slash + 1)..]}'";
        }
        var label = new NearestName(labelPart);
        foreach (var n in Live(root))
            foreach (var l in n.LabelSpan)
                if (!l.Deleted) label.Offer(l.Name);
        return label.Result is { } best ? $"; did you mean &{best}?" : "";
    }

    private static IEnumerable<LNode> Live(LNode root)
    {
        var stack = new Stack<LNode>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            var n = stack.Pop();
            yield return n;
            foreach (var c in n.Children)
                if (!c.Deleted) stack.Push(c);
        }
    }

    /// <summary>
    /// The defined name nearest to a misspelt one, for "did you mean" (labels, sibling nodes, overlay symbols): edit
    /// distance blind to case (<c>&amp;UART0</c> is a typo of <c>uart0</c>), ties to the ordinally first, and only
    /// within a third of the query's length (at least 2).
    /// </summary>
    internal sealed class NearestName(string query)
    {
        private int _distance = int.MaxValue;
        private string? _name;

        public void Offer(string name)
        {
            var d = Distance(query, name, Bound);
            if (d < _distance || (d == _distance && string.CompareOrdinal(name, _name) < 0)) (_distance, _name) = (d, name);
        }

        public string? Result => _distance <= Bound ? _name : null;

        private int Bound => Math.Max(2, query.Length / 3);
    }

    /// <summary>Longest name a suggestion is searched for: beyond it the quadratic distance is not worth paying.</summary>
    private const int MaxSuggestLength = 256;

    /// <summary>Levenshtein distance blind to case, or <c>int.MaxValue</c> when the lengths alone put it over
    /// <paramref name="bound"/> or a name is too long to compare cheaply.</summary>
    private static int Distance(string a, string b, int bound)
    {
        if (a.Length > MaxSuggestLength || b.Length > MaxSuggestLength || Math.Abs(a.Length - b.Length) > bound)
            return int.MaxValue;
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) prev[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1;
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            (prev, cur) = (cur, prev);
        }
        return prev[b.Length];
    }
}
