namespace DualStack;

/// <summary>
/// The connect settings of the <see cref="HostnameEndpoint"/>s made by <see cref="HostnameEndpointFactory"/> (and so by
/// every IHttpClientFactory client that uses DualStack), set with <c>services.AddDualStack(options =&gt; …)</c>.
/// </summary>
/// <remarks>
/// The clock, logger factory and meter factory are not options: they come from the container.
/// </remarks>
/// <example>
/// <code>
/// services.AddDualStack(options =&gt; options.Connect = options.Connect with { AttemptDelay = TimeSpan.FromMilliseconds(100) });
/// </code>
/// </example>
public sealed class DualStackOptions
{
    /// <summary>Policy, delays, families, cap and timeout: the endpoints' <see cref="HostnameEndpoint.Options"/>.</summary>
    /// <remarks>
    /// Defaults to the values of <see cref="ConnectOptions.Default"/>, in an instance of its own: binding configuration
    /// to these options sets its properties, and must not change the shared defaults. A value out of range is refused
    /// as it is set, by <see cref="ConnectOptions"/>.
    /// </remarks>
    public ConnectOptions Connect { get; set; } = new();

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
