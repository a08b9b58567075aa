namespace Dtmem.Layout.Inputs;

/// <summary>
/// A number (or other value) the model depends on, with where it came from. Stand-in until Dtmem.Kernel's
/// Fact lands (same shape: Value, Origin, IsAssumed, Known, Assumed); device-tree locations travel beside facts in LayoutInput.
/// </summary>
/// <param name="Value">The value.</param>
/// <param name="Origin">Where it came from, for people: "--load-addr option", "Image header", "default of Linux 5.4".</param>
/// <param name="IsAssumed">True for defaults and guesses; a finding that rests on one is softened and names it.</param>
public sealed record Fact<T>(T Value, string Origin, bool IsAssumed = false)
{
    public static Fact<T> Known(T value, string origin) => new(value, origin);

    public static Fact<T> Assumed(T value, string origin) => new(value, origin, true);

    public override string ToString() => $"{Value} ({(IsAssumed ? "assumed: " : "")}{Origin})";
}
