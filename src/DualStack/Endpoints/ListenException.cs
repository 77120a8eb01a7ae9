using System.Net;
using System.Net.Sockets;

namespace DualStack;

/// <summary>Listening failed: a socket could not be bound, or the interface to listen on does not exist. Nothing was left bound.</summary>
public sealed class ListenException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="description">The endpoint that was being listened on, as a description.</param>
    /// <param name="failures">Each local endpoint that failed with its cause; may be empty when no socket was tried.</param>
    /// <param name="reason">What happened, for the message.</param>
    public ListenException(string description, IReadOnlyList<KeyValuePair<IPEndPoint, Exception>> failures, string reason)
        : base(BuildMessage(description, failures, reason), failures is { Count: > 0 } ? failures[0].Value : null)
    {
        ArgumentNullException.ThrowIfNull(description);
        Description = description;
        Failures = failures;
    }

    /// <summary>The endpoint that was being listened on.</summary>
    public string Description { get; }

    /// <summary>Each local endpoint that could not be bound, with its cause.</summary>
    public IReadOnlyList<KeyValuePair<IPEndPoint, Exception>> Failures { get; }

    private static string BuildMessage(string description, IReadOnlyList<KeyValuePair<IPEndPoint, Exception>> failures, string reason)
    {
        ArgumentNullException.ThrowIfNull(failures);
        var parts = failures.Select(f => $"{IPLiteral.FormatEndPoint(f.Key)}: {Describe(f.Value)}");
        return failures.Count == 0
            ? $"cannot listen on {description}: {reason}"
            : $"cannot listen on {description}: {reason} ({string.Join("; ", parts)})";
    }

    private static string Describe(Exception e) => e is SocketException s ? $"{s.Message} ({s.SocketErrorCode})" : e.Message;
}
