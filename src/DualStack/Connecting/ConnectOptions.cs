using System.Net.Sockets;

namespace DualStack;

/// <summary>
/// How a connect by name goes through the name's addresses: the Happy Eyeballs settings (RFC 8305), each checked as it
/// is set, so that an instance never holds a value out of range.
/// </summary>
/// <remarks>
/// <para>
/// This record is the one place that knows the defaults and the ranges. A <see cref="HostnameEndpoint"/> holds one (its
/// <see cref="HostnameEndpoint.Options"/>; its properties of the same names read and write it); the options of
/// <c>services.AddDualStack</c> hold one; descriptions (<c>tcp://example.com:443?attemptDelay=0.1</c>) and the
/// command line write only the settings that differ from <see cref="Default"/>.
/// </para>
/// <example>
/// <code>
/// var options = ConnectOptions.Default with { AttemptDelay = TimeSpan.FromMilliseconds(100), PreferredFamily = AddressFamily.InterNetwork };
/// var endpoint = new HostnameEndpoint("example.com", 443) { Options = options };
/// </code>
/// </example>
/// </remarks>
public sealed record ConnectOptions
{
    private readonly TimeSpan _attemptDelay = TimeSpan.FromMilliseconds(250);
    private readonly TimeSpan _resolutionDelay = TimeSpan.FromMilliseconds(50);
    private readonly TimeSpan _connectTimeout = TimeSpan.FromSeconds(30);
    private readonly int _firstAddressFamilyCount = 1;
    private readonly int _maxConcurrentAttempts = int.MaxValue;
    private readonly AddressFamily _family = AddressFamily.Unspecified;
    private readonly AddressFamily _preferredFamily = AddressFamily.InterNetworkV6;
    private readonly ConnectPolicy _policy;

    /// <summary>The defaults: Happy Eyeballs with 250 ms between attempts, a 50 ms resolution delay, IPv6 first, 30 s in all.</summary>
    public static ConnectOptions Default { get; } = new();

    /// <summary>The smallest <see cref="AttemptDelay"/>: 10 ms (RFC 8305 section 5).</summary>
    public static TimeSpan MinAttemptDelay { get; } = TimeSpan.FromMilliseconds(10);

    /// <summary>The largest <see cref="AttemptDelay"/> and <see cref="ResolutionDelay"/>: 2 s (RFC 8305 section 5).</summary>
    public static TimeSpan MaxDelay { get; } = TimeSpan.FromSeconds(2);

    /// <summary>How the addresses are gone through.</summary>
    /// <remarks>Defaults to <see cref="ConnectPolicy.HappyEyeballs"/>. <see cref="ConnectPolicy.Sequential"/> ignores <see cref="AttemptDelay"/> and <see cref="MaxConcurrentAttempts"/>.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined policy.</exception>
    public ConnectPolicy Policy
    {
        get => _policy;
        init => _policy = Enum.IsDefined(value) ? value : throw new ArgumentOutOfRangeException(nameof(Policy), value, "the policy must be HappyEyeballs or Sequential");
    }

    /// <summary>How long to wait for an attempt before starting the next one alongside it.</summary>
    /// <remarks>Defaults to 250 ms (RFC 8305 section 8); from 10 ms to 2 s (section 5).</remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside 10 ms - 2 s (for attempts one at a time, use <see cref="ConnectPolicy.Sequential"/>).</exception>
    public TimeSpan AttemptDelay
    {
        get => _attemptDelay;
        init => _attemptDelay = value == Timeout.InfiniteTimeSpan
            ? throw new ArgumentOutOfRangeException(nameof(AttemptDelay), "use ConnectPolicy.Sequential for attempts without overlap")
            : CheckAttemptDelay(value, nameof(AttemptDelay));
    }

    /// <summary>How long to wait for the preferred family's answer when the other family answered first.</summary>
    /// <remarks>Defaults to 50 ms (RFC 8305 section 8); zero starts with whatever answers first; at most 2 s.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or more than 2 s.</exception>
    public TimeSpan ResolutionDelay
    {
        get => _resolutionDelay;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero, nameof(ResolutionDelay));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, MaxDelay, nameof(ResolutionDelay));
            _resolutionDelay = value;
        }
    }

    /// <summary>How many addresses of the preferred family are tried before the families alternate (RFC 8305 section 4).</summary>
    /// <remarks>Defaults to 1.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int FirstAddressFamilyCount
    {
        get => _firstAddressFamilyCount;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, nameof(FirstAddressFamilyCount));
            _firstAddressFamilyCount = value;
        }
    }

    /// <summary>How many attempts may be in flight at once.</summary>
    /// <remarks>Defaults to <see cref="int.MaxValue"/> (no cap). With a cap, the next attempt waits for the delay and for a free slot.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int MaxConcurrentAttempts
    {
        get => _maxConcurrentAttempts;
        init => _maxConcurrentAttempts = CheckMaxConcurrentAttempts(value, nameof(MaxConcurrentAttempts));
    }

    /// <summary>Restricts the connect to one family; <see cref="AddressFamily.Unspecified"/> allows both.</summary>
    /// <remarks>Defaults to <see cref="AddressFamily.Unspecified"/>. Only the restricted family is resolved.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is not IPv4, IPv6 or unspecified.</exception>
    public AddressFamily Family
    {
        get => _family;
        init => _family = CheckFamily(value, allowUnspecified: true, nameof(Family));
    }

    /// <summary>The family tried first, unless the endpoint's history remembers that the other one won.</summary>
    /// <remarks>Defaults to <see cref="AddressFamily.InterNetworkV6"/>, as RFC 6724's default policy prefers.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is not IPv4 or IPv6.</exception>
    public AddressFamily PreferredFamily
    {
        get => _preferredFamily;
        init => _preferredFamily = CheckFamily(value, allowUnspecified: false, nameof(PreferredFamily));
    }

    /// <summary>How long the whole connect (resolution and every attempt) may take.</summary>
    /// <remarks>Defaults to 30 s. <see cref="Timeout.InfiniteTimeSpan"/> leaves each attempt to the OS's own timeout.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative (other than infinite).</exception>
    public TimeSpan ConnectTimeout
    {
        get => _connectTimeout;
        init => _connectTimeout = EndpointArguments.CheckTimeout(value, nameof(ConnectTimeout));
    }

    /// <summary>
    /// Whether an IPv4 address this host has no IPv4 route to (on an IPv6-only network) is reached through the network's
    /// NAT64 translator: an IPv6 address is synthesised from the NAT64 prefix that the resolver's answer for
    /// <c>ipv4only.arpa</c> tells (see <see cref="Nat64"/>), and tried in its place.
    /// </summary>
    /// <remarks>
    /// Defaults to <see langword="true"/>. Applies to IPv4 literals and to names' IPv4 addresses, unless the connect is
    /// restricted to one family (<see cref="Family"/>, or a bind address). Where IPv4 works, nothing changes and nothing
    /// is asked. With <see langword="false"/>, an IPv4 address without a route fails its attempt at once.
    /// </remarks>
    public bool SynthesizeNat64 { get; init; } = true;

    // <summary>An attempt delay lies within RFC 8305's bounds (10 ms - 2 s), or is infinite (no stagger).</summary>
    internal static TimeSpan CheckAttemptDelay(TimeSpan value, string paramName)
    {
        if (value != Timeout.InfiniteTimeSpan)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, MinAttemptDelay, paramName);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, MaxDelay, paramName);
        }

        return value;
    }

    // <summary>A cap on attempts in flight is at least 1.</summary>
    internal static int CheckMaxConcurrentAttempts(int value, string paramName)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, paramName);
        return value;
    }

    private static AddressFamily CheckFamily(AddressFamily value, bool allowUnspecified, string paramName) =>
        value is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6 || (allowUnspecified && value == AddressFamily.Unspecified)
            ? value
            : throw new ArgumentOutOfRangeException(paramName, value, "the family must be InterNetwork or InterNetworkV6" + (allowUnspecified ? " or Unspecified" : string.Empty));
}
