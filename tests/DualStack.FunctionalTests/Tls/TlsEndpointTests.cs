using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using DualStack.FunctionalTests.Fakes;
using DualStack.Tests.Shared;
using DualStack.Tests.Shared.Diagnostics;

namespace DualStack.FunctionalTests.Tls;

/// <summary>TLS client and server endpoints on loopback, with certificates made in the test by a private CA.</summary>
public sealed class TlsEndpointTests : IDisposable
{
    private const string Name = "tls.test";

    private readonly TestCertificates _ca = new();

    public void Dispose() => _ca.Dispose();

    public static TheoryData<AddressFamily> Families => [AddressFamily.InterNetworkV6, AddressFamily.InterNetwork];

    [Theory]
    [MemberData(nameof(Families))]
    public async Task HostnameEndpoint_RaceWonByAnAddress_SendsAndValidatesTheCallersName(AddressFamily family)
    {
        SkipUnlessIPv6(family);
        await using var server = await TlsTestServer.StartAsync(new TlsServerEndpoint(TcpServerEndpoint.AllInterfaces(0), new TlsServerOptions { Certificate = _ca.Issue(Name) }));
        var client = new TlsClientEndpoint(new HostnameEndpoint(Name, server.Port) { Resolver = BothLoopbacks(Name), Family = family })
        {
            Options = new TlsClientOptions { TrustedRoots = _ca.Roots },
        };

        await using var connection = await client.ConnectAsync(TestContext.Current.CancellationToken).Bounded();
        var accepted = await server.NextAsync();

        var remote = Assert.IsType<IPEndPoint>(connection.RemoteEndPoint);
        Assert.Equal(family, remote.AddressFamily);
        Assert.True(IPAddress.IsLoopback(remote.Address));
        var ssl = Assert.IsType<SslStream>(connection.Stream);
        Assert.Equal(Name, ssl.TargetHostName);
        Assert.Equal(Name, TlsTestServer.Ssl(accepted).TargetHostName);   // the SNI the server received
        Assert.Equal(AttemptOutcome.Connected, Assert.Single(connection.Attempts).Outcome);
        Assert.Equal(remote, IPLiteral.Unmap((IPEndPoint)connection.Socket!.RemoteEndPoint!));
        Assert.Equal("hello over TLS", await EchoAsync(connection, "hello over TLS"));
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public async Task IPLiteralHost_SendsNoSni_AndIsValidatedAgainstTheCertificatesIPAddresses(string literal)
    {
        var address = IPAddress.Parse(literal);
        IPv6Support.SkipUnlessAvailable(address);
        using var certificate = _ca.Issue(Name, "127.0.0.1", "::1");
        await using var listener = await new TcpServerEndpoint(address, 0).ListenAsync(TestContext.Current.CancellationToken).Bounded();
        string? sniSeen = "not called";
        var serverSide = AcceptWithSniCallbackAsync(listener, certificate, name => sniSeen = name);

        await using var connection = await new TlsClientEndpoint(new TcpClientEndpoint(address, listener.LocalEndPoints[0].Port))
        {
            Options = new TlsClientOptions { TrustedRoots = _ca.Roots },
        }.ConnectAsync(TestContext.Current.CancellationToken).Bounded();
        await using var accepted = await serverSide.Bounded();

        Assert.True(string.IsNullOrEmpty(sniSeen), $"the server received SNI '{sniSeen}' for an address literal");
        Assert.True(((SslStream)connection.Stream).IsAuthenticated);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public async Task IPLiteralHost_CertificateWithoutThatAddress_IsRejected(string literal)
    {
        var address = IPAddress.Parse(literal);
        IPv6Support.SkipUnlessAvailable(address);
        await using var server = await TlsTestServer.StartAsync(new TlsServerEndpoint(new TcpServerEndpoint(address, 0), new TlsServerOptions { Certificate = _ca.Issue(Name) }));
        var client = new TlsClientEndpoint(new TcpClientEndpoint(address, server.Port)) { Options = new TlsClientOptions { TrustedRoots = _ca.Roots } };

        var e = await Assert.ThrowsAsync<TlsHandshakeException>(() => client.ConnectAsync(TestContext.Current.CancellationToken).Bounded());

        Assert.Equal(SslPolicyErrors.RemoteCertificateNameMismatch, e.PolicyErrors);
        Assert.Contains($"not valid for '{literal}'", e.Message, StringComparison.Ordinal);
    }

    // A logger that throws as a handshake completes, and again as that failure is logged, costs that one connection
    // (closed, not left open) and nothing else: the next client is served.
    [Fact]
    public async Task Listener_LoggerThrowsAsAHandshakeCompletes_ClosesThatConnection_AndServesTheNext()
    {
        int throws = 2;
        var logger = new ThrowingLoggerFactory(id => id is 200 or 202 && Interlocked.Decrement(ref throws) >= 0);
        await using var server = await TlsTestServer.StartAsync(
            new TlsServerEndpoint(new TcpServerEndpoint(IPAddress.Loopback, 0), new TlsServerOptions { Certificate = _ca.Issue(Name) }) { LoggerFactory = logger });
        var client = new TlsClientEndpoint(new HostnameEndpoint(Name, server.Port) { Resolver = new HostTableResolver().Add(Name, IPAddress.Loopback) })
        {
            Options = new TlsClientOptions { TrustedRoots = _ca.Roots },
        };

        await using (var first = await client.ConnectAsync(TestContext.Current.CancellationToken).Bounded())
        {
            int read;
            try
            {
                read = await first.Stream.ReadAsync(new byte[1], TestContext.Current.CancellationToken).AsTask().Bounded();
            }
            catch (IOException)
            {
                read = 0;
            }

            Assert.Equal(0, read);
        }

        await using var second = await client.ConnectAsync(TestContext.Current.CancellationToken).Bounded();
        Assert.Equal("ok", await EchoAsync(second, "ok"));
    }

    [Fact]
    public async Task WrongName_IsRejected_NamingTheHostTheAddressAndTheNamesTheCertificateHas()
    {
        await using var server = await TlsTestServer.StartAsync(new TlsServerEndpoint(new TcpServerEndpoint(IPAddress.Loopback, 0), new TlsServerOptions { Certificate = _ca.Issue(Name) }));
        var resolver = new HostTableResolver().Add("wrong.test", IPAddress.Loopback);
        var client = new TlsClientEndpoint(new HostnameEndpoint("wrong.test", server.Port) { Resolver = resolver })
        {
            Options = new TlsClientOptions { TrustedRoots = _ca.Roots },
        };

        var e = await Assert.ThrowsAsync<TlsHandshakeException>(() => client.ConnectAsync(TestContext.Current.CancellationToken).Bounded());

        Assert.Equal(SslPolicyErrors.RemoteCertificateNameMismatch, e.PolicyErrors);
        Assert.Equal("wrong.test", e.Host);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, server.Port), e.RemoteEndPoint);
        Assert.Equal($"TLS handshake with wrong.test at 127.0.0.1:{server.Port} failed: the certificate is not valid for 'wrong.test' (it is for tls.test)", e.Message);
        Assert.IsType<IOException>(e, exactMatch: false);
    }

    [Fact]
    public async Task ExpiredCertificate_IsRejected()
    {
        var expired = _ca.Issue([Name], TimeSpan.FromDays(-30), TimeSpan.FromDays(-1));
        await using var server = await TlsTestServer.StartAsync(new TlsServerEndpoint(new TcpServerEndpoint(IPAddress.Loopback, 0), new TlsServerOptions { Certificate = expired }));
        var client = new TlsClientEndpoint(new HostnameEndpoint(Name, server.Port) { Resolver = new HostTableResolver().Add(Name, IPAddress.Loopback) })
        {
            Options = new TlsClientOptions { TrustedRoots = _ca.Roots },
        };

        var e = await Assert.ThrowsAsync<TlsHandshakeException>(() => client.ConnectAsync(TestContext.Current.CancellationToken).Bounded());

        Assert.Equal(SslPolicyErrors.RemoteCertificateChainErrors, e.PolicyErrors);
        Assert.Contains($"'CN={Name}' expired on ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PrivateCertificateAuthority_IsNotTrustedByDefault_AndSkippingValidationIsExplicit()
    {
        await using var server = await TlsTestServer.StartAsync(new TlsServerEndpoint(new TcpServerEndpoint(IPAddress.Loopback, 0), new TlsServerOptions { Certificate = _ca.Issue(Name) }));
        var inner = new HostnameEndpoint(Name, server.Port) { Resolver = new HostTableResolver().Add(Name, IPAddress.Loopback) };

        var e = await Assert.ThrowsAsync<TlsHandshakeException>(() => new TlsClientEndpoint(inner).ConnectAsync(TestContext.Current.CancellationToken).Bounded());
        Assert.Equal(SslPolicyErrors.RemoteCertificateChainErrors, e.PolicyErrors);
        Assert.Contains("does not chain to a trusted root", e.Message, StringComparison.Ordinal);

        await using var unsafeConnection = await new TlsClientEndpoint(inner) { Options = new TlsClientOptions { UnsafeSkipCertificateValidation = true } }
            .ConnectAsync(TestContext.Current.CancellationToken).Bounded();
        Assert.Equal("ok", await EchoAsync(unsafeConnection, "ok"));
    }

    [Fact]
    public async Task TrustedRootsFile_IsReadAtConnect()
    {
        using var directory = new TempDirectory();
        var leaf = _ca.Issue(Name);
        var (root, _, _) = _ca.WritePem(directory.Path, leaf);
        await using var server = await TlsTestServer.StartAsync(new TlsServerEndpoint(new TcpServerEndpoint(IPAddress.Loopback, 0), new TlsServerOptions { Certificate = leaf }));
        var client = new TlsClientEndpoint(new TcpClientEndpoint(IPAddress.Loopback, server.Port), Name) { Options = new TlsClientOptions { TrustedRootsFile = root } };

        await using var connection = await client.ConnectAsync(TestContext.Current.CancellationToken).Bounded();

        Assert.Equal("pem", await EchoAsync(connection, "pem"));
        var missing = client with { Options = new TlsClientOptions { TrustedRootsFile = directory.File("nope.pem") } };
        var e = await Assert.ThrowsAsync<IOException>(() => missing.ConnectAsync(TestContext.Current.CancellationToken).Bounded());
        Assert.Contains("nope.pem", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerFromPemFiles_SendsTheFilesCertificate()
    {
        using var directory = new TempDirectory();
        var (_, certificate, key) = _ca.WritePem(directory.Path, _ca.Issue(Name));
        await using var server = await TlsTestServer.StartAsync(new TlsServerEndpoint(new TcpServerEndpoint(IPAddress.IPv6Any, 0), certificate, key));
        IPv6Support.SkipUnlessAvailable(IPAddress.IPv6Loopback);

        await using var connection = await new TlsClientEndpoint(new TcpClientEndpoint(IPAddress.IPv6Loopback, server.Port), Name)
        {
            Options = new TlsClientOptions { TrustedRoots = _ca.Roots },
        }.ConnectAsync(TestContext.Current.CancellationToken).Bounded();

        Assert.Equal($"CN={Name}", ((SslStream)connection.Stream).RemoteCertificate!.Subject);
    }

    [Fact]
    public async Task ServerWithUnreadablePemFiles_FailsToListen_NamingTheFile()
    {
        using var directory = new TempDirectory();
        var endpoint = new TlsServerEndpoint(new TcpServerEndpoint(IPAddress.Loopback, 0), directory.File("missing.pem"), null);

        var e = await Assert.ThrowsAsync<ListenException>(() => endpoint.ListenAsync(TestContext.Current.CancellationToken).Bounded());

        Assert.Contains("missing.pem", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_ChoosesTheCertificateByServerName()
    {
        var options = new TlsServerOptions
        {
            Certificate = _ca.Issue("default.test", "127.0.0.1"),
            CertificatesByName = new Dictionary<string, X509Certificate2> { ["a.test"] = _ca.Issue("a.test"), ["*.b.test"] = _ca.Issue("*.b.test") },
        };
        await using var server = await TlsTestServer.StartAsync(new TlsServerEndpoint(new TcpServerEndpoint(IPAddress.Loopback, 0), options));

        foreach (var (target, subject) in new[] { ("a.test", "CN=a.test"), ("x.b.test", "CN=*.b.test"), ("127.0.0.1", "CN=default.test") })
        {
            await using var connection = await new TlsClientEndpoint(new TcpClientEndpoint(IPAddress.Loopback, server.Port), target)
            {
                Options = new TlsClientOptions { TrustedRoots = _ca.Roots },
            }.ConnectAsync(TestContext.Current.CancellationToken).Bounded();
            Assert.Equal(subject, ((SslStream)connection.Stream).RemoteCertificate!.Subject);
        }
    }

    [Fact]
    public async Task Alpn_NegotiatesAProtocolBothSidesHave()
    {
        var options = new TlsServerOptions { Certificate = _ca.Issue(Name), ApplicationProtocols = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11] };
        await using var server = await TlsTestServer.StartAsync(new TlsServerEndpoint(new TcpServerEndpoint(IPAddress.Loopback, 0), options));

        await using var connection = await new TlsClientEndpoint(new TcpClientEndpoint(IPAddress.Loopback, server.Port), Name)
        {
            Options = new TlsClientOptions { TrustedRoots = _ca.Roots, ApplicationProtocols = [SslApplicationProtocol.Http11] },
        }.ConnectAsync(TestContext.Current.CancellationToken).Bounded();
        var accepted = await server.NextAsync();

        Assert.Equal(SslApplicationProtocol.Http11, ((SslStream)connection.Stream).NegotiatedApplicationProtocol);
        Assert.Equal(SslApplicationProtocol.Http11, TlsTestServer.Ssl(accepted).NegotiatedApplicationProtocol);
    }

    [Fact]
    public async Task StartTls_AfterAPlaintextLineExchange_UpgradesBothSidesOverTheSameSocket()
    {
        var certificate = _ca.Issue(Name);
        await using var listener = await new TcpServerEndpoint(IPAddress.Loopback, 0).ListenAsync(TestContext.Current.CancellationToken).Bounded();
        var serverSide = Task.Run(async () =>
        {
            var plain = (await listener.AcceptAsync(TestContext.Current.CancellationToken))!;
            Assert.Equal("STARTTLS", await ReadLineAsync(plain.Stream));
            await plain.Stream.WriteAsync("220 go ahead\r\n"u8.ToArray(), TestContext.Current.CancellationToken);
            var secured = await plain.StartTlsAsServerAsync(new TlsServerOptions { Certificate = certificate }, TestContext.Current.CancellationToken);
            Assert.Same(plain.Socket, secured.Socket);
            Assert.Equal("secret", await ReadLineAsync(secured.Stream));
            await secured.Stream.WriteAsync("ok, secretly\r\n"u8.ToArray(), TestContext.Current.CancellationToken);
            return secured;
        }, TestContext.Current.CancellationToken);

        var plain = await new TcpClientEndpoint(IPAddress.Loopback, listener.LocalEndPoints[0].Port).ConnectAsync(TestContext.Current.CancellationToken).Bounded();
        await plain.Stream.WriteAsync("STARTTLS\r\n"u8.ToArray(), TestContext.Current.CancellationToken);
        Assert.Equal("220 go ahead", await ReadLineAsync(plain.Stream).Bounded());
        await using var secured = await plain.StartTlsAsClientAsync(Name, new TlsClientOptions { TrustedRoots = _ca.Roots }, TestContext.Current.CancellationToken).Bounded();
        await secured.Stream.WriteAsync("secret\r\n"u8.ToArray(), TestContext.Current.CancellationToken);
        Assert.Equal("ok, secretly", await ReadLineAsync(secured.Stream).Bounded());
        await using var serverConnection = await serverSide.Bounded();

        Assert.Same(plain.Socket, secured.Socket);
        Assert.Equal(plain.LocalEndPoint, secured.LocalEndPoint);
        Assert.Equal(plain.RemoteEndPoint, secured.RemoteEndPoint);
        Assert.Equal(Name, ((SslStream)secured.Stream).TargetHostName);
        Assert.True(((SslStream)serverConnection.Stream).IsAuthenticated);
    }

    [Fact]
    public async Task StartTls_HandshakeFails_ClosesTheConnection()
    {
        await using var server = await TlsTestServer.StartAsync(new TlsServerEndpoint(new TcpServerEndpoint(IPAddress.Loopback, 0), new TlsServerOptions { Certificate = _ca.Issue(Name) }));
        var plain = await new TcpClientEndpoint(IPAddress.Loopback, server.Port).ConnectAsync(TestContext.Current.CancellationToken).Bounded();

        await Assert.ThrowsAsync<TlsHandshakeException>(() => plain.StartTlsAsClientAsync("other.test", new TlsClientOptions { TrustedRoots = _ca.Roots }, TestContext.Current.CancellationToken).Bounded());

        Assert.Throws<ObjectDisposedException>(() => plain.Socket!.Available);
    }

    [Fact]
    public async Task RaceThroughHandshake_PicksTheFamilyWhoseTlsCompletes_OverOneThatOnlyConnects()
    {
        IPv6Support.SkipUnlessAvailable(IPAddress.IPv6Loopback);
        var (tls, silent) = await ListenOnOnePortAsync(_ca.Issue(Name));
        await using var tlsServer = tls;
        await using var silentListener = silent;
        var inner = new HostnameEndpoint(Name, tls.Port) { Resolver = BothLoopbacks(Name), AttemptDelay = TimeSpan.FromMilliseconds(50) };
        var client = new TlsClientEndpoint(inner) { Options = new TlsClientOptions { TrustedRoots = _ca.Roots }, RaceThroughHandshake = true };

        await using var connection = await client.ConnectAsync(TestContext.Current.CancellationToken).Bounded();

        Assert.Equal(IPAddress.Loopback, ((IPEndPoint)connection.RemoteEndPoint!).Address);
        Assert.Collection(
            connection.Attempts,
            first => Assert.Equal((IPAddress.IPv6Loopback, AttemptOutcome.Cancelled), (first.RemoteEndPoint.Address, first.Outcome)),
            second => Assert.Equal((IPAddress.Loopback, AttemptOutcome.Connected), (second.RemoteEndPoint.Address, second.Outcome)));
        Assert.Equal("v4", await EchoAsync(connection, "v4"));

        // The loser's TCP connection got through; the race closed it, stream and socket.
        await using var lost = (await silent.AcceptAsync(TestContext.Current.CancellationToken).Bounded())!;
        await ReadUntilClosedAsync(lost.Stream).Bounded();
    }

    [Fact]
    public async Task WithoutRaceThroughHandshake_TheFirstTcpConnectionWins_AndItsStalledHandshakeTimesOut()
    {
        IPv6Support.SkipUnlessAvailable(IPAddress.IPv6Loopback);
        var (tls, silent) = await ListenOnOnePortAsync(_ca.Issue(Name));
        await using var tlsServer = tls;
        await using var silentListener = silent;
        var inner = new HostnameEndpoint(Name, tls.Port) { Resolver = BothLoopbacks(Name), AttemptDelay = TimeSpan.FromMilliseconds(50) };
        var client = new TlsClientEndpoint(inner) { Options = new TlsClientOptions { TrustedRoots = _ca.Roots, HandshakeTimeout = TimeSpan.FromMilliseconds(300) } };

        var e = await Assert.ThrowsAsync<TlsHandshakeException>(() => client.ConnectAsync(TestContext.Current.CancellationToken).Bounded());

        Assert.True(e.TimedOut);
        Assert.Equal(IPAddress.IPv6Loopback, e.RemoteEndPoint!.Address);
        Assert.Contains("no handshake within 300 ms", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RaceThroughHandshake_AFailedHandshakeFailsItsAttempt_AndTheNextStartsAtOnce()
    {
        IPv6Support.SkipUnlessAvailable(IPAddress.IPv6Loopback);
        var (tls, silent) = await ListenOnOnePortAsync(_ca.Issue(Name));
        await using var tlsServer = tls;
        await using var notTls = silent;
        var answers = Task.Run(async () =>
        {
            // The IPv6 "server" answers the ClientHello with plaintext, as a misconfigured port would.
            await using var connection = (await notTls.AcceptAsync(TestContext.Current.CancellationToken))!;
            await connection.Stream.WriteAsync("HTTP/1.1 400 Bad Request\r\n\r\n"u8.ToArray(), TestContext.Current.CancellationToken);
            // Then waits for the client to give up on it.
            await ReadUntilClosedAsync(connection.Stream);
        }, TestContext.Current.CancellationToken);
        var inner = new HostnameEndpoint(Name, tls.Port) { Resolver = BothLoopbacks(Name), AttemptDelay = TimeSpan.FromSeconds(2) };
        var client = new TlsClientEndpoint(inner) { Options = new TlsClientOptions { TrustedRoots = _ca.Roots }, RaceThroughHandshake = true };

        await using var connection = await client.ConnectAsync(TestContext.Current.CancellationToken).Bounded();
        await answers.Bounded();

        var failed = connection.Attempts[0];
        Assert.Equal((IPAddress.IPv6Loopback, AttemptOutcome.Failed), (failed.RemoteEndPoint.Address, failed.Outcome));
        Assert.IsType<TlsHandshakeException>(failed.Error);
        Assert.True(connection.Attempts[1].Started < TimeSpan.FromSeconds(2), $"the IPv4 attempt waited for the attempt delay: {connection.Attempts[1]}");
        Assert.Equal(AttemptOutcome.Connected, connection.Attempts[1].Outcome);
    }

    [Fact]
    public async Task RaceThroughHandshake_EveryHandshakeFails_ListsEachAttemptWithItsHandshakeError()
    {
        IPv6Support.SkipUnlessAvailable(IPAddress.IPv6Loopback);
        await using var server = await TlsTestServer.StartAsync(new TlsServerEndpoint(TcpServerEndpoint.AllInterfaces(0), new TlsServerOptions { Certificate = _ca.Issue(Name) }));
        var inner = new HostnameEndpoint("wrong.test", server.Port) { Resolver = BothLoopbacks("wrong.test") };
        var client = new TlsClientEndpoint(inner) { Options = new TlsClientOptions { TrustedRoots = _ca.Roots }, RaceThroughHandshake = true };

        var e = await Assert.ThrowsAsync<ConnectionRaceException>(() => client.ConnectAsync(TestContext.Current.CancellationToken).Bounded());

        Assert.Equal(2, e.Attempts.Count);
        Assert.All(e.Attempts, a => Assert.Equal(SslPolicyErrors.RemoteCertificateNameMismatch, Assert.IsType<TlsHandshakeException>(a.Error).PolicyErrors));
        Assert.IsType<TlsHandshakeException>(e.InnerException);
    }

    [Fact]
    public async Task CallersToken_CancelledDuringTheHandshake_ThrowsOperationCanceled_AndClosesTheConnection()
    {
        await using var silent = await new TcpServerEndpoint(IPAddress.Loopback, 0).ListenAsync(TestContext.Current.CancellationToken).Bounded();
        var client = new TlsClientEndpoint(new TcpClientEndpoint(IPAddress.Loopback, silent.LocalEndPoints[0].Port), Name);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);

        var connecting = client.ConnectAsync(cancel.Token).AsTask();
        await using var accepted = (await silent.AcceptAsync(TestContext.Current.CancellationToken).Bounded())!;
        Assert.True(await accepted.Stream.ReadAsync(new byte[1], TestContext.Current.CancellationToken).AsTask().Bounded() > 0);   // the ClientHello
        await cancel.CancelAsync();

        var e = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => connecting.Bounded());
        Assert.Equal(cancel.Token, e.CancellationToken);
        await ReadUntilClosedAsync(accepted.Stream).Bounded();
    }

    [Fact]
    public async Task Listener_SilentClient_BlocksNoAccept_AndIsClosedWhenTheHandshakeTimesOut()
    {
        var time = new TimerWatchingTimeProvider();
        using var logs = new ListLoggerFactory();
        var options = new TlsServerOptions { Certificate = _ca.Issue(Name), HandshakeTimeout = TimeSpan.FromSeconds(7), TimeProvider = time };
        await using var server = await TlsTestServer.StartAsync(new TlsServerEndpoint(new TcpServerEndpoint(IPAddress.Loopback, 0), options) { LoggerFactory = logs });

        using var silent = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await silent.ConnectAsync(new IPEndPoint(IPAddress.Loopback, server.Port), TestContext.Current.CancellationToken).AsTask().Bounded();
        await time.WaitForTimerAsync(TimeSpan.FromSeconds(7));   // the silent client's handshake has started
        await using var connection = await new TlsClientEndpoint(new TcpClientEndpoint(IPAddress.Loopback, server.Port), Name)
        {
            Options = new TlsClientOptions { TrustedRoots = _ca.Roots },
        }.ConnectAsync(TestContext.Current.CancellationToken).Bounded();
        var accepted = await server.NextAsync();

        Assert.Equal(connection.LocalEndPoint, accepted.RemoteEndPoint);
        time.Advance(TimeSpan.FromSeconds(7));
        Assert.Equal(0, await silent.ReceiveAsync(new byte[1], TestContext.Current.CancellationToken).AsTask().Bounded());
        var timedOut = await logs.WaitForAsync(201);
        Assert.Contains(silent.LocalEndPoint!.ToString()!, timedOut.Message, StringComparison.Ordinal);
        Assert.Equal("still here", await EchoAsync(connection, "still here"));
    }

    [Fact]
    public async Task Listener_FailedHandshake_IsLoggedAndClosed()
    {
        using var logs = new ListLoggerFactory();
        await using var server = await TlsTestServer.StartAsync(new TlsServerEndpoint(new TcpServerEndpoint(IPAddress.Loopback, 0), new TlsServerOptions { Certificate = _ca.Issue(Name) }) { LoggerFactory = logs });

        using var plaintext = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await plaintext.ConnectAsync(new IPEndPoint(IPAddress.Loopback, server.Port), TestContext.Current.CancellationToken).AsTask().Bounded();
        await plaintext.SendAsync("GET / HTTP/1.0\r\n\r\n"u8.ToArray(), TestContext.Current.CancellationToken).AsTask().Bounded();

        var failed = await logs.WaitForAsync(200);
        Assert.Equal("DualStack.TlsServerEndpoint", failed.Category);
        Assert.IsType<TlsHandshakeException>(failed.Exception);
        Assert.Contains(plaintext.LocalEndPoint!.ToString()!, failed.Message, StringComparison.Ordinal);
        Assert.Equal(0, await ReceiveUntilClosedAsync(plaintext).Bounded());
    }

    [Fact]
    public async Task ClientHandshakeTimeout_RunsOnTheOptionsClock()
    {
        var time = new TimerWatchingTimeProvider();
        await using var silent = await new TcpServerEndpoint(IPAddress.Loopback, 0).ListenAsync(TestContext.Current.CancellationToken).Bounded();
        var client = new TlsClientEndpoint(new TcpClientEndpoint(IPAddress.Loopback, silent.LocalEndPoints[0].Port), Name)
        {
            Options = new TlsClientOptions { TimeProvider = time },
        };

        var connecting = client.ConnectAsync(TestContext.Current.CancellationToken).AsTask();
        await time.WaitForTimerAsync(TlsClientOptions.DefaultHandshakeTimeout);
        Assert.False(connecting.IsCompleted);
        time.Advance(TlsClientOptions.DefaultHandshakeTimeout);

        var e = await Assert.ThrowsAsync<TlsHandshakeException>(() => connecting.Bounded());
        Assert.True(e.TimedOut);
        Assert.Contains("no handshake within 10000 ms", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Listener_OverTheAggregateListener_HandshakesOnEverySocket()
    {
        await using var server = await TlsTestServer.StartAsync(new TlsServerEndpoint(TcpServerEndpoint.ForInterface("lo", 0), new TlsServerOptions { Certificate = _ca.Issue(Name) }));
        Assert.Equal(server.Listener.LocalEndPoints.Count, server.Listener.LocalEndPoints.Select(e => e.Port).Count());

        foreach (var local in server.Listener.LocalEndPoints)
        {
            await using var connection = await new TlsClientEndpoint(new TcpClientEndpoint(local.Address, local.Port), Name)
            {
                Options = new TlsClientOptions { TrustedRoots = _ca.Roots },
            }.ConnectAsync(TestContext.Current.CancellationToken).Bounded();
            Assert.Equal(local.Address.ToString(), await EchoAsync(connection, local.Address.ToString()));
        }
    }

    [Fact]
    public async Task Listener_Stop_HandsOutHandshakenConnections_ThenNull()
    {
        await using var server = await new TlsServerEndpoint(new TcpServerEndpoint(IPAddress.Loopback, 0), new TlsServerOptions { Certificate = _ca.Issue(Name) })
            .ListenAsync(TestContext.Current.CancellationToken).Bounded();
        var client = new TlsClientEndpoint(new TcpClientEndpoint(IPAddress.Loopback, server.LocalEndPoints[0].Port), Name) { Options = new TlsClientOptions { TrustedRoots = _ca.Roots } };
        await using var connection = await client.ConnectAsync(TestContext.Current.CancellationToken).Bounded();

        await server.StopAsync(TestContext.Current.CancellationToken).Bounded();

        await using var accepted = await server.AcceptAsync(TestContext.Current.CancellationToken).Bounded();
        Assert.NotNull(accepted);
        Assert.Null(await server.AcceptAsync(TestContext.Current.CancellationToken).Bounded());
        await Assert.ThrowsAsync<ConnectException>(() => client.ConnectAsync(TestContext.Current.CancellationToken).Bounded());
    }

    [Fact]
    public void TargetHost_DefaultsToTheInnerEndpointsHost_AndIsRequiredOtherwise()
    {
        Assert.Equal("example.com", new TlsClientEndpoint(new HostnameEndpoint("example.com", 443)).TargetHost);
        var linkLocal = new TcpClientEndpoint(IPAddress.Parse("fe80::1%1"), 443);
        Assert.Equal(linkLocal.Host, new TlsClientEndpoint(linkLocal).TargetHost);
        Assert.Throws<ArgumentException>(() => new TlsClientEndpoint(new TlsClientEndpoint(new HostnameEndpoint("example.com", 443))));
        Assert.Throws<ArgumentException>(() => new TlsServerEndpoint(new TcpServerEndpoint(443), new TlsServerOptions()));
    }

    private static HostTableResolver BothLoopbacks(string name) => new HostTableResolver().Add(name, IPAddress.IPv6Loopback).Add(name, IPAddress.Loopback);

    private static void SkipUnlessIPv6(AddressFamily family)
    {
        if (family == AddressFamily.InterNetworkV6)
        {
            IPv6Support.SkipUnlessAvailable(IPAddress.IPv6Loopback);
        }
    }

    // A TLS server on 127.0.0.1 and a plain listener on [::1], on one port: the port 0 gave the first may be taken on ::1.
    private static async Task<(TlsTestServer Tls, IStreamListener Silent)> ListenOnOnePortAsync(X509Certificate2 certificate)
    {
        for (int attempt = 0; ; attempt++)
        {
            var tls = await TlsTestServer.StartAsync(new TlsServerEndpoint(new TcpServerEndpoint(IPAddress.Loopback, 0), new TlsServerOptions { Certificate = certificate }));
            try
            {
                var silent = await new TcpServerEndpoint(IPAddress.IPv6Loopback, tls.Port).ListenAsync(TestContext.Current.CancellationToken).Bounded();
                return (tls, silent);
            }
            catch (ListenException) when (attempt < 10)
            {
                await tls.DisposeAsync();
            }
        }
    }

    private static async Task<StreamConnection> AcceptWithSniCallbackAsync(IStreamListener listener, X509Certificate2 certificate, Action<string?> sni)
    {
        var plain = (await listener.AcceptAsync(TestContext.Current.CancellationToken))!;
        var ssl = new SslStream(plain.Stream);
        await ssl.AuthenticateAsServerAsync(
            (stream, hello, state, token) =>
            {
                sni(hello.ServerName);
                return ValueTask.FromResult(new SslServerAuthenticationOptions { ServerCertificate = certificate });
            },
            null,
            TestContext.Current.CancellationToken);
        return new StreamConnection(ssl, plain.Socket, plain.LocalEndPoint, plain.RemoteEndPoint);
    }

    private static async Task<string> EchoAsync(StreamConnection connection, string text)
    {
        byte[] sent = Encoding.UTF8.GetBytes(text);
        await connection.Stream.WriteAsync(sent, TestContext.Current.CancellationToken);
        var received = new byte[sent.Length];
        await connection.Stream.ReadExactlyAsync(received, TestContext.Current.CancellationToken).AsTask().Bounded();
        return Encoding.UTF8.GetString(received);
    }

    // One byte at a time: what follows the line belongs to the TLS handshake and must stay in the socket.
    private static async Task<string> ReadLineAsync(Stream stream)
    {
        var line = new List<byte>();
        var one = new byte[1];
        while (await stream.ReadAsync(one, TestContext.Current.CancellationToken) == 1 && one[0] != '\n')
        {
            line.Add(one[0]);
        }

        return Encoding.ASCII.GetString([.. line]).TrimEnd('\r');
    }

    // Reads (the ClientHello, say) until the peer closes; a reset counts as closed.
    private static async Task ReadUntilClosedAsync(Stream stream)
    {
        var buffer = new byte[4096];
        try
        {
            while (await stream.ReadAsync(buffer, TestContext.Current.CancellationToken) > 0)
            {
            }
        }
        catch (IOException)
        {
        }
    }

    private static async Task<int> ReceiveUntilClosedAsync(Socket socket)
    {
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, TestContext.Current.CancellationToken)) > 0)
            {
            }

            return read;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            return 0;
        }
    }
}
