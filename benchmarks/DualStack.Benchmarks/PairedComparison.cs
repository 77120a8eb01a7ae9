using System.Globalization;

namespace DualStack.Benchmarks;

/// <summary>
/// A cross-check of the DualStack / plain ratios that holds up on a shared machine: the two sides run in one
/// process, in alternating blocks, so that load from other processes falls on both alike.
/// </summary>
/// <remarks>
/// BenchmarkDotNet runs each case in its own process, one after the other; a build or a test run started by
/// someone else during one case and not the other moves the ratio by more than the 5% being asked about. Here
/// each round times a block of the plain benchmark and a block of the DualStack one (in alternating order),
/// and the figure is the median over rounds of the per-round ratio. It reuses the benchmark classes as they are.
/// Run: <c>dotnet run -c Release --project benchmarks/DualStack.Benchmarks -- paired [listener|datagrams|echo|connect]</c>
/// (all four when none is named; <c>connect</c> is <see cref="PairedConnectComparison"/>, timed connect by connect).
/// </remarks>
internal static class PairedComparison
{
    private const int Rounds = 40;

    public static async Task RunAsync(string? only)
    {
        if (only == "connect")
        {
            await PairedConnectComparison.RunAsync();
            return;
        }

        Console.WriteLine("| Benchmark | Address | Clients | Plain (median) | DualStack (median) | DualStack / plain, ops/s (median of rounds) | Middle half of rounds |");
        Console.WriteLine("|---|---|---|---:|---:|---:|---|");
        foreach (string address in Section(only, "listener"))
        {
            foreach (int clients in new[] { 1, 8 })
            {
                var listener = new ListenerAcceptEchoBenchmarks { Address = address, Clients = clients };
                listener.Setup();
                try
                {
                    // 100 connections per call: 10 calls is a block of 1,000 connections.
                    await CompareAsync("ListenerAcceptEcho", address, clients.ToString(CultureInfo.InvariantCulture), 10, 100, "conn/s", listener.PlainSocketListener, listener.DualStackListener);
                }
                finally
                {
                    listener.Dispose();
                }
            }
        }

        foreach (string address in Section(only, "datagrams"))
        {
            var datagrams = new DatagramBenchmarks { Address = address };
            datagrams.Setup();
            try
            {
                // 1,000 datagrams per call: 20 calls is a block of 20,000.
                await CompareAsync("Datagrams (SendTo + ReceiveFrom)", address, "-", 20, 1000, "dgram/s", datagrams.PlainSendToReceiveFrom, datagrams.DualStackSendToReceive);
                await CompareAsync("Datagrams (SendTo + ReceiveMessageFrom)", address, "-", 20, 1000, "dgram/s", datagrams.PlainSendToReceiveMessageFrom, datagrams.DualStackSendToReceiveMessage);
            }
            finally
            {
                datagrams.Dispose();
            }
        }

        foreach (string address in Section(only, "echo"))
        {
            var echo = new EchoThroughputBenchmarks { Address = address };
            var control = new EchoThroughputBenchmarks { Address = address };
            echo.Setup();
            control.Setup();
            try
            {
                // 4 MiB per call: 48 calls is a block of 192 MiB echoed, long enough (~150 ms) to average out scheduling.
                await CompareAsync("EchoThroughput", address, "-", 48, 4, "MiB/s", echo.PlainNetworkStream, echo.DualStackStream);

                // The control: two plain connections set up the same way, so any spread here is the machine's, not DualStack's.
                await CompareAsync("EchoThroughput A/A: plain vs another plain connection", address, "-", 48, 4, "MiB/s", echo.PlainNetworkStream, control.PlainNetworkStream);
            }
            finally
            {
                control.Dispose();
                echo.Dispose();
            }
        }

        if (only is null)
        {
            Console.WriteLine();
            await PairedConnectComparison.RunAsync();
        }
    }

    // The loopback addresses to run a section over, or none when another section was asked for.
    private static string[] Section(string? only, string name) =>
        only is null || only == name ? ["127.0.0.1", "::1"] : [];

    private static async Task CompareAsync(
        string name, string address, string clients, int callsPerBlock, int operationsPerCall, string unit, Func<Task> plain, Func<Task> dualStack)
    {
        // Warm both sides up (JIT, thread pool, socket buffers) before timing anything.
        await TimeBlockAsync(plain, callsPerBlock);
        await TimeBlockAsync(dualStack, callsPerBlock);

        var plainRates = new List<double>(Rounds);
        var dualStackRates = new List<double>(Rounds);
        var ratios = new List<double>(Rounds);
        double operations = callsPerBlock * operationsPerCall;
        for (int round = 0; round < Rounds; round++)
        {
            TimeSpan plainTime, dualStackTime;
            if (round % 2 == 0)
            {
                plainTime = await TimeBlockAsync(plain, callsPerBlock);
                dualStackTime = await TimeBlockAsync(dualStack, callsPerBlock);
            }
            else
            {
                dualStackTime = await TimeBlockAsync(dualStack, callsPerBlock);
                plainTime = await TimeBlockAsync(plain, callsPerBlock);
            }

            plainRates.Add(operations / plainTime.TotalSeconds);
            dualStackRates.Add(operations / dualStackTime.TotalSeconds);
            ratios.Add(plainTime / dualStackTime);
        }

        ratios.Sort();
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"| {name} | {address} | {clients} | {Median(plainRates):N0} {unit} | {Median(dualStackRates):N0} {unit} | {Median(ratios):F3} | {ratios[Rounds / 4]:F3} – {ratios[(3 * Rounds / 4) - 1]:F3} |"));
    }

    private static async Task<TimeSpan> TimeBlockAsync(Func<Task> call, int calls)
    {
        long start = TimeProvider.System.GetTimestamp();
        for (int i = 0; i < calls; i++)
        {
            await call();
        }

        return TimeProvider.System.GetElapsedTime(start);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
