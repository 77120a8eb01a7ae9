using System.CommandLine;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace DualStack.Cli.Commands;

/// <summary><c>dualstack connect HOST PORT</c>: connect by name or literal, Happy Eyeballs, with the race's timeline.</summary>
internal static class ConnectCommand
{
    public static Command Create()
    {
        var host = new Argument<string>("HOST") { Description = "A host name or an address literal (fe80::1%eth0)" };
        var port = new Argument<int>("PORT") { Description = "The port, 0-65535" };
        var defaults = ConnectOptions.Default;
        var attemptDelay = new Option<int?>("--attempt-delay")
        {
            HelpName = "MS",
            Description = $"Milliseconds between attempt starts, {Ranges.Ms(ConnectOptions.MinAttemptDelay)}-{Ranges.Ms(ConnectOptions.MaxDelay)} [default: {Ranges.Ms(defaults.AttemptDelay)}]",
        };
        var resolutionDelay = new Option<int?>("--resolution-delay")
        {
            HelpName = "MS",
            Description = $"Milliseconds to wait for AAAA after A, 0-{Ranges.Ms(ConnectOptions.MaxDelay)} [default: {Ranges.Ms(defaults.ResolutionDelay)}]",
        };
        var family = FamilyOption.Create();
        var policy = new Option<string>("--policy") { HelpName = "happy|sequential", Description = "happy (Happy Eyeballs) or sequential", DefaultValueFactory = _ => "happy" };
        policy.AcceptOnlyFromAmong("happy", "sequential");
        var timeout = new Option<double?>("--timeout") { HelpName = "S", Description = $"Seconds the whole connect may take [default: {defaults.ConnectTimeout.TotalSeconds:0}]" };
        var bind = new Option<string?>("--bind") { HelpName = "ADDR", Description = "Local address (or [address]:port) to connect from" };
        var send = new Option<string?>("--send") { HelpName = "TEXT", Description = "Text to send; the reply is read until the peer closes or 2 s pass" };
        var trace = new Option<bool>("--trace") { Description = "Draw the race as a timeline" };
        var resolver = ResolverOption.Create();
        var noNat64 = CliOptions.NoNat64();
        var tls = new TlsClientOption("Make a TLS handshake after connecting; the certificate must be valid for HOST");

        var command = new Command("connect", "Connect to a host by name or address over whichever family works first");
        command.Arguments.Add(host);
        command.Arguments.Add(port);
        Option[] options = [attemptDelay, resolutionDelay, family, policy, timeout, bind, .. tls.All, send, trace, resolver, noNat64];
        foreach (var option in options)
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var endpoint = new HostnameEndpoint(parseResult.GetValue(host)!, Ranges.Port(parseResult.GetValue(port)))
            {
                Family = FamilyOption.Parse(parseResult.GetValue(family)!),
                Policy = parseResult.GetValue(policy) == "sequential" ? ConnectPolicy.Sequential : ConnectPolicy.HappyEyeballs,
                Resolver = await ResolverOption.ResolveAsync(parseResult.GetValue(resolver)!, cancellationToken),
                SynthesizeNat64 = !parseResult.GetValue(noNat64),
            };
            if (parseResult.GetValue(attemptDelay) is { } delayMs)
            {
                endpoint = endpoint with { AttemptDelay = Ranges.Milliseconds("--attempt-delay", delayMs, ConnectOptions.MinAttemptDelay, ConnectOptions.MaxDelay) };
            }

            if (parseResult.GetValue(resolutionDelay) is { } resolutionMs)
            {
                endpoint = endpoint with { ResolutionDelay = Ranges.Milliseconds("--resolution-delay", resolutionMs, TimeSpan.Zero, ConnectOptions.MaxDelay) };
            }

            if (parseResult.GetValue(timeout) is { } seconds)
            {
                endpoint = endpoint with { ConnectTimeout = Ranges.Seconds("--timeout", seconds) };
            }

            if (parseResult.GetValue(bind) is { } bindText)
            {
                endpoint = endpoint with { BindEndPoint = ParseBind(bindText) };
            }

            IStreamClientEndpoint target = tls.Parse(parseResult) is { } tlsOptions ? new TlsClientEndpoint(endpoint) { Options = tlsOptions } : endpoint;

            string? text = parseResult.GetValue(send);
            bool json = parseResult.GetValue(CliOptions.Json);

            // Standard input that is not a terminal, and nothing else asked of stdout: netcat-style piping.
            bool pipe = text is null && !json && Console.IsInputRedirected;
            return await RunAsync(target, CommandClock.Start, text, parseResult.GetValue(trace), json, cancellationToken, pipe);
        });
        return command;
    }

    /// <summary>Connects, optionally sends and reads a reply, and prints the result; shared with <c>demo</c>.</summary>
    /// <param name="endpoint">What to connect to.</param>
    /// <param name="start">
    /// The timestamp the reported times count from (the start of the command): <c>elapsed_ms</c> runs from it to the
    /// connected socket (or the failure), and the attempts' times are moved onto it from the race's own start.
    /// </param>
    /// <param name="send">Text to send, or <see langword="null"/>.</param>
    /// <param name="trace">Whether to draw the timeline.</param>
    /// <param name="json">Whether to print JSON.</param>
    /// <param name="cancellationToken">Cancels the connect and the exchange.</param>
    /// <param name="pipe">Whether to pipe standard input and output through the connection, with status on standard error.</param>
    public static async Task<int> RunAsync(IStreamClientEndpoint endpoint, long start, string? send, bool trace, bool json, CancellationToken cancellationToken, bool pipe = false)
    {
        var clock = TimeProvider.System;
        StreamConnection? connection = null;
        IReadOnlyList<ConnectionAttempt> attempts = [];
        Exception? error = null;
        var raceStart = TimeSpan.Zero;
        try
        {
            using (new Spinner($"connecting to {endpoint}", enabled: !json))
            {
                raceStart = clock.GetElapsedTime(start);
                connection = await endpoint.ConnectAsync(cancellationToken);
            }

            attempts = connection.Attempts;
        }
        catch (ConnectionRaceException e)
        {
            error = e;
            attempts = e.Attempts;
        }
        catch (HostResolutionException e)
        {
            error = e;
        }
        catch (TlsHandshakeException e)
        {
            error = e;
        }

        double elapsed = clock.GetElapsedTime(start).TotalMilliseconds;
        attempts = [.. attempts.Select(a => a with { Started = a.Started + raceStart, Ended = a.Ended + raceStart })];
        var tls = connection?.Stream is SslStream ssl ? TlsJson.Describe(ssl) : null;
        if (pipe && connection is not null)
        {
            await using (connection)
            {
                WriteStatus(Console.Error, connection, attempts, elapsed, tls, reply: null, trace);
                try
                {
                    await Pipe.RunAsync(connection, cancellationToken);
                }
                catch (IOException e)
                {
                    return Cli.Error(Cli.Failure, $"the connection to {endpoint} failed: {e.Message}");
                }
            }

            return Cli.Success;
        }

        string? reply = null;
        await using (connection)
        {
            if (connection is not null && send is not null)
            {
                reply = await ExchangeAsync(connection, send, cancellationToken);
            }
        }

        if (json)
        {
            Cli.WriteJson(AttemptJson.Result(connection, attempts, elapsed, tls, reply, error));
        }
        else
        {
            WriteStatus(Console.Out, connection, attempts, elapsed, tls, reply, trace);
        }

        return error is null ? Cli.Success : Cli.Error(Cli.Failure, error.Message);
    }

    private static void WriteStatus(
        TextWriter status, StreamConnection? connection, IReadOnlyList<ConnectionAttempt> attempts, double elapsed, JsonObject? tls, string? reply, bool trace)
    {
        if (trace)
        {
            status.Write(Timeline.Draw(attempts, elapsed, Terminal.Columns(status)));
        }

        if (connection?.RemoteEndPoint is IPEndPoint remote)
        {
            status.WriteLine($"connected to {JsonShapes.EndPoint(remote)} over {JsonShapes.Family(remote.AddressFamily)} in {elapsed:0} ms after {attempts.Count} attempt{(attempts.Count == 1 ? "" : "s")}");
        }

        if (tls is not null)
        {
            status.WriteLine($"tls {tls["protocol"]} {tls["cipher_suite"]}, certificate {tls["certificate_subject"]} issued by {tls["certificate_issuer"]}"
                + (tls["alpn"] is { } alpn ? $", alpn {alpn}" : string.Empty));
        }

        if (reply is not null)
        {
            status.WriteLine(reply);
        }
    }

    // Writes the text, half-closes so that echo servers finish, and reads until the peer closes or 2 s pass. Over TLS
    // the half-close is TLS's own (close_notify) first, so that the peer sees a clean end of the TLS stream.
    private static async Task<string> ExchangeAsync(StreamConnection connection, string text, CancellationToken cancellationToken)
    {
        await connection.Stream.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken);
        if (connection.Stream is SslStream ssl)
        {
            await ssl.ShutdownAsync();
        }

        connection.Socket?.Shutdown(SocketShutdown.Send);
        using var window = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        window.CancelAfter(TimeSpan.FromSeconds(2));
        var received = new MemoryStream();
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await connection.Stream.ReadAsync(buffer, window.Token)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // 2 s passed without the peer closing: print what came.
        }

        return Encoding.UTF8.GetString(received.ToArray());
    }


    private static IPEndPoint ParseBind(string text) =>
        IPLiteral.TryParseAddress(text, out var address) ? new IPEndPoint(address, 0) : IPLiteral.ParseEndPoint(text);
}
