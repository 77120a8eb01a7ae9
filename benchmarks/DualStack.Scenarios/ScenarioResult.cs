namespace DualStack.Scenarios;

/// <summary>A scenario and what its child measured.</summary>
internal sealed record ScenarioResult(Scenario Scenario, MeasureReport Report)
{
    public Summary DualStack { get; } = Summary.Of(Report.DualStack);

    public Summary Plain { get; } = Summary.Of(Report.Plain);
}
