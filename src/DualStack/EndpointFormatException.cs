namespace DualStack;

/// <summary>
/// Thrown when an address, endpoint, host name, port or endpoint description is malformed.
/// The message quotes the input and names the offending field.
/// </summary>
/// <remarks>
/// This is the only exception type that DualStack's parsers throw for bad input.
/// </remarks>
public sealed class EndpointFormatException : FormatException
{
    /// <summary>Creates an exception for <paramref name="input"/>.</summary>
    /// <param name="input">The text that failed to parse, whole.</param>
    /// <param name="field">The part of the input that is wrong, such as <c>zone</c>, <c>port</c> or <c>option 'backlog'</c>.</param>
    /// <param name="reason">What is wrong with it.</param>
    /// <param name="position">The zero-based offset of the offending part in <paramref name="input"/>, or -1 when it has none.</param>
    public EndpointFormatException(string input, string field, string reason, int position)
        : base(BuildMessage(input, field, reason, position))
    {
        Input = input;
        Field = field;
        Reason = reason;
        Position = position;
    }

    /// <summary>The text that failed to parse.</summary>
    public string Input { get; }

    /// <summary>The part of the input that is wrong, such as <c>zone</c>, <c>port</c>, <c>host</c> or <c>kind</c>.</summary>
    public string Field { get; }

    /// <summary>What is wrong with that part.</summary>
    public string Reason { get; }

    /// <summary>The zero-based offset of the offending part in <see cref="Input"/>, or -1.</summary>
    public int Position { get; }

    private static string BuildMessage(string input, string field, string reason, int position) =>
        position >= 0
            ? $"invalid {field} in '{input}' at position {position}: {reason}"
            : $"invalid {field} in '{input}': {reason}";
}
