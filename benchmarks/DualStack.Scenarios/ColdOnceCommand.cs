using System.Diagnostics;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace DualStack.Scenarios;

/// <summary>The <c>cold-once</c> command: one connect in a fresh process, timed from the start of Main.</summary>
/// <remarks>
/// <para>
/// The cold-start child: a fresh <c>dotnet DualStack.Scenarios.dll cold-once …</c> inside the lab's client namespace,
/// which makes exactly one connect and prints one JSON line. Its time counts from the first line of Main, so it
/// includes what a program's first connect pays for: loading and JIT-compiling the connect path (the library is not
/// ReadyToRun-compiled; the framework is), starting the runtime's socket engine and thread pool, and the resolution.
/// The runtime's own start before Main is not included; the parent's whole-process time has it.
/// </para>
/// <para>
/// The clients are the measure command's (<see cref="TimedConnect"/>): <c>dualstack</c> is
/// <c>new HostnameEndpoint(host, port)</c> with the default options and the system resolver; <c>plain</c> is a
/// dual-mode socket and <c>ConnectAsync(DnsEndPoint)</c>, or <c>ConnectAsync(IPEndPoint)</c> for an address literal,
/// as a program holding a literal would write it. Each is in its own method, so that the plain child never loads the
/// DualStack assembly; the report says whether it was loaded.
/// </para>
/// </remarks>
internal static class ColdOnceCommand
{
    /// <summary>Runs the command; the exit code is 0, 1 (not in the client namespace), 2 (usage) or 3 (left the lab).</summary>
    /// <param name="arguments">The arguments after <c>cold-once</c>.</param>
    /// <param name="mainStarted">The <see cref="Stopwatch"/> timestamp taken on Main's first line.</param>
    public static async Task<int> RunAsync(string[] arguments, long mainStarted)
    {
        try
        {
            var options = Options.Parse(arguments, ["--client", "--host", "--port", "--cap-ms", "--netns-id"], []);
            string client = options.Value("--client") is { } named && (named == DualStackClient || named == PlainClient) ? named : throw new UsageException($"cold-once needs --client {DualStackClient} or {PlainClient}");
            string host = options.Value("--host") ?? throw new UsageException("cold-once needs --host");
            int port = options.Int("--port", -1) is int p and >= 1 and <= 65535 ? p : throw new UsageException("cold-once needs --port 1-65535");
            var cap = options.Int("--cap-ms", -1) is int capMs and >= 1 ? TimeSpan.FromMilliseconds(capMs) : throw new UsageException("cold-once needs --cap-ms of at least 1");
            string netnsId = options.Value("--netns-id") ?? throw new UsageException("cold-once needs --netns-id: the client namespace's id, which it checks before opening any socket");
            if (MeasureCommand.CheckNamespace(netnsId) is { } wrong)
            {
                await Console.Error.WriteLineAsync($"dualstack-scenarios: refusing to connect: {wrong}");
                return 1;
            }

            long connectStarted = Stopwatch.GetTimestamp();
            var sample = client == DualStackClient
                ? await DualStackAsync(host, port, cap, mainStarted)
                : await PlainAsync(host, port, cap, mainStarted);
            double beforeConnectMs = Stopwatch.GetElapsedTime(mainStarted, connectStarted).TotalMilliseconds;
            var report = new ColdOnceReport(
                client,
                host,
                port,
                cap.TotalMilliseconds,
                sample,
                beforeConnectMs,
                sample.Outcome == Sample.Capped ? sample.Ms : sample.Ms - beforeConnectMs,
                ProcessFacts.Now());
            Console.WriteLine(JsonSerializer.Serialize(report, ColdJsonContext.Default.ColdOnceReport));
            return 0;
        }
        catch (UsageException e)
        {
            await Console.Error.WriteLineAsync($"dualstack-scenarios: {e.Message}");
            return 2;
        }
        catch (LabEscapeException e)
        {
            await Console.Error.WriteLineAsync($"dualstack-scenarios: {e.Message}; stopping");
            return MeasureCommand.LabEscapeExitCode;
        }
    }

    /// <summary>The <c>--client</c> that connects with <see cref="HostnameEndpoint"/>.</summary>
    public static string DualStackClient => "dualstack";

    /// <summary>The <c>--client</c> that connects with a plain .NET socket.</summary>
    public static string PlainClient => "plain";

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Task<Sample> DualStackAsync(string host, int port, TimeSpan cap, long start) =>
        TimedConnect.DualStackAsync(new HostnameEndpoint(host, port), cap, start, CancellationToken.None);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Task<Sample> PlainAsync(string host, int port, TimeSpan cap, long start) =>
        TimedConnect.PlainAsync(IPAddress.TryParse(host, out var address) ? new IPEndPoint(address, port) : new DnsEndPoint(host, port), cap, start, CancellationToken.None);
}
