namespace DualStack.Internal;

// <summary>
// A DNS message could not be parsed or built. The only exception <see cref="DnsMessageReader"/> throws,
// so that a resolver can tell "this datagram is garbage, ignore it" apart from a bug.
// </summary>
// <remarks>
// Internal on purpose: a caller of <see cref="DnsResolver"/> sees a malformed TCP answer as a
// <see cref="HostResolutionException"/> with <see cref="ResolutionError.Failure"/>, and never sees a
// malformed UDP datagram at all.
// </remarks>
internal sealed class DnsFormatException : Exception
{
    public DnsFormatException(string message)
        : base(message)
    {
    }

    public DnsFormatException()
    {
    }

    public DnsFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
