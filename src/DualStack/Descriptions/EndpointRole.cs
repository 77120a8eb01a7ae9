namespace DualStack;

/// <summary>Whether a description is meant to connect, to listen, or to bind a datagram socket.</summary>
public enum EndpointRole
{
    /// <summary>Connect to it.</summary>
    Client,

    /// <summary>Listen on it.</summary>
    Server,

    /// <summary>Bind a datagram socket to it (<c>udp</c>, <c>udp6</c>): parse with <see cref="EndpointDescription.ParseDatagram(string)"/>.</summary>
    Datagram,
}
