using DualStack.Diagnostics;

namespace DualStack;

/// <summary>A host name could not be resolved. Carries the host, the resolver's code and its text.</summary>
public sealed class HostResolutionException : IOException, IHasErrorType
{
    /// <summary>Creates the exception.</summary>
    /// <param name="host">The name that was looked up.</param>
    /// <param name="error">The resolver's code.</param>
    /// <param name="detail">The resolver's own text, such as <c>Name or service not known</c>.</param>
    /// <param name="innerException">The resolver's exception, if any.</param>
    public HostResolutionException(string host, ResolutionError error, string detail, Exception? innerException)
        : base($"cannot resolve '{host}': {detail} ({error})", innerException)
    {
        Host = host;
        Error = error;
        Detail = detail;
    }

    /// <summary>The name that was looked up.</summary>
    public string Host { get; }

    /// <summary>The resolver's code.</summary>
    public ResolutionError Error { get; }

    /// <summary>The resolver's own text.</summary>
    public string Detail { get; }

    // <summary>The name resolved, but to no address this lookup can use (getaddrinfo's EAI_NODATA, in its words).</summary>
    internal static HostResolutionException NoAddresses(string host) =>
        new(host, ResolutionError.NoData, "No address associated with hostname", null);

    // <inheritdoc />
    string IHasErrorType.ErrorType => Error switch
    {
        ResolutionError.NoSuchName => "host_not_found",
        ResolutionError.TryAgain => "try_again",
        ResolutionError.NoData => "no_data",
        ResolutionError.FamilyNotSupported => "family_not_supported",
        ResolutionError.BadService => "bad_service",
        ResolutionError.Timeout => ErrorTypes.Timeout,
        _ => "resolution_failed",
    };
}
