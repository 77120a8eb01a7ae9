using System.Net;
using System.Net.Sockets;
using DualStack.Tests.Shared;
using DualStack.Tests.Shared.Http;
using DualStack.Tests.Shared.Lab;

namespace DualStack.LabTests;

/// <summary>
/// HttpClient on a network that silently drops IPv6: one line (<see cref="DualStackHttp.UseDualStack"/>) against plain
/// <see cref="SocketsHttpHandler"/>, in the same lab and the same test.
/// </summary>
public sealed class HttpLabTests
{
    private const string Name = "web.lab.test";

    [Fact]
    public async Task NameWithBlackholedIPv6_UseDualStackAnswersWithinAttemptDelay_WhilePlainHandlerIsStillWaiting()
    {
        LabSupport.SkipUnlessAvailable();
        var token = TestContext.Current.CancellationToken;
        await using var lab = await NetworkLab.CreateAsync(token);
        var dead = lab.AddBlackholedAddress(AddressFamily.InterNetworkV6);
        var listener = await lab.Server.Run(() => TcpServerEndpoint.AllInterfaces(0).ListenAsync(token).AsTask()).Bounded();
        await using var server = new FixedHttpResponder(listener, "hello from the lab");
        // The name has a dead IPv6 address and a working IPv4 one. Code in this process resolves with its own
        // getaddrinfo, which reads the root namespace's /etc/hosts, so the name lives in a host table instead.
        var names = new HostTableResolver();
        names.Add(Name, dead);
        names.Add(Name, lab.ServerIPv4);
        var url = new Uri($"http://{Name}:{server.Port}/");

        // DualStack: the one line, plus the test's seams (the host table, and sockets made in the lab's client namespace,
        // noting where each attempt went).
        var attempted = new System.Collections.Concurrent.ConcurrentQueue<IPEndPoint>();
        using var dualStack = new HttpClient(new SocketsHttpHandler().UseDualStack(e => e with
        {
            Resolver = names,
            Connector = (remote, ct) =>
            {
                attempted.Enqueue(remote);
                return SocketConnector.ConnectAsync(
                    lab.Client.CreateSocket(remote.AddressFamily, SocketType.Stream, ProtocolType.Tcp), remote, null, Timeout.InfiniteTimeSpan, TimeProvider.System, ct);
            },
        }));
        // Warm-up by the IPv4 literal (a connection of its own in the handler's pool): the first request of a process
        // compiles the HTTP stack, which is not what this test times.
        Assert.Equal("hello from the lab", await dualStack.GetStringAsync(new Uri($"http://{lab.ServerIPv4}:{server.Port}/"), token).Bounded());

        long start = TimeProvider.System.GetTimestamp();
        string body = await GetClosingAsync(dualStack, url, token).Bounded();
        var elapsed = TimeProvider.System.GetElapsedTime(start);

        TestContext.Current.TestOutputHelper?.WriteLine($"UseDualStack: response by name in {elapsed.TotalMilliseconds:0} ms");
        Assert.Equal("hello from the lab", body);
        // IPv6 was tried first and given the 250 ms attempt delay; IPv4 then connected at once. The upper bound leaves
        // room for a machine under heavy load (1,251 ms was seen with a CPU hog and two builds beside the suite) and is
        // still below the two seconds after which the plain handler, below, has nothing at all.
        Assert.InRange(elapsed.TotalMilliseconds, 240, 1900);
        var v4 = new IPEndPoint(lab.ServerIPv4, server.Port);
        Assert.Equal([new IPEndPoint(dead, server.Port), v4], attempted.Skip(1));

        // The handler remembers that IPv4 won: its next new connection to the name starts with IPv4 and does not wait
        // an attempt delay for the dead IPv6 address again (the first request closed its connection, so this is a new one).
        start = TimeProvider.System.GetTimestamp();
        body = await GetClosingAsync(dualStack, url, token).Bounded();
        elapsed = TimeProvider.System.GetElapsedTime(start);
        TestContext.Current.TestOutputHelper?.WriteLine($"UseDualStack: second new connection by name answered in {elapsed.TotalMilliseconds:0} ms");
        Assert.Equal("hello from the lab", body);
        Assert.Equal(v4, attempted.ElementAt(3));   // IPv4 first this time: no attempt delay spent on the dead address
        Assert.InRange(elapsed.TotalMilliseconds, 0, 1900);
        Assert.Equal(3, server.Clients.Count);
        Assert.All(server.Clients, client => Assert.Equal(lab.ClientIPv4, IPLiteral.Unmap(client).Address));

        // Plain .NET: Socket.ConnectAsync(DnsEndPoint)'s behaviour, one address after another in the resolver's order
        // (IPv6 first, as RFC 6724 orders a global IPv6 destination before IPv4), but with each socket made in the
        // client namespace: the handler's own connect would open its sockets in the root namespace, whose default
        // route leads off this machine. Only where sockets are made differs from what SocketsHttpHandler does.
        var plainAttempts = new List<(IPEndPoint Remote, string Event)>();
        using var stopPlain = CancellationTokenSource.CreateLinkedTokenSource(token);
        Task<Stream>? plainConnect = null;
        using var plain = new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = (context, ct) =>
            {
                // SocketsHttpHandler lets a connect go on after the request that started it is cancelled (the
                // connection would serve the next request); the test stops it itself once it has looked.
                var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, stopPlain.Token);
                plainConnect = ConnectOneAfterAnotherAsync(lab, names, context.DnsEndPoint, plainAttempts, linked.Token).AsTask();
                _ = plainConnect.ContinueWith(_ => linked.Dispose(), TaskScheduler.Default);
                return new ValueTask<Stream>(plainConnect);
            },
        });
        using var twoSeconds = CancellationTokenSource.CreateLinkedTokenSource(token);
        twoSeconds.CancelAfter(TimeSpan.FromSeconds(2));
        start = TimeProvider.System.GetTimestamp();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => plain.GetStringAsync(url, twoSeconds.Token).Bounded());

        elapsed = TimeProvider.System.GetElapsedTime(start);
        TestContext.Current.TestOutputHelper?.WriteLine($"plain SocketsHttpHandler: no response, request cancelled after {elapsed.TotalMilliseconds:0} ms");
        Assert.InRange(elapsed.TotalMilliseconds, 1900, 10_000);
        // Two seconds on, it was still waiting for the black-holed IPv6 address; IPv4 was never tried.
        Assert.Equal([(new IPEndPoint(dead, server.Port), "started")], Snapshot(plainAttempts));
        await stopPlain.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => plainConnect!.Bounded());
        Assert.Equal([(new IPEndPoint(dead, server.Port), "started"), (new IPEndPoint(dead, server.Port), "cancelled")], Snapshot(plainAttempts));
        Assert.Equal(3, server.Clients.Count);   // DualStack's three; the plain handler never reached the server
    }

    private static List<(IPEndPoint, string)> Snapshot(List<(IPEndPoint, string)> attempts)
    {
        lock (attempts)
        {
            return [.. attempts];
        }
    }

    private static async ValueTask<Stream> ConnectOneAfterAnotherAsync(
        NetworkLab lab, HostTableResolver names, DnsEndPoint target, List<(IPEndPoint, string)> attempts, CancellationToken cancellationToken)
    {
        var v6 = await names.ResolveAsync(target.Host, target.Port, AddressFamily.InterNetworkV6, cancellationToken);
        var v4 = await names.ResolveAsync(target.Host, target.Port, AddressFamily.InterNetwork, cancellationToken);
        Exception? last = null;
        foreach (var remote in v6.EndPoints.Concat(v4.EndPoints))
        {
            var socket = lab.Client.CreateSocket(remote.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            Record(remote, "started");
            try
            {
                await socket.ConnectAsync(remote, cancellationToken);
                socket.NoDelay = true;
                Record(remote, "connected");
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (OperationCanceledException)
            {
                socket.Dispose();
                Record(remote, "cancelled");
                throw;
            }
            catch (SocketException e)
            {
                socket.Dispose();
                Record(remote, e.SocketErrorCode.ToString());
                last = e;
            }
        }

        throw last ?? new SocketException((int)SocketError.HostNotFound);

        void Record(IPEndPoint remote, string happened)
        {
            lock (attempts)
            {
                attempts.Add((remote, happened));
            }
        }
    }

    // A GET whose connection the handler closes afterwards, so that the next request needs a new connection.
    private static async Task<string> GetClosingAsync(HttpClient client, Uri url, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.ConnectionClose = true;
        using var response = await client.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }
}
