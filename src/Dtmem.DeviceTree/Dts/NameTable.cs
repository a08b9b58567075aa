namespace Dtmem.DeviceTree.Dts;

/// <summary>Interns names read from token spans, so a name used a thousand times is one string.</summary>
internal sealed class NameTable
{
    private readonly Dictionary<string, string> _names = new(NameComparer.Instance);
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public NameTable() => _lookup = _names.GetAlternateLookup<ReadOnlySpan<char>>();

    public string Get(ReadOnlySpan<char> s)
    {
        if (_lookup.TryGetValue(s, out var name)) return name;
        name = s.ToString();
        _names.Add(name, name);
        return name;
    }

    /// <summary>
    /// Ordinal equality with a plain FNV-1a hash: names are short, and one table lives for one compilation,
    /// so the randomised default hash buys nothing here and costs on every token.
    /// </summary>
    private sealed class NameComparer : IEqualityComparer<string>, IAlternateEqualityComparer<ReadOnlySpan<char>, string>
    {
        public static readonly NameComparer Instance = new();

        public bool Equals(string? x, string? y) => string.Equals(x, y, StringComparison.Ordinal);

        public int GetHashCode(string obj) => Hash(obj);

        public bool Equals(ReadOnlySpan<char> alternate, string other) => alternate.SequenceEqual(other);

        public int GetHashCode(ReadOnlySpan<char> alternate) => Hash(alternate);

        public string Create(ReadOnlySpan<char> alternate) => alternate.ToString();

        private static int Hash(ReadOnlySpan<char> s)
        {
            var h = 2166136261u;
            foreach (var c in s) h = (h ^ c) * 16777619u;
            return (int)h;
        }
    }
}
