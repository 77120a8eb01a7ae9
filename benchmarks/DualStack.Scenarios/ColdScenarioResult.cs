namespace DualStack.Scenarios;

/// <summary>A scenario's fresh-process samples: the native CLI, the library under JIT, plain .NET.</summary>
internal sealed record ColdScenarioResult(Scenario Scenario, ColdSideResult Native, ColdSideResult Library, ColdSideResult Plain);
