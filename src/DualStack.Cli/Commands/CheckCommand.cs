using System.CommandLine;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace DualStack.Cli.Commands;

/// <summary>
/// <c>dualstack check HOST PORT</c>: resolve each family on its own, try every address on its own, and say in plain
/// words which family works and what that means for a Happy Eyeballs client and a sequential one.
/// </summary>
internal static class CheckCommand
{
    // How many addresses are tried at once: enough for a name with many addresses, few enough not to look like a scan.
    private const int Concurrency = 8;

    // The human output fits this many columns where it can; the verdict is wrapped to it.
    private const int Columns = 60;

    private static readonly TimeSpan s_defaultTimeout = TimeSpan.FromSeconds(3);

    public static Command Create()
    {
        var host = new Argument<string>("HOST") { Description = "A host name or an address literal (fe80::1%eth0)" };
        var port = new Argument<int>("PORT") { Description = "The port, 0-65535" };
        var family = FamilyOption.Create();
        var timeout = new Option<double?>("--timeout")
        {
            HelpName = "S",
            Description = $"Seconds each address may take to connect (and, with --tls, to make its handshake) [default: {s_defaultTimeout.TotalSeconds:0}]",
        };
        var tls = new TlsClientOption("Make a TLS handshake with each address that connects; the certificate must be valid for HOST");
        var resolver = ResolverOption.Create();

        var command = new Command("check", "Try every address of a host on its own, per family, and say which family works");
        command.Arguments.Add(host);
        command.Arguments.Add(port);
        Option[] options = [family, timeout, .. tls.All, resolver];
        foreach (var option in options)
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            string name = parseResult.GetValue(host)!;
            var check = new Check(
                IPLiteral.TryParseAddress(name, out var literal) ? IPLiteral.FormatAddress(literal) : HostName.ToAscii(name),
                literal,
                Ranges.Port(parseResult.GetValue(port)),
                FamilyOption.Parse(parseResult.GetValue(family)!),
                parseResult.GetValue(timeout) is { } seconds ? Ranges.Seconds("--timeout", seconds) : s_defaultTimeout,
                tls.Parse(parseResult),
                await ResolverOption.ResolveAsync(parseResult.GetValue(resolver)!, cancellationToken));
            if (literal is not null && check.Family != AddressFamily.Unspecified && check.Family != IPLiteral.Unmap(literal).AddressFamily)
            {
                throw new ArgumentException($"--family {parseResult.GetValue(family)}: {check.Host} is an {CheckVerdict.Name(IPLiteral.Unmap(literal).AddressFamily)} address");
            }

            bool json = parseResult.GetValue(CliOptions.Json);
            IReadOnlyList<FamilyCheck> families;
            using (new Spinner($"checking {check.Host} port {check.Port}", enabled: !json))
            {
                families = await RunAsync(check, cancellationToken);
            }

            double elapsed = TimeProvider.System.GetElapsedTime(CommandClock.Start).TotalMilliseconds;
            var notChecked = literal is not null || check.Family == AddressFamily.Unspecified ? (AddressFamily?)null
                : check.Family == AddressFamily.InterNetworkV6 ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6;
            string verdict = CheckVerdict.Of(families, notChecked);
            bool ok = families.Any(f => f.Probes.Any(p => p.Works));
            if (json)
            {
                // One object per address, then the verdict.
                foreach (var probe in families.SelectMany(f => f.Probes))
                {
                    Cli.WriteJson(ProbeJson(probe, check.Tls is not null));
                }

                Cli.WriteJson(VerdictJson(check, families, verdict, ok, elapsed));
            }
            else
            {
                Print(check, families, verdict);
            }

            return ok ? Cli.Success : Cli.Error(Cli.Failure, $"no address of {check.Host} port {check.Port} works");
        });
        return command;
    }

    /// <summary>Resolves each family (both at once) and tries its addresses as soon as its answer is in.</summary>
    private static async Task<IReadOnlyList<FamilyCheck>> RunAsync(Check check, CancellationToken cancellationToken)
    {
        using var slots = new SemaphoreSlim(Concurrency);
        if (check.Literal is { } literal)
        {
            var remote = new IPEndPoint(literal, check.Port);
            return [new FamilyCheck(IPLiteral.Unmap(literal).AddressFamily, Query: null, [await ProbeAsync(check, remote, slots, cancellationToken)])];
        }

        AddressFamily[] families = check.Family == AddressFamily.Unspecified ? [AddressFamily.InterNetworkV6, AddressFamily.InterNetwork] : [check.Family];
        return await Task.WhenAll(families.Select(family => CheckFamilyAsync(check, family, slots, cancellationToken)));
    }

    private static async Task<FamilyCheck> CheckFamilyAsync(Check check, AddressFamily family, SemaphoreSlim slots, CancellationToken cancellationToken)
    {
        var query = await QueryAsync(check, family, cancellationToken);
        var probes = await Task.WhenAll(query.EndPoints.Select(remote => ProbeAsync(check, remote, slots, cancellationToken)));
        return new FamilyCheck(family, query, probes);
    }

    // One query of one family, timed; a resolver's failure is part of the report, not an error of the command.
    private static async Task<QueryResult> QueryAsync(Check check, AddressFamily family, CancellationToken cancellationToken)
    {
        long start = TimeProvider.System.GetTimestamp();
        try
        {
            var answer = await check.Resolver.ResolveAsync(check.Host, check.Port, family, cancellationToken);
            double elapsed = TimeProvider.System.GetElapsedTime(start).TotalMilliseconds;

            // Connection order, as a client would try them (the OS's resolver has already sorted its answer), once each.
            var ordered = answer.IsOrdered ? answer.EndPoints : DestinationAddressSelection.Sort(answer.EndPoints);
            return new QueryResult(elapsed, [.. ordered.DistinctBy(e => IPLiteral.FormatEndPoint(e), StringComparer.Ordinal)], null);
        }
        catch (HostResolutionException e)
        {
            return new QueryResult(TimeProvider.System.GetElapsedTime(start).TotalMilliseconds, [], e);
        }
    }

    // A plain TCP connect to one address, then with --tls a handshake over that same connection, each within the timeout.
    private static async Task<ProbeResult> ProbeAsync(Check check, IPEndPoint remote, SemaphoreSlim slots, CancellationToken cancellationToken)
    {
        await slots.WaitAsync(cancellationToken);
        try
        {
            long start = TimeProvider.System.GetTimestamp();
            StreamConnection connection;
            try
            {
                connection = await new TcpClientEndpoint(remote.Address, remote.Port) { ConnectTimeout = check.Timeout }.ConnectAsync(cancellationToken);
            }
            catch (ConnectException e)
            {
                return new ProbeResult(remote, Classify(e.SocketError), Since(start), e, Tls: null);
            }
            catch (SocketException e)
            {
                // The socket could not even be made (no IPv6 on this machine, no descriptors left).
                return new ProbeResult(remote, ProbeOutcome.Error, Since(start), e, Tls: null);
            }

            double connected = Since(start);
            await using (connection)
            {
                return new ProbeResult(remote, ProbeOutcome.Connected, connected, Error: null, check.Tls is null ? null : await HandshakeAsync(check, connection, cancellationToken));
            }
        }
        finally
        {
            slots.Release();
        }
    }

    private static async Task<TlsResult> HandshakeAsync(Check check, StreamConnection connection, CancellationToken cancellationToken)
    {
        long start = TimeProvider.System.GetTimestamp();
        try
        {
            await using var secured = await connection.StartTlsAsClientAsync(check.Host, check.Tls! with { HandshakeTimeout = check.Timeout }, cancellationToken);
            return new TlsResult(Since(start), TlsJson.Describe((SslStream)secured.Stream), Error: null);
        }
        catch (TlsHandshakeException e)
        {
            return new TlsResult(Since(start), Negotiated: null, e);
        }
    }

    private static ProbeOutcome Classify(SocketError error) => error switch
    {
        SocketError.ConnectionRefused => ProbeOutcome.Refused,
        SocketError.TimedOut => ProbeOutcome.TimedOut,
        SocketError.NetworkUnreachable or SocketError.HostUnreachable or SocketError.NetworkDown => ProbeOutcome.Unreachable,
        _ => ProbeOutcome.Error,
    };

    private static double Since(long start) => TimeProvider.System.GetElapsedTime(start).TotalMilliseconds;

    private static JsonObject VerdictJson(Check check, IReadOnlyList<FamilyCheck> families, string verdict, bool ok, double elapsed) => new()
    {
        ["verdict"] = verdict,
        ["ok"] = ok,
        ["host"] = check.Host,
        ["port"] = check.Port,
        ["queries"] = JsonShapes.Array(families.Where(f => f.Query is not null), f => new JsonObject
        {
            ["family"] = JsonShapes.Family(f.Family),
            ["elapsed_ms"] = Math.Round(f.Query!.ElapsedMs, 3),
            ["addresses"] = JsonShapes.Array(f.Query.EndPoints, e => JsonShapes.Address(e.Address)),
            ["error"] = f.Query.Error?.Message,
        }),
        ["elapsed_ms"] = Math.Round(elapsed, 3),
    };

    private static JsonObject ProbeJson(ProbeResult probe, bool tls)
    {
        var json = JsonShapes.Address(probe.Remote.Address);
        json["port"] = probe.Remote.Port;
        json["outcome"] = OutcomeName(probe.Outcome);
        json["ms"] = Math.Round(probe.ElapsedMs, 3);
        json["error"] = probe.Error?.Message;
        if (tls)
        {
            json["tls"] = probe.Tls switch
            {
                null => null,
                { Negotiated: { } negotiated } => Prepend(negotiated, ("outcome", "ok"), ("elapsed_ms", Math.Round(probe.Tls.ElapsedMs, 3)), ("error", null)),
                { Error: var error } => new JsonObject { ["outcome"] = "failed", ["elapsed_ms"] = Math.Round(probe.Tls.ElapsedMs, 3), ["error"] = error?.Message },
            };
        }

        return json;
    }

    // A fresh copy of what the handshake negotiated, with the fields every tls object has in front.
    private static JsonObject Prepend(JsonObject negotiated, params (string Key, JsonNode? Value)[] first)
    {
        var json = (JsonObject)negotiated.DeepClone();
        for (int i = 0; i < first.Length; i++)
        {
            json.Insert(i, first[i].Key, first[i].Value);
        }

        return json;
    }

    public static string OutcomeName(ProbeOutcome outcome) => outcome switch
    {
        ProbeOutcome.Connected => "connected",
        ProbeOutcome.Refused => "refused",
        ProbeOutcome.TimedOut => "timeout",
        ProbeOutcome.Unreachable => "unreachable",
        _ => "error",
    };

    // One line per query and one per address, in aligned columns (what, outcome, time, details), then the verdict
    // wrapped to the width.
    private static void Print(Check check, IReadOnlyList<FamilyCheck> families, string verdict)
    {
        var rows = new List<(string What, string Outcome, double ElapsedMs, string? Detail)>();
        foreach (var family in families.Where(f => f.Query is not null))
        {
            var query = family.Query!;
            string record = family.Family == AddressFamily.InterNetworkV6 ? "AAAA" : "A";
            rows.Add(query.Error is { } error
                ? (record, error.Error.ToString(), query.ElapsedMs, error.Detail)
                : (record, query.EndPoints.Count == 1 ? "1 address" : $"{query.EndPoints.Count} addresses", query.ElapsedMs, null));
        }

        foreach (var probe in families.SelectMany(f => f.Probes))
        {
            // The port only where the resolver changed it (an ssh_config alias can).
            string what = probe.Remote.Port == check.Port ? IPLiteral.FormatAddress(IPLiteral.Unmap(probe.Remote.Address)) : JsonShapes.EndPoint(probe.Remote);
            string? detail = probe.Outcome == ProbeOutcome.Error ? probe.Error?.InnerException?.Message ?? probe.Error?.Message : null;
            if (probe.Tls is { } tls)
            {
                detail = tls.Negotiated is { } negotiated ? $"tls ok {negotiated["protocol"]}" : $"tls failed: {tls.Error?.Reason}";
            }

            rows.Add((what, OutcomeName(probe.Outcome), probe.ElapsedMs, detail));
        }

        int whatWidth = rows.Max(r => r.What.Length);
        int outcomeWidth = rows.Max(r => r.Outcome.Length);
        foreach (var (what, outcome, elapsed, detail) in rows)
        {
            string line = $"{what.PadRight(whatWidth)}  {outcome.PadRight(outcomeWidth)} {elapsed,6:0} ms";
            Console.WriteLine(detail is null ? line : $"{line}  {detail}");
        }

        foreach (string verdictLine in Wrap(verdict, Columns))
        {
            Console.WriteLine(verdictLine);
        }
    }

    // Breaks at spaces so that each line fits the width; a word longer than the width gets a line of its own.
    private static IEnumerable<string> Wrap(string text, int width)
    {
        var line = new StringBuilder();
        foreach (string word in text.Split(' '))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > width)
            {
                yield return line.ToString();
                line.Clear();
            }

            line.Append(line.Length > 0 ? " " : string.Empty).Append(word);
        }

        if (line.Length > 0)
        {
            yield return line.ToString();
        }
    }

    /// <summary>What the command line asked for.</summary>
    private sealed record Check(string Host, IPAddress? Literal, int Port, AddressFamily Family, TimeSpan Timeout, TlsClientOptions? Tls, IHostResolver Resolver);
}

/// <summary>How a plain TCP connect to one address ended.</summary>
internal enum ProbeOutcome
{
    Connected,
    Refused,
    TimedOut,
    Unreachable,
    Error,
}

/// <summary>One family's query (none for an address literal) and the tries of its addresses, in connection order.</summary>
internal sealed record FamilyCheck(AddressFamily Family, QueryResult? Query, IReadOnlyList<ProbeResult> Probes);

/// <summary>One per-family query: how long it took, and its addresses or the resolver's error.</summary>
internal sealed record QueryResult(double ElapsedMs, IReadOnlyList<IPEndPoint> EndPoints, HostResolutionException? Error);

/// <summary>The try of one address: the TCP outcome and its time, and with <c>--tls</c> the handshake over it.</summary>
internal sealed record ProbeResult(IPEndPoint Remote, ProbeOutcome Outcome, double ElapsedMs, Exception? Error, TlsResult? Tls)
{
    /// <summary>Whether a client would get a usable connection here: connected, and with <c>--tls</c> a completed handshake.</summary>
    public bool Works => Outcome == ProbeOutcome.Connected && (Tls is null || Tls.Negotiated is not null);
}

/// <summary>A handshake over one connected address: what it negotiated (the <c>tls</c> JSON object) or why it failed.</summary>
internal sealed record TlsResult(double ElapsedMs, JsonObject? Negotiated, TlsHandshakeException? Error);
