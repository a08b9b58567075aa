namespace Dtmem.DeviceTree.Model;

/// <summary>A node of the tree. Children and properties keep source order, as dtc does.</summary>
public sealed class DtNode
{
    public DtNode(string name, SourceSpan? span = null)
    {
        Name = name;
        if (span is not null) Spans.Add(span);
    }

    /// <summary>Full name with unit address (<c>memory@40000000</c>); empty for the root.</summary>
    public string Name { get; set; }

    public DtNode? Parent { get; set; }

    public List<DtNode> Children { get; } = [];

    public List<DtProperty> Properties { get; } = [];

    public List<string> Labels { get; } = [];

    /// <summary>Where it was opened, then each place it was extended (<c>&amp;label { }</c> or a repeated path).</summary>
    public List<SourceSpan> Spans { get; } = [];

    /// <summary>The phandle assigned to this node, 0 when none.</summary>
    public uint Phandle { get; set; }

    /// <summary>Marked with <c>/omit-if-no-ref/</c>.</summary>
    public bool OmitIfNoRef { get; set; }

    /// <summary>Referenced by a phandle or path from elsewhere (for <c>/omit-if-no-ref/</c>).</summary>
    public bool IsReferenced { get; set; }

    public SourceSpan? Span => Spans.Count == 0 ? null : Spans[0];

    /// <summary>Name without the unit address.</summary>
    public string BaseName => Name.IndexOf('@') is var i and >= 0 ? Name[..i] : Name;

    /// <summary>Unit address text after '@', or null.</summary>
    public string? UnitAddress => Name.IndexOf('@') is var i and >= 0 ? Name[(i + 1)..] : null;

    public string Path => Parent is null ? "/" : Parent.Parent is null ? "/" + Name : Parent.Path + "/" + Name;

    public DtProperty? Property(string name)
    {
        foreach (var p in Properties)
            if (p.Name == name) return p;
        return null;
    }

    public DtNode? Child(string name)
    {
        foreach (var c in Children)
            if (c.Name == name) return c;
        return null;
    }

    public void AddChild(DtNode child)
    {
        child.Parent = this;
        Children.Add(child);
    }

    /// <summary>This node and every descendant, depth first, in source order.</summary>
    public IEnumerable<DtNode> DescendantsAndSelf()
    {
        var stack = new Stack<DtNode>();
        stack.Push(this);
        while (stack.Count > 0)
        {
            var n = stack.Pop();
            yield return n;
            for (var i = n.Children.Count - 1; i >= 0; i--) stack.Push(n.Children[i]);
        }
    }

    public override string ToString() => Path;
}
