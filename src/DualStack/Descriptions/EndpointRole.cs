namespace DualStack;

/// <summary>Whether a description is meant to connect or to listen.</summary>
public enum EndpointRole
{
    /// <summary>Connect to it.</summary>
    Client,

    /// <summary>Listen on it.</summary>
    Server,
}
