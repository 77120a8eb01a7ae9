namespace DualStack.Scenarios;

/// <summary>One broken-network scenario: a name whose addresses (or DNS answers) the parent arranged, and its target.</summary>
/// <param name="Key">A short identifier, for <c>--only</c>.</param>
/// <param name="Title">The table's row label.</param>
/// <param name="Host">The name both clients connect to; resolved by the system resolver in the client namespace.</param>
/// <param name="Port">The port, on which the server listens (or not) as the scenario needs.</param>
/// <param name="History">Measure the second connect of each pair (DualStack's pair sharing a <see cref="ConnectionHistory"/>).</param>
/// <param name="Setup">Run before the child starts: sets the DNS server's delays for this scenario.</param>
/// <param name="Target">What DualStack's median should be at most.</param>
internal sealed record Scenario(string Key, string Title, string Host, int Port, bool History, Action Setup, Target Target);
