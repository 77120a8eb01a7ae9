using System.Net;
using System.Net.Sockets;

namespace DualStack.Tests.Fakes;

public enum ScriptedOutcome
{
    Connect,
    Refuse,
    Never,
}

/// <summary>
/// A connector whose attempts end at set times after they start, on a fake clock. Records when each attempt started
/// and hands out real connected loopback sockets, so a test can check that the race closed every loser's socket.
/// </summary>
public sealed class TimedConnector(TimeProvider time)
{
    private readonly Dictionary<IPAddress, (int AfterMs, ScriptedOutcome Outcome)> _script = [];
    private long _start = time.GetTimestamp();

    public List<(IPAddress Address, TimeSpan Started)> Starts { get; } = [];

    public List<Socket> Sockets { get; } = [];

    public TimedConnector On(string address, int afterMs, ScriptedOutcome outcome)
    {
        _script[IPAddress.Parse(address)] = (afterMs, outcome);
        return this;
    }

    public void RestartClock() => _start = time.GetTimestamp();

    public async ValueTask<Socket> ConnectAsync(IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        Starts.Add((endPoint.Address, time.GetElapsedTime(_start)));
        var (afterMs, outcome) = _script.TryGetValue(endPoint.Address, out var step) ? step : (0, ScriptedOutcome.Never);
        var wait = outcome == ScriptedOutcome.Never ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(afterMs);
        await Task.Delay(wait, time, cancellationToken);
        if (outcome == ScriptedOutcome.Refuse)
        {
            throw new ConnectException(endPoint, "refused (scripted)", new SocketException((int)SocketError.ConnectionRefused));
        }

        var socket = DualStack.Tests.Shared.ConnectedSockets.Create();
        Sockets.Add(socket);
        return socket;
    }
}
