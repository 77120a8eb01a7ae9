namespace DualStack;

/// <summary>The two ways to write an endpoint description.</summary>
public enum DescriptionSyntax
{
    /// <summary>URI style, as ZeroMQ writes them: <c>tcp://*:5555</c>, <c>tcp://[fe80::1%eth0]:5555</c>, <c>tcp://example.com:443?timeout=5</c>.</summary>
    Uri,

    /// <summary>Twisted style: <c>tcp:8080:interface=\:\:1</c>, <c>tcp6:8080</c>, <c>tcp:host=example.com:port=443</c>.</summary>
    Twisted,
}
