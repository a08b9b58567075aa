namespace Dtmem.DeviceTree.Dts;

/// <summary>Interns names read from token spans, so a name used a thousand times is one string.</summary>
internal sealed class NameTable
{
    private readonly Dictionary<string, string> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public NameTable() => _lookup = _names.GetAlternateLookup<ReadOnlySpan<char>>();

    public string Get(ReadOnlySpan<char> s)
    {
        if (_lookup.TryGetValue(s, out var name)) return name;
        name = s.ToString();
        _names.Add(name, name);
        return name;
    }
}
