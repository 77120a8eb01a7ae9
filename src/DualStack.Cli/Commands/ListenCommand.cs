using System.CommandLine;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;

namespace DualStack.Cli.Commands;

/// <summary>
/// <c>dualstack listen DESCRIPTION</c>: an echo server on every socket the description stands for, until SIGINT or
/// SIGTERM; then it closes everything and exits 0.
/// </summary>
internal static class ListenCommand
{
    public static Command Create()
    {
        var description = new Argument<string>("DESCRIPTION")
        {
            Description = "Where to listen: tcp://*:5555, tcp://eth0:5555, tcp://[::1]:0, tcp:8080:interface=\\:\\:1, tls://*:8443?cert=F&key=F …",
        };
        var certificate = new Option<string?>("--tls-cert") { HelpName = "FILE", Description = "Serve TLS with the certificate (and chain) in this PEM file" };
        var key = new Option<string?>("--tls-key") { HelpName = "FILE", Description = "The certificate's private key, a PEM file [default: in the --tls-cert file]" };
        var once = new Option<bool>("--once")
        {
            Description = "Accept one connection and pipe it to standard output and from standard input instead of echoing; status goes to standard error",
        };
        var command = new Command("listen", "Run an echo server on the described endpoint(s) until SIGINT/SIGTERM");
        command.Arguments.Add(description);
        command.Options.Add(certificate);
        command.Options.Add(key);
        command.Options.Add(once);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            bool json = parseResult.GetValue(CliOptions.Json);
            bool pipe = parseResult.GetValue(once);

            // With --once, standard output carries the connection's data; status, JSON included, goes to standard error.
            var status = pipe ? Console.Error : Console.Out;
            var endpoint = EndpointDescription.ParseServer(parseResult.GetValue(description)!);
            if (parseResult.GetValue(certificate) is { } certificateFile)
            {
                if (endpoint is TlsServerEndpoint)
                {
                    throw new ArgumentException("the description is already tls; give its certificate there or use --tls-cert with a tcp description");
                }

                string? keyFile = parseResult.GetValue(key);
                CheckCertificate(certificateFile, keyFile);
                endpoint = new TlsServerEndpoint(endpoint, certificateFile, keyFile);
            }
            else if (parseResult.GetValue(key) is not null)
            {
                throw new ArgumentException("--tls-key needs --tls-cert");
            }

            using var stop = new ShutdownSignal(cancellationToken);

            var listener = await endpoint.ListenAsync(stop.Token);
            var sessions = new List<Task>();
            try
            {
                var endpoints = listener.LocalEndPoints.Select(JsonShapes.EndPoint).ToList();
                if (json)
                {
                    Cli.WriteJson(new JsonObject { ["event"] = "listening", ["endpoints"] = JsonShapes.Array(endpoints, e => e) }, status);
                }
                else
                {
                    status.WriteLine($"listening on {string.Join(", ", endpoints)} ({(pipe ? "one connection, piped" : "echo")}; Ctrl-C stops)");
                }

                try
                {
                    if (pipe)
                    {
                        return await PipeOneAsync(listener, json, status, stop.Token);
                    }

                    while (await listener.AcceptAsync(stop.Token) is { } connection)
                    {
                        Report(connection, json, status);
                        sessions.Add(EchoAsync(connection, stop.Token));
                        sessions.RemoveAll(s => s.IsCompleted);
                    }
                }
                catch (OperationCanceledException) when (stop.IsStopping)
                {
                    // SIGINT or SIGTERM: stop below.
                }
            }
            finally
            {
                await stop.StopAsync();
                await listener.DisposeAsync();
                await Task.WhenAll(sessions);
            }

            return Cli.Success;
        });
        return command;
    }

    // Takes one connection, closes the listening sockets, and pipes the connection through standard input and output.
    private static async Task<int> PipeOneAsync(IStreamListener listener, bool json, TextWriter status, CancellationToken cancellationToken)
    {
        var connection = await listener.AcceptAsync(cancellationToken);
        await listener.StopAsync(cancellationToken);
        if (connection is null)
        {
            return Cli.Success;
        }

        await using (connection)
        {
            Report(connection, json, status);
            try
            {
                await Pipe.RunAsync(connection, cancellationToken);
            }
            catch (IOException e)
            {
                return Cli.Error(Cli.Failure, $"the connection from {connection.RemoteEndPoint} failed: {e.Message}");
            }
        }

        return Cli.Success;
    }

    private static void Report(StreamConnection connection, bool json, TextWriter status)
    {
        string remote = connection.RemoteEndPoint is IPEndPoint r ? JsonShapes.EndPoint(r) : "?";
        string local = connection.LocalEndPoint is IPEndPoint l ? JsonShapes.EndPoint(l) : "?";
        var tls = connection.Stream is SslStream ssl ? TlsJson.Describe(ssl) : null;
        if (json)
        {
            var accepted = new JsonObject { ["event"] = "accepted", ["remote"] = remote, ["local"] = local };
            if (tls is not null)
            {
                tls.Remove("certificate_subject");
                tls.Remove("certificate_issuer");
                accepted["tls"] = tls;
            }

            Cli.WriteJson(accepted, status);
        }
        else
        {
            status.WriteLine($"accepted {remote} on {local}" + (tls is null ? string.Empty : $" over {tls["protocol"]}, server name '{tls["server_name"]}'"));
        }
    }

    // Bad certificate files are bad input (exit 2), found before anything is bound.
    private static void CheckCertificate(string certificateFile, string? keyFile)
    {
        try
        {
            using var certificate = X509Certificate2.CreateFromPemFile(certificateFile, keyFile);
            if (!certificate.HasPrivateKey)
            {
                throw new ArgumentException($"--tls-cert {certificateFile}: the certificate has no private key");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new ArgumentException($"--tls-cert {certificateFile}{(keyFile is null ? string.Empty : $" --tls-key {keyFile}")}: {e.Message}", e);
        }
    }

    // Echoes until the peer closes or the server stops; a peer that resets is not an error of the server's.
    private static async Task EchoAsync(StreamConnection connection, CancellationToken cancellationToken)
    {
        await using (connection)
        {
            try
            {
                await connection.Stream.CopyToAsync(connection.Stream, cancellationToken);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException)
            {
            }
        }
    }
}
