namespace DualStack;

/// <summary>The result of <see cref="HostLookup.GetNameInfoAsync"/>: a host and a service, as names or numbers.</summary>
/// <param name="Host">The host name, or the address literal (with its zone).</param>
/// <param name="Service">The service name, or the port number.</param>
public sealed record NameInfo(string Host, string Service);
