namespace DualStack;

/// <summary>How a <see cref="HostnameEndpoint"/> goes through a name's addresses.</summary>
public enum ConnectPolicy
{
    /// <summary>
    /// Happy Eyeballs (RFC 8305): families interleaved, attempts staggered by the attempt delay and overlapping,
    /// the first to connect wins.
    /// </summary>
    HappyEyeballs,

    /// <summary>
    /// One attempt at a time: every address of the preferred family (IPv6 unless told otherwise), then the others;
    /// the next address is tried only when an attempt fails with a hard error (refused, unreachable). An address
    /// that silently drops packets holds the connect until the timeout: this is the pre-Happy-Eyeballs behaviour,
    /// for servers that must not see parallel connection attempts.
    /// </summary>
    Sequential,
}
