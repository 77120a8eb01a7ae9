namespace DualStack.Scenarios;

// The goals for the cold path, per scenario key. The native CLI's elapsed_ms goals sit a few milliseconds above the
// Happy Eyeballs delays that bound them (attempt delay 250 ms, resolution delay 50 ms; none in the healthy and refused
// cases); the whole-process goal is for the native CLI's healthy connect; the library's goal compares a program's
// first connect by name (or to a literal) with plain .NET's first connect.

/// <summary>What the cold-start benchmark's figures should be at most, per scenario.</summary>
internal static class ColdGoals
{
    /// <summary>The largest native CLI median <c>elapsed_ms</c>, or <see langword="null"/> for none.</summary>
    public static double? NativeElapsedMs(string key) => key switch
    {
        ScenarioLab.HealthyKey => 5,
        "v6-refused" => 10,
        "aaaa-late" => 60,
        "v6-blackholed" => 260,
        "five-dead" => 262,
        _ => null,
    };

    /// <summary>
    /// The largest native CLI median whole-process time, less the median of <c>ip netns exec CLIENT true</c>, or
    /// <see langword="null"/> for none.
    /// </summary>
    public static double? NativeProcessMs(string key) => key == ScenarioLab.HealthyKey ? 40 : null;

    /// <summary>
    /// The largest ratio of the library's median time from Main to connected to plain .NET's, both in a fresh process,
    /// or <see langword="null"/> for none.
    /// </summary>
    public static double? LibraryTimesPlain(string key) => key is ScenarioLab.HealthyKey or ScenarioLab.LiteralIPv6Key or ScenarioLab.LiteralIPv4Key ? 1.5 : null;
}
