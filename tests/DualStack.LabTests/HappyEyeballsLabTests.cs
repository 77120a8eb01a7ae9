using System.Net;
using System.Net.Sockets;
using DualStack.Tests.Shared;
using DualStack.Tests.Shared.Lab;

namespace DualStack.LabTests;

/// <summary>
/// Happy Eyeballs on a real (namespaced) network: IPv6 silently dropped, refused, late answers, dead addresses. The
/// client's sockets are made in the lab's client namespace; the server listens in the server namespace.
/// </summary>
public sealed class HappyEyeballsLabTests
{
    private const string Name = "server.lab.test";

    [Fact]
    public async Task Healthy_IPv6WinsAtOnce()
    {
        LabSupport.SkipUnlessAvailable();
        await using var lab = await NetworkLab.CreateAsync(TestContext.Current.CancellationToken);
        await using var server = await ListenAsync(lab, IPAddress.IPv6Any, dualMode: true);

        await using var connection = await Endpoint(lab, server.Port, lab.ServerIPv6, lab.ServerIPv4).ConnectAsync(TestContext.Current.CancellationToken).Bounded();

        Assert.Equal(lab.ServerIPv6, Remote(connection).Address);
        Assert.Single(connection.Attempts);
    }

    [Fact]
    public async Task IPv6Blackholed_IPv4WinsOneAttemptDelayLater_AndTheIPv6SocketIsGone()
    {
        LabSupport.SkipUnlessAvailable();
        await using var lab = await NetworkLab.CreateAsync(TestContext.Current.CancellationToken);
        var dead = lab.AddBlackholedAddress(AddressFamily.InterNetworkV6);
        await using var server = await ListenAsync(lab, IPAddress.IPv6Any, dualMode: true);

        await using var connection = await Endpoint(lab, server.Port, dead, lab.ServerIPv4).ConnectAsync(TestContext.Current.CancellationToken).Bounded();

        Assert.Equal(lab.ServerIPv4, Remote(connection).Address);
        Assert.Equal([AttemptOutcome.Cancelled, AttemptOutcome.Connected], connection.Attempts.Select(a => a.Outcome));
        Assert.InRange(connection.Attempts[1].Started.TotalMilliseconds, 240, 500);
        var sockets = await ClientSocketsAsync(lab);
        Assert.DoesNotContain(sockets, s => s.StartsWith("SYN-SENT", StringComparison.Ordinal));
        Assert.Single(sockets, s => s.StartsWith("ESTAB", StringComparison.Ordinal));
    }

    [Fact]
    public async Task IPv6Refused_IPv4AtOnce()
    {
        LabSupport.SkipUnlessAvailable();
        await using var lab = await NetworkLab.CreateAsync(TestContext.Current.CancellationToken);
        await using var server = await ListenAsync(lab, lab.ServerIPv4, dualMode: false);

        await using var connection = await Endpoint(lab, server.Port, lab.ServerIPv6, lab.ServerIPv4).ConnectAsync(TestContext.Current.CancellationToken).Bounded();

        Assert.Equal(lab.ServerIPv4, Remote(connection).Address);
        Assert.Equal(AttemptOutcome.Failed, connection.Attempts[0].Outcome);
        Assert.Equal(SocketError.ConnectionRefused, Assert.IsType<ConnectException>(connection.Attempts[0].Error).SocketError);
        Assert.InRange(connection.Attempts[1].Started.TotalMilliseconds, 0, 300);
    }

    [Theory]
    [InlineData(AddressFamily.InterNetworkV6, AddressFamily.InterNetwork)]
    [InlineData(AddressFamily.InterNetwork, AddressFamily.InterNetworkV6)]
    public async Task OneFamilyAnswersASecondLate_TheOtherConnectsWithoutWaitingForIt(AddressFamily late, AddressFamily winner)
    {
        LabSupport.SkipUnlessAvailable();
        await using var lab = await NetworkLab.CreateAsync(TestContext.Current.CancellationToken);
        await using var server = await ListenAsync(lab, IPAddress.IPv6Any, dualMode: true);
        var endpoint = Endpoint(lab, server.Port, lab.ServerIPv6, lab.ServerIPv4) with
        {
            Resolver = new LateFamilyResolver(Table(lab.ServerIPv6, lab.ServerIPv4), late, TimeSpan.FromSeconds(1)),
        };

        await using var connection = await endpoint.ConnectAsync(TestContext.Current.CancellationToken).Bounded();

        Assert.Equal(winner, Remote(connection).AddressFamily);
        // Resolution delay (50 ms) when AAAA is the late one; none when A is.
        Assert.InRange(connection.Attempts[0].Started.TotalMilliseconds, 0, 400);
    }

    [Fact]
    public async Task IPv4Blackholed_IPv6Wins()
    {
        LabSupport.SkipUnlessAvailable();
        await using var lab = await NetworkLab.CreateAsync(TestContext.Current.CancellationToken);
        var dead = lab.AddBlackholedAddress(AddressFamily.InterNetwork);
        await using var server = await ListenAsync(lab, IPAddress.IPv6Any, dualMode: true);

        await using var connection = await Endpoint(lab, server.Port, lab.ServerIPv6, dead).ConnectAsync(TestContext.Current.CancellationToken).Bounded();

        Assert.Equal(lab.ServerIPv6, Remote(connection).Address);
    }

    [Fact]
    public async Task FiveDeadIPv6AndOneIPv4_InterleavingReachesIPv4AtTheSecondAttempt()
    {
        LabSupport.SkipUnlessAvailable();
        await using var lab = await NetworkLab.CreateAsync(TestContext.Current.CancellationToken);
        var dead = Enumerable.Range(0, 5).Select(_ => lab.AddBlackholedAddress(AddressFamily.InterNetworkV6)).ToArray();
        await using var server = await ListenAsync(lab, IPAddress.IPv6Any, dualMode: true);

        await using var connection = await Endpoint(lab, server.Port, [.. dead, lab.ServerIPv4]).ConnectAsync(TestContext.Current.CancellationToken).Bounded();

        Assert.Equal(lab.ServerIPv4, Remote(connection).Address);
        Assert.Equal(2, connection.Attempts.Count);
        Assert.InRange(connection.Attempts[1].Ended.TotalMilliseconds, 240, 600);
    }

    [Fact]
    public async Task AllDead_TheErrorListsEveryAddress_AndNoSocketIsLeft()
    {
        LabSupport.SkipUnlessAvailable();
        await using var lab = await NetworkLab.CreateAsync(TestContext.Current.CancellationToken);
        IPAddress[] dead =
        [
            lab.AddBlackholedAddress(AddressFamily.InterNetworkV6), lab.AddBlackholedAddress(AddressFamily.InterNetworkV6),
            lab.AddBlackholedAddress(AddressFamily.InterNetwork), lab.AddBlackholedAddress(AddressFamily.InterNetwork),
        ];
        var endpoint = Endpoint(lab, 80, dead) with { ConnectTimeout = TimeSpan.FromSeconds(1.5) };

        var e = await Assert.ThrowsAsync<ConnectionRaceException>(() => endpoint.ConnectAsync(TestContext.Current.CancellationToken).Bounded());

        Assert.True(e.TimedOut);
        Assert.Equal(dead.OrderBy(a => a.ToString()), e.Attempts.Select(a => a.RemoteEndPoint.Address).OrderBy(a => a.ToString()));
        foreach (var address in dead)
        {
            Assert.Contains(IPLiteral.FormatEndPoint(new IPEndPoint(address, 80)), e.Message, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(await ClientSocketsAsync(lab), s => s.StartsWith("SYN-SENT", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ThousandRacesWithRandomCancellation_LeaveTheOpenDescriptorsWhereTheyWere()
    {
        LabSupport.SkipUnlessAvailable();
        await using var lab = await NetworkLab.CreateAsync(TestContext.Current.CancellationToken);
        var dead = lab.AddBlackholedAddress(AddressFamily.InterNetworkV6);
        await using var server = await ListenAsync(lab, IPAddress.IPv6Any, dualMode: true);
        var endpoint = Endpoint(lab, server.Port, dead, lab.ServerIPv4) with { AttemptDelay = TimeSpan.FromMilliseconds(20) };
        var accepting = AcceptAndCloseAsync(server.Listener);
        var random = new Random(1234);
        await RunRacesAsync(endpoint, random, batches: 1);  // warm up: the runtime opens its own descriptors lazily
        int before = OpenDescriptors();

        var (connected, cancelled) = await RunRacesAsync(endpoint, random, batches: 20);

        Assert.Equal(1000, connected + cancelled);
        Assert.True(connected > 0 && cancelled > 0, $"{connected} connected, {cancelled} cancelled");
        await server.DisposeAsync();
        await accepting.Bounded();
        int after = OpenDescriptors();
        Assert.True(after <= before, $"{before} descriptors open before the races, {after} after ({connected} connected, {cancelled} cancelled)");
        Assert.DoesNotContain(await ClientSocketsAsync(lab), s => s.StartsWith("SYN-SENT", StringComparison.Ordinal) || s.StartsWith("ESTAB", StringComparison.Ordinal));
    }

    private static async Task<(int Connected, int Cancelled)> RunRacesAsync(HostnameEndpoint endpoint, Random random, int batches)
    {
        int connected = 0, cancelled = 0;
        for (int batch = 0; batch < batches; batch++)
        {
            var delays = Enumerable.Range(0, 50).Select(_ => random.Next(0, 40)).ToList();
            var races = delays.Select(async delayMs =>
            {
                using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(delayMs));
                try
                {
                    await using var connection = await endpoint.ConnectAsync(cancel.Token);
                    Interlocked.Increment(ref connected);
                }
                catch (OperationCanceledException)
                {
                    Interlocked.Increment(ref cancelled);
                }
            });
            await Task.WhenAll(races).Bounded();
        }

        return (connected, cancelled);
    }

    private static HostnameEndpoint Endpoint(NetworkLab lab, int port, params IPAddress[] addresses) =>
        new(Name, port)
        {
            Resolver = Table(addresses),
            Connector = (remote, token) => SocketConnector.ConnectAsync(
                lab.Client.CreateSocket(remote.AddressFamily, SocketType.Stream, ProtocolType.Tcp), remote, null, Timeout.InfiniteTimeSpan, TimeProvider.System, token),
        };

    private static HostTableResolver Table(params IPAddress[] addresses)
    {
        var table = new HostTableResolver();
        foreach (var address in addresses)
        {
            table.Add(Name, address);
        }

        return table;
    }

    private static async Task<Server> ListenAsync(NetworkLab lab, IPAddress address, bool dualMode)
    {
        var endpoint = dualMode ? TcpServerEndpoint.AllInterfaces(0) : new TcpServerEndpoint(address, 0);
        var listener = await lab.Server.Run(() => endpoint.ListenAsync(TestContext.Current.CancellationToken).AsTask()).Bounded();
        return new Server(listener);
    }

    private static async Task AcceptAndCloseAsync(IStreamListener listener)
    {
        while (await listener.AcceptAsync(TestContext.Current.CancellationToken) is { } connection)
        {
            await connection.DisposeAsync();
        }
    }

    // Also proves the socket was made in the lab's client namespace: one made in the root namespace would have
    // another local address (and could reach beyond this machine through its default route).
    private static IPEndPoint Remote(StreamConnection connection)
    {
        var local = Assert.IsType<IPEndPoint>(connection.LocalEndPoint);
        Assert.StartsWith(local.AddressFamily == AddressFamily.InterNetworkV6 ? "2001:2:0:" : "198.18.", local.Address.ToString(), StringComparison.Ordinal);
        return Assert.IsType<IPEndPoint>(connection.RemoteEndPoint);
    }

    private static async Task<IReadOnlyList<string>> ClientSocketsAsync(NetworkLab lab) => await lab.TcpSocketsAsync(lab.Client);

    private static int OpenDescriptors() => Directory.GetFiles("/proc/self/fd").Length;

    private sealed class Server(IStreamListener listener) : IAsyncDisposable
    {
        public IStreamListener Listener => listener;

        public int Port => listener.LocalEndPoints[0].Port;

        public ValueTask DisposeAsync() => listener.DisposeAsync();
    }

    /// <summary>Delays one family's answer by a real interval: a slow AAAA (or A) server.</summary>
    private sealed class LateFamilyResolver(IHostResolver inner, AddressFamily late, TimeSpan delay) : IHostResolver
    {
        public async ValueTask<HostAddresses> ResolveAsync(string host, int port, AddressFamily family, CancellationToken cancellationToken = default)
        {
            if (family == late)
            {
                await Task.Delay(delay, cancellationToken);
            }

            return await inner.ResolveAsync(host, port, family, cancellationToken);
        }
    }
}
