using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace DualStack.Diagnostics;

// The one ActivitySource named "DualStack" and the spans it makes: one per connect by name, one per
// resolution query and one per attempt, the last two children of the first. Tag names follow OpenTelemetry's
// semantic conventions (server.*, network.*, error.type); the rest carry a dualstack. prefix.
//
// Every Start* returns null without allocating when nobody listens (ActivitySource.StartActivity checks its
// listeners first); callers test for null before setting anything. The source is created at its first use once anyone
// can listen (DiagnosticsGate); HasListeners is false until then, and code on the connect path asks it before naming any
// System.Diagnostics type, so that compiling that code does not load the assembly by itself.
internal static class DualStackActivities
{
    public const string ConnectName = "dualstack.connect";
    public const string ResolveName = "dualstack.resolve";
    public const string AttemptName = "dualstack.connect.attempt";

    public const string ServerAddressTag = "server.address";
    public const string ServerPortTag = "server.port";
    public const string PeerAddressTag = "network.peer.address";
    public const string PeerPortTag = "network.peer.port";
    public const string NetworkTypeTag = "network.type";
    public const string ErrorTypeTag = "error.type";
    public const string AttemptOutcomeTag = "dualstack.attempt.outcome";
    public const string AttemptCountTag = "dualstack.connect.attempt_count";
    public const string AddressCountTag = "dualstack.resolve.address_count";

    public static ActivitySource Source => SourceHolder.Source;

    // <summary>Whether anyone listens to the source; false, without creating it, while nobody can.</summary>
    public static bool HasListeners => DiagnosticsGate.IsOpen && SourceHasListeners();

    public static Activity? StartConnect(string host, int port)
    {
        var activity = Source.StartActivity(ConnectName, ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(ServerAddressTag, host);
            activity.SetTag(ServerPortTag, port);
        }

        return activity;
    }

    public static void StopConnect(Activity activity, IPEndPoint? winner, int attemptCount, Exception? error)
    {
        if (activity.IsAllDataRequested)
        {
            activity.SetTag(AttemptCountTag, attemptCount);
            if (winner is not null)
            {
                SetPeer(activity, winner);
            }
        }

        if (error is not null)
        {
            SetError(activity, error);
        }

        activity.Stop();
    }

    public static Activity? StartResolve(string host, AddressFamily family)
    {
        var activity = Source.StartActivity(ResolveName, ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(ServerAddressTag, host);
            activity.SetTag(NetworkTypeTag, NetworkType(family));
        }

        return activity;
    }

    public static Activity? StartAttempt(string? host, IPEndPoint remote)
    {
        var activity = Source.StartActivity(AttemptName, ActivityKind.Client);
        if (activity is { IsAllDataRequested: true })
        {
            if (host is not null)
            {
                activity.SetTag(ServerAddressTag, host);
            }

            activity.SetTag(ServerPortTag, remote.Port);
            SetPeer(activity, remote);
        }

        return activity;
    }

    // <summary>Ends an attempt's span at the attempt's own end time (it is stopped when the race is over).</summary>
    public static void StopAttempt(Activity activity, ConnectionAttempt attempt)
    {
        if (activity.IsAllDataRequested)
        {
            activity.SetTag(AttemptOutcomeTag, OutcomeName(attempt.Outcome));
        }

        if (attempt.Outcome == AttemptOutcome.Failed && attempt.Error is { } error)
        {
            SetError(activity, error);
        }

        activity.SetEndTime(activity.StartTimeUtc + (attempt.Ended - attempt.Started));
        activity.Stop();
    }

    public static void SetError(Activity activity, Exception error)
    {
        string type = ErrorTypes.Of(error);
        activity.SetStatus(ActivityStatusCode.Error, error.Message);
        if (activity.IsAllDataRequested)
        {
            activity.SetTag(ErrorTypeTag, type);
        }
    }

    public static string? NetworkType(AddressFamily? family) => family switch
    {
        AddressFamily.InterNetworkV6 => "ipv6",
        AddressFamily.InterNetwork => "ipv4",
        _ => null,
    };

    public static string OutcomeName(AttemptOutcome outcome) => outcome switch
    {
        AttemptOutcome.Connected => "connected",
        AttemptOutcome.Failed => "failed",
        _ => "cancelled",
    };

    private static void SetPeer(Activity activity, IPEndPoint remote)
    {
        var peer = IPLiteral.Unmap(remote);
        activity.SetTag(PeerAddressTag, IPLiteral.FormatAddress(peer.Address));
        activity.SetTag(PeerPortTag, peer.Port);
        activity.SetTag(NetworkTypeTag, NetworkType(peer.AddressFamily));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool SourceHasListeners() => Source.HasListeners();

    private static class SourceHolder
    {
        public static readonly ActivitySource Source = new(DualStackDiagnostics.ActivitySourceName);
    }
}
