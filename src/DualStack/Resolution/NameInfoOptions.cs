namespace DualStack;

/// <summary>Options for <see cref="HostLookup.GetNameInfoAsync"/>, after getnameinfo's <c>NI_*</c>.</summary>
[Flags]
public enum NameInfoOptions
{
    /// <summary>Names where they can be found, numbers otherwise.</summary>
    None = 0,

    /// <summary>The host as an address literal, with its zone; no lookup (<c>NI_NUMERICHOST</c>).</summary>
    NumericHost = 1,

    /// <summary>The service as a port number (<c>NI_NUMERICSERV</c>).</summary>
    NumericService = 2,

    /// <summary>Fail when the address has no name, rather than returning the literal (<c>NI_NAMEREQD</c>).</summary>
    NameRequired = 4,

    /// <summary>Look the port up as a UDP service rather than TCP (<c>NI_DGRAM</c>).</summary>
    Datagram = 8,
}
