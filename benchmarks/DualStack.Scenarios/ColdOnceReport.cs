namespace DualStack.Scenarios;

/// <summary>What one <c>cold-once</c> child prints: one JSON line.</summary>
/// <param name="Client"><c>dualstack</c> or <c>plain</c>.</param>
/// <param name="Host">The name or literal connected to.</param>
/// <param name="Port">The port.</param>
/// <param name="CapMs">The cap on the connect, in milliseconds.</param>
/// <param name="Sample">The connect; its time counts from the first line of Main.</param>
/// <param name="BeforeConnectMs">From Main's first line to the start of the connect (arguments, the namespace check).</param>
/// <param name="ConnectMs">The connect alone: from its start to connected (the cap, if capped).</param>
/// <param name="Facts">Process-level figures read just after the connect.</param>
internal sealed record ColdOnceReport(string Client, string Host, int Port, double CapMs, Sample Sample, double BeforeConnectMs, double ConnectMs, ProcessFacts Facts);
