using System.Net;

namespace DualStack.Cli;

/// <summary>Checks of the arguments that <c>connect</c> and <c>check</c> share; a bad value is bad usage (exit 2).</summary>
internal static class CommandArguments
{
    /// <exception cref="ArgumentException">The port is outside 0-65535.</exception>
    public static int Port(int port) =>
        port is >= 0 and <= IPEndPoint.MaxPort ? port : throw new ArgumentException($"port '{port}' is out of range 0-65535");

    /// <summary>A <c>--timeout</c> in seconds: more than 0, at most a day.</summary>
    /// <exception cref="ArgumentException">The value is out of that range.</exception>
    public static TimeSpan Seconds(double value) =>
        value > 0 && value <= 86_400 ? TimeSpan.FromSeconds(value) : throw new ArgumentException($"--timeout {value}: must be more than 0 and at most 86400 seconds");
}
