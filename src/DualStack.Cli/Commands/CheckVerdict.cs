using System.Globalization;
using System.Net.Sockets;

namespace DualStack.Cli.Commands;

/// <summary>
/// The verdict of <c>check</c> in plain words: a headline (<c>healthy</c>, <c>IPv6 broken</c>, <c>IPv6 refused</c>,
/// <c>degraded</c>, <c>nothing works</c>), what each family did, and what that means for a Happy Eyeballs client and a
/// sequential one.
/// </summary>
internal static class CheckVerdict
{
    private static readonly string s_attemptDelay = ConnectOptions.Default.AttemptDelay.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture);

    /// <summary>Why an address is of no use to a client.</summary>
    private enum Failure
    {
        TimedOut,
        Refused,
        Unreachable,
        Error,
        Tls,
    }

    public static string Name(AddressFamily family) => family == AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4";

    /// <param name="families">The families checked, IPv6 first (the family clients try first).</param>
    /// <param name="notChecked">The family left out by <c>--family</c>, or <see langword="null"/>.</param>
    public static string Of(IReadOnlyList<FamilyCheck> families, AddressFamily? notChecked)
    {
        var withAddresses = families.Where(f => f.Probes.Count > 0).ToList();
        var clauses = families.Select(Clause).ToList();
        if (notChecked is { } family)
        {
            clauses.Add($"{Name(family)} not checked");
        }

        string headline;
        string? consequence = null;
        if (withAddresses.Count == 0 && families.Select(f => f.Query?.Error?.Error).Distinct().ToList() is [ResolutionError.NoSuchName])
        {
            return "nothing works: the name does not exist (NoSuchName)";
        }

        if (!withAddresses.Any(f => f.Probes.Any(p => p.Works)))
        {
            headline = "nothing works";
        }
        else if (withAddresses.All(f => f.Probes.All(p => p.Works)))
        {
            headline = "healthy";
            if (withAddresses.Count == 2)
            {
                clauses = ["both families work"];
            }
        }
        else
        {
            var broken = withAddresses.Where(f => !f.Probes.Any(p => p.Works)).ToList();
            headline = broken.Count == 1 ? $"{Name(broken[0].Family)} {BrokenWord(broken[0])}" : "degraded";
            consequence = Consequence(withAddresses);
        }

        return $"{headline}: {string.Join("; ", clauses)}" + (consequence is null ? string.Empty : $"; {consequence}");
    }

    // What one family did: "IPv4 works", "both IPv6 addresses drop SYNs", "no IPv6 address".
    private static string Clause(FamilyCheck family)
    {
        string name = Name(family.Family);
        if (family.Probes.Count == 0)
        {
            return family.Query?.Error switch
            {
                null => $"no {name} address",
                { Error: ResolutionError.NoData or ResolutionError.NoSuchName } error => $"no {name} address ({error.Error})",
                var error => $"the {name} query failed ({error.Error})",
            };
        }

        var failing = family.Probes.Where(p => !p.Works).ToList();
        if (failing.Count == 0)
        {
            return $"{name} works";
        }

        int total = family.Probes.Count;
        string subject = failing.Count < total ? $"{failing.Count} of {total} {name} addresses"
            : total == 1 ? $"the {name} address"
            : total == 2 ? $"both {name} addresses"
            : $"all {total} {name} addresses";
        bool plural = failing.Count > 1;
        var byFailure = failing.GroupBy(FailureOf).OrderBy(g => g.Key).ToList();
        return byFailure.Count == 1
            ? $"{subject} {Verb(byFailure[0].Key, plural)}"
            : $"{subject} fail: {string.Join(", ", byFailure.Select(g => $"{g.Count()} {Verb(g.Key, g.Count() > 1)}"))}";
    }

    // "refused" or "unreachable" when every address of the family failed that one way; "broken" otherwise.
    private static string BrokenWord(FamilyCheck family)
    {
        var failures = family.Probes.Select(FailureOf).Distinct().ToList();
        return failures is [Failure.Refused] ? "refused" : failures is [Failure.Unreachable] ? "unreachable" : "broken";
    }

    // What a client sees. Clients try IPv6 first (Happy Eyeballs and a sequential client alike), so what matters is
    // how the first family with addresses fails; if it does not, only clients limited to the other family notice.
    private static string Consequence(List<FamilyCheck> withAddresses)
    {
        var first = withAddresses[0];
        var failures = first.Probes.Where(p => !p.Works).Select(FailureOf).ToHashSet();
        bool firstBroken = !first.Probes.Any(p => p.Works);
        string other = withAddresses.Count > 1 ? Name(withAddresses[1].Family) : string.Empty;
        if (failures.Count == 0)
        {
            var rest = withAddresses[1];
            return rest.Probes.Any(p => p.Works)
                ? $"clients that try {Name(first.Family)} first are not affected"
                : $"clients that try {Name(first.Family)} first are not affected, {other}-only clients fail";
        }

        if (failures.Contains(Failure.TimedOut))
        {
            return firstBroken
                ? $"a Happy Eyeballs client connects over {other} after its {s_attemptDelay} ms attempt delay, a sequential client stalls until its timeout"
                : $"a Happy Eyeballs client that tries one of them first moves on after its {s_attemptDelay} ms attempt delay, a sequential client stalls until its timeout";
        }

        if (failures.Contains(Failure.Tls))
        {
            return firstBroken
                ? $"a client that races only the TCP connect picks {Name(first.Family)} and fails its handshake; one that races the handshake falls back to {other}"
                : "a client that races only the TCP connect may pick an address whose handshake fails";
        }

        return firstBroken ? "a Happy Eyeballs client falls back at once, and so does a sequential one" : "clients move on to the next address at once";
    }

    private static Failure FailureOf(ProbeResult probe) => probe.Outcome switch
    {
        ProbeOutcome.Connected => Failure.Tls,
        ProbeOutcome.TimedOut => Failure.TimedOut,
        ProbeOutcome.Refused => Failure.Refused,
        ProbeOutcome.Unreachable => Failure.Unreachable,
        _ => Failure.Error,
    };

    private static string Verb(Failure failure, bool plural) => failure switch
    {
        Failure.TimedOut => plural ? "drop SYNs" : "drops SYNs",
        Failure.Refused => plural ? "refuse connections" : "refuses connections",
        Failure.Unreachable => plural ? "are unreachable" : "is unreachable",
        Failure.Tls => plural ? "fail the TLS handshake" : "fails the TLS handshake",
        _ => plural ? "fail" : "fails",
    };
}
