using System.Net;

namespace DualStack;

// <summary>Argument checks that every endpoint's constructor and options share.</summary>
internal static class EndpointArguments
{
    public static void ThrowIfInvalidPort(int port, string paramName)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(port, paramName);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, IPEndPoint.MaxPort, paramName);
    }

    // <summary>A timeout is positive, or <see cref="Timeout.InfiniteTimeSpan"/>.</summary>
    public static TimeSpan CheckTimeout(TimeSpan value, string paramName)
    {
        if (value != Timeout.InfiniteTimeSpan)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero, paramName);
        }

        return value;
    }

    // <summary>
    // A host given as a literal (in brackets or not) or a name: the literal, if it is one, and the host's canonical text.
    // Text with a colon or in brackets can only be an IPv6 literal, so its error is the literal's (a bad zone, say),
    // not that a name cannot hold a colon.
    // </summary>
    public static string ParseHost(string host, out IPAddress? literal)
    {
        ArgumentNullException.ThrowIfNull(host);
        string bare = host is ['[', .., ']'] ? host[1..^1] : host;
        if (IPLiteral.TryParseAddress(bare, out literal))
        {
            return IPLiteral.FormatAddress(literal);
        }

        if (bare != host || host.Contains(':', StringComparison.Ordinal))
        {
            literal = IPLiteral.ParseAddress(bare);
            return IPLiteral.FormatAddress(literal);
        }

        return HostName.ToAscii(host);
    }
}
