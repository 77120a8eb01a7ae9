namespace DualStack.Scenarios;

/// <summary>A connection's local or remote address lies outside the lab: the measurement must stop.</summary>
internal sealed class LabEscapeException(string message) : Exception(message);
