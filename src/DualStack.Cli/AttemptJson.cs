using System.Net;
using System.Text.Json.Nodes;

namespace DualStack.Cli;

/// <summary>The <c>connect</c>/<c>demo</c> JSON object and its attempt list (docs/cli.md).</summary>
internal static class AttemptJson
{
    public static JsonObject Result(StreamConnection? connection, IReadOnlyList<ConnectionAttempt> attempts, double elapsedMs, JsonObject? tls, string? reply, Exception? error)
    {
        var remote = connection?.RemoteEndPoint as IPEndPoint;
        var result = new JsonObject
        {
            ["connected"] = connection is not null,
            ["remote"] = remote is null ? null : JsonShapes.EndPoint(remote),
            ["family"] = remote is null ? null : JsonShapes.Family(remote.AddressFamily),
            ["elapsed_ms"] = Math.Round(elapsedMs, 3),
            ["attempts"] = JsonShapes.Array(attempts, Attempt),
            ["reply"] = reply,
            ["error"] = error?.Message,
        };

        // Only over TLS: what the handshake negotiated and whose certificate it was.
        if (tls is not null)
        {
            result["tls"] = tls;
        }

        return result;
    }

    private static JsonObject Attempt(ConnectionAttempt attempt)
    {
        var json = new JsonObject
        {
            ["remote"] = JsonShapes.EndPoint(attempt.RemoteEndPoint),
            ["family"] = JsonShapes.Family(IPLiteral.Unmap(attempt.RemoteEndPoint).AddressFamily),
            ["started_ms"] = Math.Round(attempt.Started.TotalMilliseconds, 3),
            ["ended_ms"] = Math.Round(attempt.Ended.TotalMilliseconds, 3),
            ["outcome"] = attempt.Outcome.ToString().ToLowerInvariant(),
            ["error"] = attempt.Error?.Message,
        };

        // Only for an address synthesised to reach an IPv4 one through NAT64: the IPv4 address.
        if (attempt.SynthesizedFrom is { } ipv4)
        {
            json["synthesized_from"] = ipv4.ToString();
        }

        return json;
    }
}
