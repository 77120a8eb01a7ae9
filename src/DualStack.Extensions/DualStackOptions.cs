using System.Net.Sockets;

namespace DualStack;

/// <summary>
/// The connect defaults of the <see cref="HostnameEndpoint"/>s made by <see cref="HostnameEndpointFactory"/> (and so by
/// every IHttpClientFactory client that uses DualStack), set with <c>services.AddDualStack(options =&gt; …)</c>.
/// </summary>
/// <remarks>
/// Each property is the <see cref="HostnameEndpoint"/> property of the same name, with the same default and range; values
/// out of range fail options validation (an <c>OptionsValidationException</c> when the options are first used). The
/// clock, logger factory and meter factory are not options: they come from the container.
/// </remarks>
public sealed class DualStackOptions
{
    /// <summary>How the addresses are gone through; see <see cref="HostnameEndpoint.Policy"/>.</summary>
    /// <remarks>Defaults to <see cref="ConnectPolicy.HappyEyeballs"/>.</remarks>
    public ConnectPolicy Policy { get; set; }

    /// <summary>How long to wait for an attempt before starting the next one; see <see cref="HostnameEndpoint.AttemptDelay"/>.</summary>
    /// <remarks>Defaults to 250 ms; must lie between 10 ms and 2 s.</remarks>
    public TimeSpan AttemptDelay { get; set; } = ConnectionRaceOptions.DefaultAttemptDelay;

    /// <summary>How long to wait for the preferred family's answer; see <see cref="HostnameEndpoint.ResolutionDelay"/>.</summary>
    /// <remarks>Defaults to 50 ms; at most 2 s.</remarks>
    public TimeSpan ResolutionDelay { get; set; } = HostnameEndpoint.DefaultResolutionDelay;

    /// <summary>How many addresses of the preferred family go first; see <see cref="HostnameEndpoint.FirstAddressFamilyCount"/>.</summary>
    /// <remarks>Defaults to 1.</remarks>
    public int FirstAddressFamilyCount { get; set; } = 1;

    /// <summary>How many attempts may be in flight at once; see <see cref="HostnameEndpoint.MaxConcurrentAttempts"/>.</summary>
    /// <remarks>Defaults to <see cref="int.MaxValue"/> (no cap).</remarks>
    public int MaxConcurrentAttempts { get; set; } = int.MaxValue;

    /// <summary>Restricts connects to one family; see <see cref="HostnameEndpoint.Family"/>.</summary>
    /// <remarks>Defaults to <see cref="AddressFamily.Unspecified"/> (both).</remarks>
    public AddressFamily Family { get; set; } = AddressFamily.Unspecified;

    /// <summary>The family tried first; see <see cref="HostnameEndpoint.PreferredFamily"/>.</summary>
    /// <remarks>Defaults to <see cref="AddressFamily.InterNetworkV6"/>.</remarks>
    public AddressFamily PreferredFamily { get; set; } = AddressFamily.InterNetworkV6;

    /// <summary>How long a whole connect may take; see <see cref="HostnameEndpoint.ConnectTimeout"/>.</summary>
    /// <remarks>Defaults to 30 s.</remarks>
    public TimeSpan ConnectTimeout { get; set; } = ConnectionRaceOptions.DefaultConnectTimeout;

    /// <summary>Resolves host names; see <see cref="HostnameEndpoint.Resolver"/>.</summary>
    /// <remarks>Defaults to <see langword="null"/>: <see cref="SystemResolver.Instance"/>.</remarks>
    public IHostResolver? Resolver { get; set; }

    /// <summary>Remembers which family won per host; see <see cref="HostnameEndpoint.History"/>.</summary>
    /// <remarks>
    /// Defaults to the container's <see cref="ConnectionHistory"/> singleton, which <c>AddDualStack</c> registers (on the
    /// container's <see cref="TimeProvider"/>): every endpoint and HTTP client of the container shares it. Set it to <see langword="null"/> to connect without history.
    /// </remarks>
    public ConnectionHistory? History { get; set; }
}
