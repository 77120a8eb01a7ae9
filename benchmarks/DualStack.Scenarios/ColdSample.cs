namespace DualStack.Scenarios;

/// <summary>One fresh process's connect, as the parent saw it.</summary>
/// <param name="Connect">
/// The connect: for the native CLI its <c>elapsed_ms</c>; for the <c>cold-once</c> children the time from Main's first
/// line to connected. Capped at the cap, as everywhere.
/// </param>
/// <param name="ConnectAloneMs">For the <c>cold-once</c> children: the connect alone, from its start; else <see langword="null"/>.</param>
/// <param name="ProcessMs">The parent's wall time from just before starting <c>ip netns exec …</c> to the process's exit.</param>
/// <param name="Facts">What the <c>cold-once</c> child reported about itself; <see langword="null"/> for the native CLI.</param>
internal sealed record ColdSample(Sample Connect, double? ConnectAloneMs, double ProcessMs, ProcessFacts? Facts)
{
    /// <summary>The whole-process time as a sample with the connect's outcome, so that a capped connect shows as a bound.</summary>
    public Sample Process => Connect with { Ms = ProcessMs };

    /// <summary>The connect alone as a sample, or the whole connect where there is no separate figure.</summary>
    public Sample Alone => ConnectAloneMs is { } ms ? Connect with { Ms = ms } : Connect;
}
