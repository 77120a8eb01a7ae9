using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace DualStack.Tests.Shared;

// A small authoritative DNS server for tests: UDP and TCP on one port of one address, answering A,
// AAAA and CNAME from a table, and misbehaving on request (delays per record type, truncation,
// chosen RCODEs, silence, forged and malformed datagrams before the real answer).
//
// Why its own encoder and parser rather than the library's internal DnsMessageWriter/Reader: a
// mistake shared by both sides (a wrong offset, a flag in the wrong bit) would cancel out and every
// test would pass. This side writes names compressed, as real servers do, which the client's writer
// never does, so the client's pointer handling is exercised on every answer.
//
// It uses only the BCL (no xunit, no library types), so it can be linked into a console program to
// run as a stand-alone server, and it binds whatever address it is given, not only loopback, so that
// lab tests can put it in a network namespace as the "slow AAAA" resolver.
//
// Delays run on real time (TimeProvider.System): they shape the order in which real datagrams leave.
// Tests of timing logic must use a fake clock on the client side instead of relying on them.

/// <summary>An in-process DNS server on UDP and TCP, same port, for tests. Dispose to stop it.</summary>
public sealed class LoopbackDnsServer : IAsyncDisposable
{
    public const ushort TypeA = 1;
    public const ushort TypeCName = 5;
    public const ushort TypeAaaa = 28;

    public const int NoError = 0;
    public const int FormatError = 1;
    public const int ServerFailure = 2;
    public const int NameError = 3;
    public const int NotImplemented = 4;
    public const int Refused = 5;

    /// <summary>The addresses that forged answers carry (RFC 5737 and RFC 3849 documentation ranges).</summary>
    public static readonly IPAddress PoisonIPv4 = IPAddress.Parse("192.0.2.66");

    /// <inheritdoc cref="PoisonIPv4"/>
    public static readonly IPAddress PoisonIPv6 = IPAddress.Parse("2001:db8::66");

    private const ushort ClassInternet = 1;
    private const ushort ClassChaos = 3;
    private const ushort ResponseFlag = 0x8000;
    private const ushort AuthoritativeFlag = 0x0400;
    private const ushort TruncatedFlag = 0x0200;
    private const ushort RecursionDesiredFlag = 0x0100;
    private const ushort RecursionAvailableFlag = 0x0080;

    private readonly Socket _udp;
    private readonly Socket _tcp;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<IPAddress>> _addresses = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string> _cnames = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, int> _rcodes = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _silent = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _truncated = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _badFirst = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<LoopbackDnsQuery> _queries = [];
    private readonly List<(int Count, TaskCompletionSource Done)> _waiters = [];
    private readonly List<Task> _handlers = [];
    private readonly Task _udpLoop;
    private readonly Task _tcpLoop;

    /// <summary>Binds UDP and TCP to one free port of <paramref name="address"/> and starts answering.</summary>
    public LoopbackDnsServer(IPAddress address)
        : this(new IPEndPoint(address ?? throw new ArgumentNullException(nameof(address)), 0), static (family, type, protocol) => new Socket(family, type, protocol))
    {
    }

    /// <summary>
    /// Binds UDP and TCP to <paramref name="endPoint"/> (port 0: one free port for both) with sockets made by
    /// <paramref name="createSocket"/>, and starts answering.
    /// </summary>
    /// <remarks>
    /// A fixed port (53) is what the system resolver needs: <c>resolv.conf</c> names no port. A socket factory such as
    /// a network namespace's <c>CreateSocket</c> puts the server inside that namespace, while its receive loops start
    /// on the calling thread's side (a thread pool thread started from inside a namespace would stay there).
    /// </remarks>
    public LoopbackDnsServer(IPEndPoint endPoint, Func<AddressFamily, SocketType, ProtocolType, Socket> createSocket)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        ArgumentNullException.ThrowIfNull(createSocket);
        (_udp, _tcp) = Bind(endPoint, createSocket);
        EndPoint = new IPEndPoint(endPoint.Address, ((IPEndPoint)_udp.LocalEndPoint!).Port);
        _udpLoop = Task.Run(ServeUdpAsync);
        _tcpLoop = Task.Run(ServeTcpAsync);
    }

    /// <summary>The address and port, shared by UDP and TCP.</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>How long to wait before answering an A query (real time).</summary>
    public TimeSpan ADelay { get; set; }

    /// <summary>How long to wait before answering an AAAA query (real time).</summary>
    public TimeSpan AaaaDelay { get; set; }

    /// <summary>Answer every UDP query with TC set and no answers; TCP gets the full answer.</summary>
    public bool Truncate { get; set; }

    /// <summary>Never answer anything (queries are still counted).</summary>
    public bool Silent { get; set; }

    /// <summary>Never answer over TCP, while UDP answers as usual: a server whose TCP side hangs.</summary>
    public bool SilentOverTcp { get; set; }

    /// <summary>Before each UDP answer, send forged and malformed datagrams (see <see cref="BadAnswersFirstFor"/>).</summary>
    public bool BadAnswersFirst { get; set; }

    /// <summary>Every query received so far, in arrival order.</summary>
    public IReadOnlyList<LoopbackDnsQuery> Queries
    {
        get
        {
            lock (_gate)
            {
                return [.. _queries];
            }
        }
    }

    /// <summary>Adds an A or AAAA record, by the address's family.</summary>
    public void Add(string name, IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        lock (_gate)
        {
            var key = Normalize(name);
            if (!_addresses.TryGetValue(key, out var list))
            {
                _addresses[key] = list = [];
            }

            list.Add(address);
        }
    }

    /// <summary>Adds a CNAME record: <paramref name="alias"/> is another name for <paramref name="target"/>.</summary>
    public void AddCName(string alias, string target)
    {
        lock (_gate)
        {
            _cnames[Normalize(alias)] = Normalize(target);
        }
    }

    /// <summary>Answers every query for <paramref name="name"/> with <paramref name="rcode"/> and no records.</summary>
    public void RcodeFor(string name, int rcode)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rcode);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rcode, 15);
        lock (_gate)
        {
            _rcodes[Normalize(name)] = rcode;
        }
    }

    /// <summary>As <see cref="Truncate"/>, for one name.</summary>
    public void TruncateFor(string name)
    {
        lock (_gate)
        {
            _truncated.Add(Normalize(name));
        }
    }

    /// <summary>As <see cref="Silent"/>, for one name.</summary>
    public void SilentFor(string name)
    {
        lock (_gate)
        {
            _silent.Add(Normalize(name));
        }
    }

    /// <summary>
    /// Before the real UDP answer for <paramref name="name"/>, send answers carrying <see cref="PoisonIPv4"/> or
    /// <see cref="PoisonIPv6"/> with a wrong id, a wrong question name, type or class, QR clear, from another port,
    /// over 512 bytes, cut short, and with a compression pointer to itself. A client that accepts any of them
    /// returns a poison address or fails.
    /// </summary>
    public void BadAnswersFirstFor(string name)
    {
        lock (_gate)
        {
            _badFirst.Add(Normalize(name));
        }
    }

    /// <summary>How many queries for <paramref name="name"/> of <paramref name="type"/> arrived over <paramref name="transport"/>.</summary>
    public int QueryCount(string name, ushort type, ProtocolType transport)
    {
        var key = Normalize(name);
        lock (_gate)
        {
            return _queries.Count(q => q.Type == type && q.Transport == transport && string.Equals(q.Name, key, StringComparison.OrdinalIgnoreCase));
        }
    }

    /// <summary>Completes once at least <paramref name="count"/> queries have arrived in all.</summary>
    public Task WaitForQueriesAsync(int count, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_queries.Count >= count)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, done));
            return done.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Stops answering, closes the sockets and waits for every handler; rethrows a handler's unexpected failure.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        await _stop.CancelAsync();
        _udp.Dispose();
        _tcp.Dispose();
        Task[] handlers;
        lock (_gate)
        {
            handlers = [.. _handlers];
        }

        try
        {
            await Task.WhenAll([_udpLoop, _tcpLoop, .. handlers]);
        }
        finally
        {
            _stop.Dispose();
        }
    }

    private static (Socket Udp, Socket Tcp) Bind(IPEndPoint endPoint, Func<AddressFamily, SocketType, ProtocolType, Socket> createSocket)
    {
        // Port 0: UDP takes a free port first; if TCP's side of that port is taken, start again with another.
        for (int attempt = 1; ; attempt++)
        {
            var udp = createSocket(endPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            Socket? tcp = null;
            try
            {
                udp.Bind(endPoint);
                tcp = createSocket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                tcp.Bind(new IPEndPoint(endPoint.Address, ((IPEndPoint)udp.LocalEndPoint!).Port));
                tcp.Listen();
                return (udp, tcp);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse && endPoint.Port == 0 && attempt < 20)
            {
                udp.Dispose();
                tcp?.Dispose();
            }
            catch
            {
                udp.Dispose();
                tcp?.Dispose();
                throw;
            }
        }
    }

    private async Task ServeUdpAsync()
    {
        var buffer = new byte[65536];
        var any = new IPEndPoint(EndPoint.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (true)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _udp.ReceiveFromAsync(buffer, SocketFlags.None, any, _stop.Token);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
            {
                continue; // Windows: an ICMP error for an earlier answer.
            }
            catch (Exception e) when (IsShutdown(e))
            {
                return;
            }

            Track(HandleUdpAsync(buffer[..received.ReceivedBytes], (IPEndPoint)received.RemoteEndPoint));
        }
    }

    private async Task ServeTcpAsync()
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await _tcp.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (IsShutdown(e))
            {
                return;
            }

            Track(HandleTcpAsync(client));
        }
    }

    private async Task HandleUdpAsync(byte[] datagram, IPEndPoint from)
    {
        if (!TryParseQuery(datagram, out var query))
        {
            return;
        }

        var plan = Record(query, ProtocolType.Udp, from);
        if (plan.Silent)
        {
            return;
        }

        try
        {
            await DelayAsync(query.Type);
            if (plan.BadFirst)
            {
                await SendBadAnswersAsync(query, from);
            }

            var (rcode, answers) = Answer(query);
            ushort flags = ResponseFlags(query, rcode);
            byte[] answer = plan.Truncate
                ? Encode(query.Id, (ushort)(flags | TruncatedFlag), query.Name, query.Type, query.Class, [])
                : Encode(query.Id, flags, query.Name, query.Type, query.Class, answers);
            await _udp.SendToAsync(answer, SocketFlags.None, from, _stop.Token);
        }
        catch (Exception e) when (IsShutdown(e))
        {
        }
    }

    private async Task HandleTcpAsync(Socket client)
    {
        using (client)
        {
            try
            {
                await using var stream = new NetworkStream(client, ownsSocket: false);
                var prefix = new byte[2];
                while (true)
                {
                    // RFC 7766 section 6.2.1: a client may send several queries on one connection.
                    if (await stream.ReadAtLeastAsync(prefix, 2, throwOnEndOfStream: false, _stop.Token) < 2)
                    {
                        return;
                    }

                    var message = new byte[BinaryPrimitives.ReadUInt16BigEndian(prefix)];
                    await stream.ReadExactlyAsync(message, _stop.Token);
                    if (!TryParseQuery(message, out var query))
                    {
                        return;
                    }

                    var plan = Record(query, ProtocolType.Tcp, (IPEndPoint)client.RemoteEndPoint!);
                    if (plan.Silent)
                    {
                        continue;
                    }

                    await DelayAsync(query.Type);
                    var (rcode, answers) = Answer(query);
                    byte[] answer = Encode(query.Id, ResponseFlags(query, rcode), query.Name, query.Type, query.Class, answers);
                    var framed = new byte[2 + answer.Length];
                    BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)answer.Length);
                    answer.CopyTo(framed, 2);
                    await stream.WriteAsync(framed, _stop.Token);
                }
            }
            catch (Exception e) when (IsShutdown(e) || e is EndOfStreamException or IOException)
            {
                // The client went away or the server is stopping.
            }
        }
    }

    private async Task SendBadAnswersAsync((ushort Id, ushort Flags, string Name, ushort Type, ushort Class) query, IPEndPoint to)
    {
        var (_, answers) = Answer(query);
        var poisoned = answers.Where(a => a.Type == TypeCName).ToList();
        string end = poisoned.Count > 0 ? poisoned[^1].Target! : query.Name;
        if (query.Type is TypeA or TypeAaaa)
        {
            poisoned.Add((end, query.Type, query.Type == TypeA ? PoisonIPv4 : PoisonIPv6, null));
        }

        ushort flags = ResponseFlags(query, NoError);
        ushort otherType = query.Type == TypeA ? TypeAaaa : TypeA;
        byte[] good = Encode(query.Id, flags, query.Name, query.Type, query.Class, poisoned);
        byte[] selfPointer = [.. good.AsSpan(0, 6), 0, 1, 0, 0, 0, 0, .. Encode(query.Id, flags, query.Name, query.Type, query.Class, []).AsSpan(12)];
        int loopAt = selfPointer.Length;
        selfPointer = [.. selfPointer, (byte)(0xC0 | (loopAt >> 8)), (byte)loopAt, 0, (byte)query.Type, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 66];
        byte[][] bad =
        [
            Encode((ushort)(query.Id + 1), flags, query.Name, query.Type, query.Class, poisoned),
            Encode(query.Id, flags, "poison." + query.Name, query.Type, query.Class, poisoned),
            Encode(query.Id, flags, query.Name, otherType, query.Class, poisoned),
            Encode(query.Id, flags, query.Name, query.Type, ClassChaos, poisoned),
            Encode(query.Id, (ushort)(flags & ~ResponseFlag), query.Name, query.Type, query.Class, poisoned),
            good[..^2],
            [.. good, .. new byte[Math.Max(0, 600 - good.Length)]],
            selfPointer,
        ];
        foreach (var datagram in bad)
        {
            await _udp.SendToAsync(datagram, SocketFlags.None, to, _stop.Token);
        }

        // A well-formed answer to the right query, but from another port than the server's.
        using var stranger = new Socket(EndPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        stranger.Bind(new IPEndPoint(EndPoint.Address, 0));
        await stranger.SendToAsync(good, SocketFlags.None, to, _stop.Token);
    }

    private (bool Silent, bool Truncate, bool BadFirst) Record(
        (ushort Id, ushort Flags, string Name, ushort Type, ushort Class) query, ProtocolType transport, IPEndPoint from)
    {
        var key = Normalize(query.Name);
        List<TaskCompletionSource> done = [];
        (bool, bool, bool) plan;
        lock (_gate)
        {
            _queries.Add(new LoopbackDnsQuery(key, query.Type, transport, query.Id, from));
            for (int i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Count <= _queries.Count)
                {
                    done.Add(_waiters[i].Done);
                    _waiters.RemoveAt(i);
                }
            }

            plan = (
                Silent || _silent.Contains(key) || (transport == ProtocolType.Tcp && SilentOverTcp),
                transport == ProtocolType.Udp && (Truncate || _truncated.Contains(key)),
                transport == ProtocolType.Udp && (BadAnswersFirst || _badFirst.Contains(key)));
        }

        foreach (var waiter in done)
        {
            waiter.TrySetResult();
        }

        return plan;
    }

    /// <summary>What an authoritative server holding the table answers: the CNAME chain, then the records of its end.</summary>
    private (int Rcode, List<(string Owner, ushort Type, IPAddress? Address, string? Target)> Answers) Answer(
        (ushort Id, ushort Flags, string Name, ushort Type, ushort Class) query)
    {
        var answers = new List<(string, ushort, IPAddress?, string?)>();
        lock (_gate)
        {
            string current = Normalize(query.Name);
            if (_rcodes.TryGetValue(current, out int rcode))
            {
                return (rcode, answers);
            }

            // A chain of 16 stops loops; the client gives up after 8 links anyway.
            for (int links = 0; links < 16 && _cnames.TryGetValue(current, out var target); links++)
            {
                answers.Add((current, TypeCName, null, target));
                current = target;
            }

            if (!_addresses.TryGetValue(current, out var addresses))
            {
                return (_cnames.ContainsKey(current) ? NoError : NameError, answers);
            }

            var family = query.Type switch
            {
                TypeA => AddressFamily.InterNetwork,
                TypeAaaa => AddressFamily.InterNetworkV6,
                _ => AddressFamily.Unknown,
            };
            foreach (var address in addresses.Where(a => a.AddressFamily == family))
            {
                answers.Add((current, query.Type, address, null));
            }

            return (NoError, answers);
        }
    }

    private Task DelayAsync(ushort type)
    {
        var delay = type switch
        {
            TypeA => ADelay,
            TypeAaaa => AaaaDelay,
            _ => TimeSpan.Zero,
        };
        return delay > TimeSpan.Zero ? Task.Delay(delay, TimeProvider.System, _stop.Token) : Task.CompletedTask;
    }

    private static ushort ResponseFlags((ushort Id, ushort Flags, string Name, ushort Type, ushort Class) query, int rcode) =>
        (ushort)(ResponseFlag | (query.Flags & 0x7800) | AuthoritativeFlag | (query.Flags & RecursionDesiredFlag) | RecursionAvailableFlag | rcode);

    /// <summary>Parses a query: header, exactly one question, names without compression (clients never compress a lone question).</summary>
    private static bool TryParseQuery(byte[] message, out (ushort Id, ushort Flags, string Name, ushort Type, ushort Class) query)
    {
        query = default;
        if (message.Length < 12 || BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(4)) != 1)
        {
            return false;
        }

        var labels = new List<string>();
        int offset = 12;
        while (offset < message.Length && message[offset] != 0)
        {
            int length = message[offset];
            if (length > 63 || offset + 1 + length > message.Length)
            {
                return false;
            }

            labels.Add(Encoding.Latin1.GetString(message, offset + 1, length));
            offset += 1 + length;
        }

        if (offset + 5 > message.Length)
        {
            return false;
        }

        query = (
            BinaryPrimitives.ReadUInt16BigEndian(message),
            BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(2)),
            string.Join('.', labels),
            BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(offset + 1)),
            BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(offset + 3)));
        return true;
    }

    /// <summary>Encodes a response with one question and the given answers, names compressed against every earlier name.</summary>
    private static byte[] Encode(
        ushort id, ushort flags, string name, ushort type, ushort questionClass, List<(string Owner, ushort Type, IPAddress? Address, string? Target)> answers)
    {
        var bytes = new List<byte>(512);
        var offsets = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        AddUInt16(bytes, id);
        AddUInt16(bytes, flags);
        AddUInt16(bytes, 1);
        AddUInt16(bytes, (ushort)answers.Count);
        AddUInt16(bytes, 0);
        AddUInt16(bytes, 0);
        AddName(bytes, name, offsets);
        AddUInt16(bytes, type);
        AddUInt16(bytes, questionClass);
        foreach (var answer in answers)
        {
            AddName(bytes, answer.Owner, offsets);
            AddUInt16(bytes, answer.Type);
            AddUInt16(bytes, ClassInternet);
            AddUInt16(bytes, 0);
            AddUInt16(bytes, 60); // TTL 60 s
            int lengthAt = bytes.Count;
            AddUInt16(bytes, 0);
            if (answer.Address is { } address)
            {
                bytes.AddRange(address.GetAddressBytes());
            }
            else
            {
                AddName(bytes, answer.Target!, offsets);
            }

            int length = bytes.Count - lengthAt - 2;
            bytes[lengthAt] = (byte)(length >> 8);
            bytes[lengthAt + 1] = (byte)length;
        }

        return [.. bytes];
    }

    private static void AddName(List<byte> bytes, string name, Dictionary<string, int> offsets)
    {
        var labels = Normalize(name).Split('.', StringSplitOptions.RemoveEmptyEntries);
        for (int i = 0; i < labels.Length; i++)
        {
            string suffix = string.Join('.', labels[i..]);
            if (offsets.TryGetValue(suffix, out int at))
            {
                bytes.Add((byte)(0xC0 | (at >> 8)));
                bytes.Add((byte)at);
                return;
            }

            // A pointer holds 14 bits of offset.
            if (bytes.Count < 0x4000)
            {
                offsets[suffix] = bytes.Count;
            }

            bytes.Add((byte)labels[i].Length);
            bytes.AddRange(Encoding.Latin1.GetBytes(labels[i]));
        }

        bytes.Add(0);
    }

    private static void AddUInt16(List<byte> bytes, ushort value)
    {
        bytes.Add((byte)(value >> 8));
        bytes.Add((byte)value);
    }

    private static string Normalize(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.EndsWith('.') ? name[..^1] : name;
    }

    private static bool IsShutdown(Exception e) =>
        e is OperationCanceledException or ObjectDisposedException
        || (e is SocketException s && s.SocketErrorCode is SocketError.OperationAborted or SocketError.Interrupted or SocketError.ConnectionReset or SocketError.Shutdown);

    private void Track(Task handler)
    {
        lock (_gate)
        {
            _handlers.RemoveAll(t => t.IsCompletedSuccessfully);
            _handlers.Add(handler);
        }
    }
}
