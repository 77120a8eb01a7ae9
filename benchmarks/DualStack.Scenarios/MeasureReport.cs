namespace DualStack.Scenarios;

/// <summary>What one <c>measure</c> child prints: one JSON line.</summary>
/// <param name="Host">The name connected to.</param>
/// <param name="Port">The port.</param>
/// <param name="History">Whether each sample is the second connect of a pair (DualStack's sharing a <see cref="ConnectionHistory"/>).</param>
/// <param name="CapMs">The cap on each connect, in milliseconds.</param>
/// <param name="DualStack">The <see cref="HostnameEndpoint"/> samples, in order.</param>
/// <param name="Plain">The plain <c>Socket.ConnectAsync(DnsEndPoint)</c> samples, in order.</param>
internal sealed record MeasureReport(string Host, int Port, bool History, double CapMs, IReadOnlyList<Sample> DualStack, IReadOnlyList<Sample> Plain);
