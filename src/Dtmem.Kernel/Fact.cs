namespace Dtmem.Kernel;

/// <summary>
/// A value the model depends on, with where it came from ("Image header @0x10", "--load-addr",
/// "System.map line 12", "default for Linux 5.4 (family A)"), so a finding can name the origin of every number.
/// </summary>
/// <param name="Value">The value.</param>
/// <param name="Origin">Where it came from, written for people.</param>
/// <param name="IsAssumed">True for defaults and guesses; a finding resting on one should say so.</param>
public sealed record Fact<T>(T Value, string Origin, bool IsAssumed = false)
{
    public static Fact<T> Known(T value, string origin) => new(value, origin);

    public static Fact<T> Assumed(T value, string origin) => new(value, origin, true);

    /// <summary>The same origin and certainty with a derived value.</summary>
    public Fact<TOut> Map<TOut>(Func<T, TOut> map) => new(map(Value), Origin, IsAssumed);

    public override string ToString() => $"{Value} ({(IsAssumed ? "assumed: " : "")}{Origin})";
}
