namespace DualStack.Scenarios;

/// <summary>One measured connect, as the child reports it.</summary>
/// <param name="Ms">Milliseconds from before resolution to connected (or to the cap, or to the failure).</param>
/// <param name="Outcome"><c>connected</c>, <c>capped</c> (the cap passed first) or <c>failed</c>.</param>
/// <param name="Family">The winner's family, <c>ipv6</c> or <c>ipv4</c>, when connected.</param>
/// <param name="Local">The connection's local endpoint, when connected (always a lab address).</param>
/// <param name="Remote">The connection's remote endpoint, when connected.</param>
/// <param name="Error">The exception's type and message, when failed.</param>
/// <param name="Attempts">DualStack's attempt timeline when connected (times from the start of the connect), else <see langword="null"/>.</param>
internal sealed record Sample(double Ms, string Outcome, string? Family, string? Local, string? Remote, string? Error, string? Attempts = null)
{
    public const string Connected = "connected";
    public const string Capped = "capped";
    public const string Failed = "failed";
}
