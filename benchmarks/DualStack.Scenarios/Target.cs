using System.Globalization;

namespace DualStack.Scenarios;

/// <summary>What a scenario's DualStack median should be at most (from the issue), or no target.</summary>
/// <param name="Describe">The target in words, given the limit it works out to (or <see langword="null"/> for none).</param>
/// <param name="Limit">
/// The limit in milliseconds, given plain .NET's median in the same scenario and DualStack's healthy median (if measured);
/// <see langword="null"/> when there is no target or what it depends on was not measured.
/// </param>
internal sealed record Target(Func<double?, string> Describe, Func<double, double?, double?> Limit)
{
    public static Target None { get; } = new(_ => "—", (_, _) => null);

    /// <summary>At most <paramref name="factor"/> times plain .NET's median in the same scenario.</summary>
    public static Target TimesPlain(double factor) =>
        new(limit => Invariant($"≤ {factor:0.00}× plain ({limit:0.00} ms)"), (plain, _) => factor * plain);

    /// <summary>At most a fixed number of milliseconds, explained by <paramref name="why"/>.</summary>
    public static Target AtMost(double ms, string why) =>
        new(_ => Invariant($"≤ {ms:0} ms ({why})"), (_, _) => ms);

    /// <summary>At most DualStack's healthy median plus <paramref name="ms"/>.</summary>
    public static Target HealthyPlus(double ms) =>
        new(limit => Invariant($"≤ healthy + {ms:0} ms ({limit:0.00} ms)"), (_, healthy) => healthy + ms);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
