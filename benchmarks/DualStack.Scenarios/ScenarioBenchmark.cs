using System.Globalization;
using System.Text.Json;
using DualStack.Tests.Shared;
using DualStack.Tests.Shared.Lab;

namespace DualStack.Scenarios;

// The parent side, in the root namespace. It builds the ScenarioLab (the namespaces, the servers, the DNS server, the
// client's hosts and resolv.conf) and for each scenario runs a child inside the client namespace
// ("ip netns exec CLIENT dotnet THIS.dll measure …") that does the connecting. This process itself never creates a
// socket outside the lab's namespaces: its sockets (listeners, DNS) are created on the server namespace's thread.
//
// Why a child process rather than NetworkNamespace.CreateSocket in this process: both clients must resolve through
// the system resolver (getaddrinfo), as real programs do, and getaddrinfo reads /etc/hosts and /etc/resolv.conf,
// which "ip netns exec" replaces with the namespace's own files for the processes it starts, and for nothing else.

/// <summary>Runs every scenario and reports DualStack's and plain .NET's median time to connect.</summary>
internal sealed class ScenarioBenchmark(int runs, TimeSpan cap, string? markdownPath, IReadOnlySet<string>? only)
{
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        if (LabChild.Unavailable() is { } reason)
        {
            await Console.Error.WriteLineAsync(reason);
            return 1;
        }

        TestContext.Current.Use(cancellationToken);
        await using var scenarioLab = await ScenarioLab.CreateAsync(cancellationToken);
        var lab = scenarioLab.Lab;
        scenarioLab.WarnAboutStrayThreads();
        var results = new List<ScenarioResult>();
        foreach (var scenario in scenarioLab.Scenarios.Where(s => only is null || only.Contains(s.Key)))
        {
            scenario.Setup();
            Log($"scenario {scenario.Key}: {scenario.Host} port {scenario.Port}, {runs} runs{(scenario.History ? ", second connect of each pair" : "")}");
            var report = await MeasureAsync(lab, scenario, cancellationToken);
            results.Add(new ScenarioResult(scenario, report));
        }

        scenarioLab.WarnAboutStrayThreads();
        string table = ResultTable.Format(results, ScenarioLab.HealthyKey);
        Console.WriteLine();
        Console.WriteLine(table);
        if (markdownPath is not null)
        {
            await File.WriteAllTextAsync(markdownPath, Header(lab) + table, cancellationToken);
            Log($"wrote {markdownPath}");
        }

        return 0;
    }

    private async Task<MeasureReport> MeasureAsync(NetworkLab lab, Scenario scenario, CancellationToken cancellationToken)
    {
        string[] arguments = LabChild.ThisProgram(
            lab,
            [
                "measure",
                "--host", scenario.Host, "--port", scenario.Port.ToString(CultureInfo.InvariantCulture),
                "--runs", runs.ToString(CultureInfo.InvariantCulture),
                "--cap-ms", cap.TotalMilliseconds.ToString(CultureInfo.InvariantCulture),
                "--netns-id", lab.Client.Id,
                .. scenario.History ? ["--history"] : Array.Empty<string>(),
            ]);

        // Each sample is at most one cap (two in history mode), plus the warm-ups and the runtime's start.
        var limit = cap * (runs + 1) * 2 * (scenario.History ? 2 : 1) + TimeSpan.FromMinutes(1);
        var result = await ChildProcess.RunAsync(LabChild.Ip, arguments, limit, cancellationToken);
        foreach (string line in result.StdErrLines)
        {
            Log($"  {line}");
        }

        string json = LabChild.JsonLine(result, $"the measuring child for {scenario.Key}");
        return JsonSerializer.Deserialize<MeasureReport>(json, MeasureCommand.JsonOptions) ?? throw new InvalidOperationException($"the measuring child for {scenario.Key} printed null");
    }

    private string Header(NetworkLab lab) => string.Create(
        CultureInfo.InvariantCulture,
        $"Run {LabChild.Machine()}; {runs} runs per client and scenario, each connect capped at {cap.TotalSeconds:0} s; {LabChild.Addresses(lab)}.\n\n");

    private static void Log(string message) => Console.Error.WriteLine(message);
}
