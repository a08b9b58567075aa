namespace Dtmem.DeviceTree.Model;

/// <summary>A property: a name and its raw big-endian value bytes, as the FDT stores them.</summary>
public sealed class DtProperty
{
    public DtProperty(string name, byte[] value, SourceSpan? span = null)
    {
        Name = name;
        Value = value;
        if (span is not null) Spans.Add(span);
    }

    public string Name { get; set; }

    public byte[] Value { get; set; }

    /// <summary>Labels attached to the property (<c>lbl: prop = ...</c>).</summary>
    public List<string> Labels { get; } = [];

    /// <summary>Where it was defined, then each place that overrode it, in source order.</summary>
    public List<SourceSpan> Spans { get; } = [];

    /// <summary>Markers inside the value (labels, references, element-size hints), sorted by offset.</summary>
    public List<ValueMarker> Markers { get; } = [];

    /// <summary>The most recent definition site (what a finding should point at).</summary>
    public SourceSpan? Span => Spans.Count == 0 ? null : Spans[^1];

    public override string ToString() => $"{Name} ({Value.Length} bytes)";
}

public enum MarkerKind
{
    /// <summary>A label inside a value (<c>&lt;a: 1&gt;</c>); <see cref="ValueMarker.Text"/> is its name.</summary>
    Label,
    /// <summary>A 4-byte phandle cell to be filled from <see cref="ValueMarker.Text"/> (a label or a path).</summary>
    PhandleRef,
    /// <summary>A path string inserted from a reference (<c>prop = &amp;node;</c>).</summary>
    PathRef,
    /// <summary>Start of a cell list with the given element size in bits (<c>/bits/</c>): 8, 16, 32 or 64.</summary>
    TypeCells,
    /// <summary>Start of a string.</summary>
    TypeString,
    /// <summary>Start of a byte string <c>[..]</c>.</summary>
    TypeBytes,
}

/// <summary>A position-tagged annotation inside a property value, as dtc keeps them.</summary>
public sealed record ValueMarker(MarkerKind Kind, int Offset, string? Text = null, int Bits = 0, SourceSpan? Span = null);
