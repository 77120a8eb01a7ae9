namespace DualStack.Scenarios;

/// <summary>Bad command-line arguments: printed with the usage, exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
