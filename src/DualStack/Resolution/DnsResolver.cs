using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using DualStack.Internal;

namespace DualStack;

// A stub DNS client for one server the caller chooses: one question per
// call, A or AAAA, over UDP, and over TCP when the answer is truncated.
//
// What an off-path attacker has to guess to get a forged answer accepted (RFC 5452): the
// 16-bit query id, which comes from RandomNumberGenerator, and our source port, which comes from a
// fresh socket bound to port 0 for every attempt so the OS picks it (at random, on current kernels).
// A forgery has to arrive before the real answer, and a wrong guess must not end the lookup, or
// a flood of wrong guesses would turn into a denial of service, which is what DnsClient.NET does:
// it fails the query on the first datagram with a wrong id. So every datagram that is not a valid
// answer to this exact query is dropped and the wait goes on, on the same socket, until the timeout:
// one from another address or port than the server, with another id, with QR clear or an OPCODE other
// than QUERY, with another question (name compared without regard to ASCII case, type, class IN), or
// one the parser refuses. Over TCP the connection already ties the answer to the server, so a bad
// answer there is a failure, not something to wait past.
//
// Options rejected:
// - DnsClient.NET: the early failure above, and the library may depend on the BCL and
//   Microsoft.Extensions.*.Abstractions only.
// - A connected UDP socket: the kernel would drop datagrams from other sources for us and report ICMP
//   port unreachable, but an ICMP error is as easy to forge as a datagram, and checking the source
//   ourselves keeps the rule visible and testable.
// - Keeping the first attempt's socket open during the second: a late answer to the first query would
//   be accepted, but it doubles the ports an attacker can aim at; each attempt stands alone.
// - EDNS(0): without it an answer over UDP is at most 512 bytes, and a bigger one comes back
//   truncated and is fetched over TCP; A and AAAA answers rarely need that.
//
// The per-query timeout is ours, so running out of it is a HostResolutionException with
// ResolutionError.Timeout; only the caller's token produces an OperationCanceledException. Every wait
// runs on TimeProvider, so tests drive the timeout with a fake clock.

/// <summary>Resolves names by asking one DNS server of the caller's choice: an A or AAAA query over UDP, retried over TCP when truncated.</summary>
/// <remarks>
/// <para>
/// Each call sends one question (A for <see cref="AddressFamily.InterNetwork"/>, AAAA for
/// <see cref="AddressFamily.InterNetworkV6"/>) with a random id from a fresh socket on a port the OS picks,
/// and waits up to <see cref="Timeout"/> for the answer, ignoring any datagram that is not a valid answer
/// to that query (another source, id or question, or malformed). After <see cref="Attempts"/> silent
/// attempts the lookup fails with <see cref="ResolutionError.Timeout"/>. A truncated answer is asked
/// again over TCP, once, with the same timeout.
/// </para>
/// <para>
/// CNAME records in the answer are followed from the name asked (at most 8 links) and
/// <see cref="HostAddresses.CanonicalName"/> is the end of that chain. Answers are returned unsorted
/// (<see cref="HostAddresses.IsOrdered"/> is <see langword="false"/>) so that callers order them by RFC 6724.
/// IP literals are answered without a query. There is no cache, no search list and no
/// <c>/etc/hosts</c>; see <c>docs/resolution-dns.md</c>.
/// </para>
/// </remarks>
public sealed class DnsResolver : IHostResolver
{
    // RFC 1034 section 3.6.2: CNAME loops must be reported as errors, and a bound on the chain is what
    // finds them. Real chains (CDNs) are one to three links long.
    private const int MaxCNameLinks = 8;

    private readonly IPEndPoint _server;
    private readonly string _serverText;

    /// <summary>Creates a resolver that asks <paramref name="server"/>.</summary>
    /// <param name="server">The DNS server: an IPv4 or IPv6 address (with its zone, for a link-local one) and a port, usually 53.</param>
    /// <exception cref="ArgumentNullException"><paramref name="server"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The port is 0.</exception>
    public DnsResolver(IPEndPoint server)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentOutOfRangeException.ThrowIfZero(server.Port, nameof(server));

        // A copy, so that the caller changing its endpoint later does not change where we send; an
        // IPv4-mapped address is asked over IPv4, whose sockets need no dual-mode option.
        var address = server.Address;
        address = address.IsIPv4MappedToIPv6 ? address.MapToIPv4()
            : address.AddressFamily == AddressFamily.InterNetworkV6 ? new IPAddress(address.GetAddressBytes(), address.ScopeId)
            : new IPAddress(address.GetAddressBytes());

        _server = new IPEndPoint(address, server.Port);
        _serverText = IPLiteral.FormatEndPoint(_server);
    }

    /// <summary>The server this resolver asks.</summary>
    public IPEndPoint Server => new(_server.Address, _server.Port);

    /// <summary>How long to wait for the answer to one query: each UDP attempt, and the TCP query after a truncated answer.</summary>
    /// <remarks>Defaults to 5 seconds (glibc's <c>RES_TIMEOUT</c>). <see cref="System.Threading.Timeout.InfiniteTimeSpan"/> waits for ever.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative and not infinite.</exception>
    public TimeSpan Timeout
    {
        get => field;
        init
        {
            if (value != System.Threading.Timeout.InfiniteTimeSpan)
            {
                ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero, nameof(Timeout));
            }

            field = value;
        }
    } = TimeSpan.FromSeconds(5);

    /// <summary>How many UDP queries to send, each from a new socket with a new id, before giving up with <see cref="ResolutionError.Timeout"/>.</summary>
    /// <remarks>Defaults to 2 (glibc's <c>RES_DFLRETRY</c>).</remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int Attempts
    {
        get => field;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, nameof(Attempts));
            field = value;
        }
    } = 2;

    /// <summary>The clock for <see cref="Timeout"/>.</summary>
    /// <remarks>Defaults to <see cref="TimeProvider.System"/>.</remarks>
    /// <exception cref="ArgumentNullException">The value is <see langword="null"/>.</exception>
    public TimeProvider TimeProvider
    {
        get => field;
        init
        {
            ArgumentNullException.ThrowIfNull(value, nameof(TimeProvider));
            field = value;
        }
    } = TimeProvider.System;

    /// <inheritdoc />
    /// <returns>
    /// The addresses of the family asked for, at the end of the CNAME chain, unsorted; none when the name
    /// exists without such addresses (NODATA). An IP literal is returned as it is when of that family, else none.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="host"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="port"/> is outside 0-65535, or <paramref name="family"/> is neither IPv4 nor IPv6.</exception>
    /// <exception cref="EndpointFormatException"><paramref name="host"/> is neither a valid host name nor an IP literal.</exception>
    /// <exception cref="HostResolutionException">
    /// The server answered NXDOMAIN (<see cref="ResolutionError.NoSuchName"/>), SERVFAIL (<see cref="ResolutionError.TryAgain"/>),
    /// another error or a bad TCP answer (<see cref="ResolutionError.Failure"/>), or did not answer in time (<see cref="ResolutionError.Timeout"/>).
    /// </exception>
    public async ValueTask<HostAddresses> ResolveAsync(string host, int port, AddressFamily family, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentOutOfRangeException.ThrowIfLessThan(port, IPEndPoint.MinPort);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, IPEndPoint.MaxPort);
        if (family is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6 or AddressFamily.Unspecified))
        {
            throw new ArgumentOutOfRangeException(nameof(family), family, "the family must be InterNetwork (A), InterNetworkV6 (AAAA) or Unspecified (both)");
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (family == AddressFamily.Unspecified)
        {
            return await ResolveBothAsync(host, port, cancellationToken).ConfigureAwait(false);
        }

        // A colon can only be an IPv6 literal, and IPLiteral says precisely what is wrong with a bad one;
        // a host name would fail on the colon with a vaguer message.
        if (host.Contains(':', StringComparison.Ordinal) || IPLiteral.TryParseAddress(host, out _))
        {
            var literal = IPLiteral.ParseAddress(host);
            return new HostAddresses(
                literal.AddressFamily == family ? [new IPEndPoint(literal, port)] : [],
                isOrdered: true,
                canonicalName: null);
        }

        string name = DnsName.TrimRoot(HostName.ToAscii(host));
        var type = family == AddressFamily.InterNetworkV6 ? DnsRecordType.Aaaa : DnsRecordType.A;
        var answer = await QueryAsync(host, name, type, cancellationToken).ConfigureAwait(false);
        return Interpret(answer, host, name, type, port);
    }

    // Both families: an AAAA and an A query at once, as getaddrinfo(AF_UNSPEC) sends them. One family failing is not
    // an error while the other has addresses; the answer is unsorted (RFC 6724 sorts it).
    private async Task<HostAddresses> ResolveBothAsync(string host, int port, CancellationToken cancellationToken)
    {
        var v6 = ResolveAsync(host, port, AddressFamily.InterNetworkV6, cancellationToken).AsTask();
        var v4 = ResolveAsync(host, port, AddressFamily.InterNetwork, cancellationToken).AsTask();
        try
        {
            await Task.WhenAll(v6, v4).ConfigureAwait(false);
        }
        catch (HostResolutionException) when (v6.IsCompletedSuccessfully || v4.IsCompletedSuccessfully)
        {
        }

        var answers = new[] { v6, v4 }.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result).ToList();
        return new HostAddresses(
            [.. answers.SelectMany(a => a.EndPoints)],
            isOrdered: false,
            canonicalName: answers.Select(a => a.CanonicalName).FirstOrDefault(c => c is not null));
    }

    private async Task<DnsMessage> QueryAsync(string host, string name, DnsRecordType type, CancellationToken cancellationToken)
    {
        for (int attempt = 1; attempt <= Attempts; attempt++)
        {
            // A new id for each attempt: an attacker who saw one query learns nothing about the next.
            ushort id = (ushort)RandomNumberGenerator.GetInt32(0, ushort.MaxValue + 1);
            byte[] query = DnsMessageWriter.WriteQuery(id, name, type);
            var answer = await ExchangeOverUdpAsync(host, query, id, name, type, cancellationToken).ConfigureAwait(false);
            if (answer is null)
            {
                continue;
            }

            // RFC 1035 section 4.2.1 and RFC 7766 section 5: a truncated answer is asked again over TCP.
            return answer.IsTruncated
                ? await ExchangeOverTcpAsync(host, query, id, name, type, cancellationToken).ConfigureAwait(false)
                : answer;
        }

        throw new HostResolutionException(
            host,
            ResolutionError.Timeout,
            $"Timed out: no answer from {_serverText} to {Attempts} {(Attempts == 1 ? "query" : "queries")} of {FormatTimeout()} each",
            null);
    }

    // <summary>Sends one query over UDP and returns the first valid answer, or <see langword="null"/> when <see cref="Timeout"/> passes first.</summary>
    private async Task<DnsMessage?> ExchangeOverUdpAsync(
        string host, byte[] query, ushort id, string name, DnsRecordType type, CancellationToken cancellationToken)
    {
        using var timeoutSource = new CancellationTokenSource(Timeout, TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        Socket socket;
        try
        {
            socket = new Socket(_server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        }
        catch (SocketException e)
        {
            throw Failure(host, $"cannot open a UDP socket to reach {_serverText}: {e.Message}", e);
        }

        using (socket)
        {
            var any = _server.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any;

            // One byte more than the limit, so that an oversized datagram shows as such instead of being
            // cut to a plausible 512 bytes.
            var buffer = new byte[DnsMessageReader.MaxUdpLength + 1];
            try
            {
                // Port 0: the OS picks the source port, at random on current Linux kernels, as RFC 6056 recommends.
                socket.Bind(new IPEndPoint(any, 0));
                await socket.SendToAsync(query, SocketFlags.None, _server, linked.Token).ConfigureAwait(false);
                while (true)
                {
                    SocketReceiveFromResult received;
                    try
                    {
                        received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(any, 0), linked.Token).ConfigureAwait(false);
                    }
                    catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.MessageSize)
                    {
                        // Windows reports an ICMP error for an earlier send (anyone can forge one) and a
                        // datagram too big for the buffer this way; neither is the answer.
                        continue;
                    }

                    if (received.RemoteEndPoint is IPEndPoint from
                        && IsServer(from)
                        && received.ReceivedBytes <= DnsMessageReader.MaxUdpLength
                        && Validate(buffer.AsSpan(0, received.ReceivedBytes), id, name, type, out var answer) is null)
                    {
                        return answer;
                    }
                }
            }
            catch (OperationCanceledException e) when (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException(e.Message, e, cancellationToken);
            }
            catch (OperationCanceledException) when (timeoutSource.IsCancellationRequested)
            {
                return null;
            }
            catch (SocketException e)
            {
                throw Failure(host, $"cannot send a query to {_serverText}: {e.Message}", e);
            }
        }
    }

    // <summary>Sends the query over TCP with its 2-byte length (RFC 1035 section 4.2.2) and reads the one answer.</summary>
    private async Task<DnsMessage> ExchangeOverTcpAsync(
        string host, byte[] query, ushort id, string name, DnsRecordType type, CancellationToken cancellationToken)
    {
        using var timeoutSource = new CancellationTokenSource(Timeout, TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        byte[] response;
        try
        {
            using var socket = new Socket(_server.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(_server, linked.Token).ConfigureAwait(false);
            using var stream = new NetworkStream(socket, ownsSocket: false);

            var framed = new byte[2 + query.Length];
            framed[0] = (byte)(query.Length >> 8);
            framed[1] = (byte)query.Length;
            query.CopyTo(framed, 2);
            await stream.WriteAsync(framed, linked.Token).ConfigureAwait(false);

            var prefix = new byte[2];
            await stream.ReadExactlyAsync(prefix, linked.Token).ConfigureAwait(false);
            response = new byte[(prefix[0] << 8) | prefix[1]];
            await stream.ReadExactlyAsync(response, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(e.Message, e, cancellationToken);
        }
        catch (OperationCanceledException) when (timeoutSource.IsCancellationRequested)
        {
            throw new HostResolutionException(
                host, ResolutionError.Timeout, $"Timed out: no answer over TCP from {_serverText} within {FormatTimeout()}", null);
        }
        catch (EndOfStreamException e)
        {
            throw Failure(host, $"{_serverText} closed the TCP connection before the whole answer arrived", e);
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            throw Failure(host, $"TCP query to {_serverText} failed: {e.Message}", e);
        }

        string? problem = Validate(response, id, name, type, out var answer);
        return problem is null
            ? answer!
            : throw Failure(host, $"bad answer over TCP from {_serverText}: {problem}", null);
    }

    // <summary>Parses <paramref name="message"/> and checks that it answers this very query.</summary>
    // <returns><see langword="null"/> when it does; else what is wrong with it.</returns>
    internal static string? Validate(ReadOnlySpan<byte> message, ushort id, string name, DnsRecordType type, out DnsMessage? answer)
    {
        answer = null;
        DnsMessage parsed;
        try
        {
            parsed = DnsMessageReader.Read(message);
        }
        catch (DnsFormatException e)
        {
            return e.Message;
        }

        if (parsed.Id != id)
        {
            return $"id {parsed.Id} instead of {id}";
        }

        if (!parsed.IsResponse || parsed.Opcode != 0)
        {
            return "not a response to a standard query";
        }

        // RFC 5452 section 9.1: the question must come back as it was asked. Servers echo it in every
        // answer, errors included; only a FORMERR for a query they could not parse may omit it.
        if (parsed.Questions is not [var question]
            || question.Type != type
            || question.Class != DnsMessage.ClassInternet
            || !DnsName.AreEqual(question.Name, name))
        {
            return "the question is not the one asked";
        }

        answer = parsed;
        return null;
    }

    internal HostAddresses Interpret(DnsMessage answer, string host, string name, DnsRecordType type, int port)
    {
        // The texts are getaddrinfo's (gai_strerror in glibc), followed by the RCODE and the server.
        switch (answer.ResponseCode)
        {
            case DnsResponseCode.NoError:
                break;
            case DnsResponseCode.NameError:
                throw new HostResolutionException(host, ResolutionError.NoSuchName, $"Name or service not known (NXDOMAIN from {_serverText})", null);
            case DnsResponseCode.ServerFailure:
                throw new HostResolutionException(host, ResolutionError.TryAgain, $"Temporary failure in name resolution (SERVFAIL from {_serverText})", null);
            default:
                throw Failure(host, $"Non-recoverable failure in name resolution ({RcodeName(answer.ResponseCode)} from {_serverText})", null);
        }

        // RFC 1034 section 4.3.2: the answer section holds the CNAME chain from the name asked, then the
        // records of the last name. Only records on that chain count; others are ignored, whoever sent them.
        string current = name;
        int links = 0;
        while (FindCName(answer.Answers, current) is { } target)
        {
            if (++links > MaxCNameLinks)
            {
                throw Failure(host, $"the CNAME chain from '{name}' is longer than {MaxCNameLinks} links (answer from {_serverText})", null);
            }

            current = target;
        }

        var endPoints = new List<IPEndPoint>();
        uint? timeToLive = null;
        foreach (var record in answer.Answers)
        {
            if (record.Type == type && record.Address is { } address && DnsName.AreEqual(record.Name, current))
            {
                endPoints.Add(new IPEndPoint(address, port));
                timeToLive = Math.Min(timeToLive ?? uint.MaxValue, record.TimeToLive);
            }
        }

        // No address at the end of the chain is NODATA: the name exists, just not with this family.
        return new HostAddresses(endPoints, isOrdered: false, canonicalName: current)
        {
            TimeToLive = timeToLive is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
        };
    }

    private static string? FindCName(IReadOnlyList<DnsRecord> records, string owner)
    {
        foreach (var record in records)
        {
            if (record.Type == DnsRecordType.CName && record.Target is { } target && DnsName.AreEqual(record.Name, owner))
            {
                return target;
            }
        }

        return null;
    }

    // The socket reports the zone of a link-local source; a server given without one matches any zone,
    // since the send itself would have failed had the zone been needed and missing.
    private bool IsServer(IPEndPoint from) =>
        from.Port == _server.Port
        && from.AddressFamily == _server.AddressFamily
        && from.Address.GetAddressBytes().AsSpan().SequenceEqual(_server.Address.GetAddressBytes())
        && (_server.AddressFamily != AddressFamily.InterNetworkV6
            || _server.Address.ScopeId == 0
            || from.Address.ScopeId == 0
            || from.Address.ScopeId == _server.Address.ScopeId);

    private static HostResolutionException Failure(string host, string detail, Exception? inner) =>
        new(host, ResolutionError.Failure, detail, inner);

    private string FormatTimeout() =>
        Timeout == System.Threading.Timeout.InfiniteTimeSpan ? "infinite" : $"{Timeout.TotalMilliseconds:0} ms";

    private static string RcodeName(DnsResponseCode code) => code switch
    {
        DnsResponseCode.FormatError => "FORMERR",
        DnsResponseCode.NotImplemented => "NOTIMP",
        DnsResponseCode.Refused => "REFUSED",
        _ => $"RCODE {(int)code}",
    };
}
