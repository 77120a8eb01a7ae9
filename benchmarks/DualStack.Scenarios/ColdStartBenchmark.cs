using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using DualStack.Tests.Shared;
using DualStack.Tests.Shared.Lab;

namespace DualStack.Scenarios;

// The cold-start benchmark's parent, in the root namespace. Same lab and scenarios as the scenario benchmark
// (ScenarioLab), but every connect is the first and only one of a fresh process started inside the client namespace
// with "ip netns exec CLIENT …":
//
//   native   the published native (AOT) CLI: dualstack connect HOST PORT --json; its elapsed_ms is the connect as
//            the CLI times it (from just before ConnectAsync to the connection closed), after the CLI's own start.
//   library  dotnet THIS.dll cold-once --client dualstack: new HostnameEndpoint(host, port).ConnectAsync() under JIT,
//            timed from Main's first line.
//   plain    dotnet THIS.dll cold-once --client plain: a dual-mode Socket and ConnectAsync(DnsEndPoint) (IPEndPoint
//            for a literal), timed from Main's first line.
//   baseline ip netns exec CLIENT true: what starting a process through "ip netns exec" costs by itself.
//
// Each run starts one process of each kind, in an order that rotates run by run, so that load from elsewhere on the
// machine falls on all of them alike. The parent times each process from just before it is started to its exit
// (Stopwatch: this is a measurement, not a timeout); that includes "ip netns exec" and this process noticing the
// exit, which the baseline's median estimates. One untimed run of each kind comes first, so that the files are in the
// page cache and this process's own code is compiled.
//
// Caps: the children's connects are capped (the cold-once children cancel theirs; the native CLI is run exactly as
// a user would, so it is killed instead). A child still running well after its cap is killed with its process tree
// and counts as capped.

/// <summary>Runs the cold-start benchmark: fresh processes per connect, three clients, the lab's scenarios.</summary>
internal sealed class ColdStartBenchmark(int runs, TimeSpan cap, string? markdownPath, IReadOnlySet<string>? only, string? cliPath)
{
    public const int DefaultRuns = 21;

    // The scenarios measured, in the table's order: the by-name ones, then the literals.
    private static readonly string[] s_keys = [ScenarioLab.HealthyKey, "v6-refused", "aaaa-late", "v6-blackholed", "five-dead", ScenarioLab.LiteralIPv6Key, ScenarioLab.LiteralIPv4Key];

    // How long past the cap a process may take before it is killed: a dotnet child starts and stops the runtime
    // (hundreds of milliseconds on a loaded machine), the native CLI only itself.
    private static readonly TimeSpan s_dotnetAllowance = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan s_nativeAllowance = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan s_baselineLimit = TimeSpan.FromSeconds(10);

    private enum Side
    {
        Native,
        Library,
        Plain,
        Baseline,
    }

    public static TimeSpan DefaultCap { get; } = TimeSpan.FromSeconds(3);

    /// <summary>The scenario keys <c>--only</c> takes.</summary>
    public static IReadOnlyList<string> Keys => s_keys;

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        if (only?.FirstOrDefault(k => !s_keys.Contains(k)) is { } unknown)
        {
            throw new UsageException($"cold: unknown scenario '{unknown}'; the keys are {string.Join(", ", s_keys)}");
        }

        string cli = FindCli(cliPath);
        if (LabChild.Unavailable() is { } reason)
        {
            await Console.Error.WriteLineAsync(reason);
            return 1;
        }

        Log($"native CLI: {cli} (modified {File.GetLastWriteTimeUtc(cli):yyyy-MM-dd HH:mm} UTC)");
        TestContext.Current.Use(cancellationToken);
        await using var scenarioLab = await ScenarioLab.CreateAsync(cancellationToken);
        var lab = scenarioLab.Lab;
        var byKey = scenarioLab.Scenarios.Concat(scenarioLab.Literals).ToDictionary(s => s.Key);
        var scenarios = s_keys.Where(k => only is null || only.Contains(k)).Select(k => byKey[k]).ToList();
        scenarioLab.WarnAboutStrayThreads();

        var warmUp = byKey[ScenarioLab.LiteralIPv6Key];
        warmUp.Setup();
        foreach (var side in Enum.GetValues<Side>())
        {
            Log($"warm-up: {side} {Describe(side, await RunSideAsync(lab, cli, side, warmUp, cancellationToken))}");
        }

        var results = new List<ColdScenarioResult>();
        var baseline = new List<double>();
        foreach (var scenario in scenarios)
        {
            scenario.Setup();
            Log($"scenario {scenario.Key}: {scenario.Host} port {scenario.Port}, {runs} runs per client");
            var samples = Enum.GetValues<Side>().ToDictionary(side => side, _ => new List<ColdSample>(runs));
            for (int run = 0; run < runs; run++)
            {
                var sides = Enum.GetValues<Side>();
                var order = sides.Skip(run % sides.Length).Concat(sides.Take(run % sides.Length));
                foreach (var side in order)
                {
                    samples[side].Add(await RunSideAsync(lab, cli, side, scenario, cancellationToken));
                }

                Log($"  run {run + 1}/{runs}: {string.Join(", ", sides.Select(side => $"{side} {Describe(side, samples[side][^1])}"))}");
            }

            baseline.AddRange(samples[Side.Baseline].Select(s => s.ProcessMs));
            results.Add(new ColdScenarioResult(scenario, new(samples[Side.Native]), new(samples[Side.Library]), new(samples[Side.Plain])));
        }

        scenarioLab.WarnAboutStrayThreads();
        var baselineSummary = Summary.Of(baseline.Select(ms => new Sample(ms, Sample.Connected, null, null, null, null)).ToList());
        string tables = ColdTable.Format(results, baselineSummary);
        Console.WriteLine();
        Console.WriteLine(tables);
        if (markdownPath is not null)
        {
            string header = string.Create(
                CultureInfo.InvariantCulture,
                $"Run {LabChild.Machine()}; {runs} fresh processes per client and scenario, each connect capped at {cap.TotalSeconds:0.#} s; native CLI {cli} (modified {File.GetLastWriteTimeUtc(cli):yyyy-MM-dd HH:mm} UTC); {LabChild.Addresses(lab)}.\n\n");
            await File.WriteAllTextAsync(markdownPath, header + tables, cancellationToken);
            Log($"wrote {markdownPath}");
        }

        return 0;
    }

    private Task<ColdSample> RunSideAsync(NetworkLab lab, string cli, Side side, Scenario scenario, CancellationToken cancellationToken) => side switch
    {
        Side.Native => NativeAsync(lab, cli, scenario, cancellationToken),
        Side.Library => ColdOnceAsync(lab, ColdOnceCommand.DualStackClient, scenario, cancellationToken),
        Side.Plain => ColdOnceAsync(lab, ColdOnceCommand.PlainClient, scenario, cancellationToken),
        _ => BaselineAsync(lab, cancellationToken),
    };

    private async Task<ColdSample> NativeAsync(NetworkLab lab, string cli, Scenario scenario, CancellationToken cancellationToken)
    {
        string[] arguments = ["netns", "exec", lab.Client.Name, cli, "connect", scenario.Host, Port(scenario), "--json"];
        var (result, wallMs) = await RunTimedAsync(arguments, cap + s_nativeAllowance, cancellationToken);
        if (result is null)
        {
            return new ColdSample(CappedSample(), null, wallMs, null);
        }

        string what = $"the native CLI for {scenario.Key}";
        JsonElement json;
        try
        {
            json = JsonDocument.Parse(result.StdOut).RootElement;
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"{what} printed no JSON ({e.Message}): {result}", e);
        }

        double elapsedMs = json.GetProperty("elapsed_ms").GetDouble();
        if (!json.GetProperty("connected").GetBoolean())
        {
            var failed = new Sample(elapsedMs, Sample.Failed, null, null, null, json.GetProperty("error").GetString());
            return new ColdSample(Bounded(failed), null, wallMs, null);
        }

        string remote = json.GetProperty("remote").GetString() ?? throw new InvalidOperationException($"{what} connected to no remote: {result}");
        if (!IPEndPoint.TryParse(remote, out var remoteEndPoint) || !LabAddresses.Contains(remoteEndPoint.Address))
        {
            throw new InvalidOperationException($"{what} connected to {remote}, outside the lab's 2001:2::/48 and 198.18.0.0/15; stopping");
        }

        var connected = new Sample(elapsedMs, Sample.Connected, LabAddresses.FamilyName(remoteEndPoint.Address), null, remote, null);
        return new ColdSample(Bounded(connected), null, wallMs, null);
    }

    private async Task<ColdSample> ColdOnceAsync(NetworkLab lab, string client, Scenario scenario, CancellationToken cancellationToken)
    {
        string[] arguments = LabChild.ThisProgram(
            lab,
            [
                "cold-once", "--client", client, "--host", scenario.Host, "--port", Port(scenario),
                "--cap-ms", cap.TotalMilliseconds.ToString(CultureInfo.InvariantCulture), "--netns-id", lab.Client.Id,
            ]);
        var (result, wallMs) = await RunTimedAsync(arguments, cap + s_dotnetAllowance, cancellationToken);
        if (result is null)
        {
            return new ColdSample(CappedSample(), cap.TotalMilliseconds, wallMs, null);
        }

        string what = $"the cold-once child ({client}) for {scenario.Key}";
        var report = JsonSerializer.Deserialize(LabChild.JsonLine(result, what), ColdJsonContext.Default.ColdOnceReport)
            ?? throw new InvalidOperationException($"{what} printed null");
        if (client == ColdOnceCommand.PlainClient && report.Facts.DualStackLoaded)
        {
            TestContext.Current.AddWarning($"{what} loaded the DualStack assembly: its figures include that");
        }

        var sample = Bounded(report.Sample);
        return new ColdSample(sample, sample.Outcome == Sample.Capped ? cap.TotalMilliseconds : report.ConnectMs, wallMs, report.Facts);
    }

    private static async Task<ColdSample> BaselineAsync(NetworkLab lab, CancellationToken cancellationToken)
    {
        var (result, wallMs) = await RunTimedAsync(["netns", "exec", lab.Client.Name, "true"], s_baselineLimit, cancellationToken);
        if (result is not { ExitCode: 0 })
        {
            throw new InvalidOperationException($"ip netns exec {lab.Client.Name} true failed: {(result is null ? "it did not exit" : result)}");
        }

        return new ColdSample(new Sample(wallMs, Sample.Connected, null, null, null, null), null, wallMs, null);
    }

    // Runs "ip ARGUMENTS" to its exit and times it; null when it overran the limit and was killed.
    private static async Task<(ProcessResult? Result, double WallMs)> RunTimedAsync(string[] arguments, TimeSpan limit, CancellationToken cancellationToken)
    {
        long start = Stopwatch.GetTimestamp();
        await using var child = ChildProcess.Start(LabChild.Ip, arguments);
        try
        {
            var result = await child.WaitForExitAsync(limit, cancellationToken);
            return (result, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        catch (TimeoutException e)
        {
            TestContext.Current.AddWarning($"killed, counted as capped: {e.Message}");
            return (null, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
    }

    // A connect that took the cap or longer counts as capped, whoever timed it.
    private Sample Bounded(Sample sample) =>
        sample.Ms >= cap.TotalMilliseconds ? sample with { Ms = cap.TotalMilliseconds, Outcome = Sample.Capped } : sample;

    private Sample CappedSample() => new(cap.TotalMilliseconds, Sample.Capped, null, null, null, null);

    private static string Port(Scenario scenario) => scenario.Port.ToString(CultureInfo.InvariantCulture);

    private static string Describe(Side side, ColdSample sample) => side == Side.Baseline
        ? $"{sample.ProcessMs:0.0} ms"
        : $"{TimedConnect.Describe(sample.Connect)} (process {sample.ProcessMs:0.0} ms)";

    // --cli PATH, or the newest published native CLI under artifacts/publish/DualStack.Cli/*/dualstack above this program.
    private static string FindCli(string? path)
    {
        const string Publish = "dotnet publish src/DualStack.Cli -c Release -r linux-x64 -p:PublishAot=true";
        if (path is not null)
        {
            return File.Exists(path) ? Path.GetFullPath(path) : throw new InvalidOperationException($"--cli {path}: no such file");
        }

        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            string publish = Path.Combine(directory.FullName, "artifacts", "publish", "DualStack.Cli");
            if (Directory.Exists(publish))
            {
                return Directory.EnumerateDirectories(publish)
                    .Select(d => Path.Combine(d, "dualstack"))
                    .Where(File.Exists)
                    .OrderByDescending(File.GetLastWriteTimeUtc)
                    .FirstOrDefault()
                    ?? throw new InvalidOperationException($"the native CLI is missing: no {publish}/*/dualstack. Publish it first ({Publish}) or name it with --cli PATH");
            }
        }

        throw new InvalidOperationException($"the native CLI is missing: no artifacts/publish/DualStack.Cli above {AppContext.BaseDirectory}. Publish it first ({Publish}) or name it with --cli PATH");
    }

    private static void Log(string message) => Console.Error.WriteLine(message);
}
