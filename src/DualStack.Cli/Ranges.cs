using System.Globalization;
using System.Net;

namespace DualStack.Cli;

/// <summary>
/// Every range check of the command line, with the library's wording: <c>--timeout '0' is out of range (more than 0,
/// at most 86400 seconds)</c>, <c>port '70000' is out of range (0-65535)</c>. A value out of range is bad input (exit 2).
/// </summary>
internal static class Ranges
{
    /// <summary>The longest <c>--timeout</c>: a day.</summary>
    public const double MaxSeconds = 86_400;

    /// <summary>A port to connect or listen to, 0-65535 (0: any), or with <paramref name="min"/> 1 a port to send to.</summary>
    public static int Port(int port, int min = 0) => Int("port", port, min, IPEndPoint.MaxPort);

    /// <summary>A whole number from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public static int Int(string name, int value, int min, int max) =>
        value >= min && value <= max ? value : throw Out(name, value.ToString(CultureInfo.InvariantCulture), $"{min}-{max}");

    /// <summary>Seconds, more than 0 and at most a day.</summary>
    public static TimeSpan Seconds(string option, double value) =>
        value > 0 && value <= MaxSeconds
            ? TimeSpan.FromSeconds(value)
            : throw Out(option, value.ToString(CultureInfo.InvariantCulture), $"more than 0, at most {MaxSeconds} seconds");

    /// <summary>Milliseconds from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public static TimeSpan Milliseconds(string option, int value, TimeSpan min, TimeSpan max) =>
        TimeSpan.FromMilliseconds(Int(option, value, Ms(min), Ms(max)));

    /// <summary>Whole milliseconds of <paramref name="value"/>, for messages and help.</summary>
    public static int Ms(TimeSpan value) => (int)value.TotalMilliseconds;

    private static ArgumentException Out(string name, string value, string range) => new($"{name} '{value}' is out of range ({range})");
}
