namespace DualStack.Internal;

// <summary>What a parser found wrong, without the cost of an exception (for the Try… APIs).</summary>
internal readonly record struct ParseError(string Field, string Reason, int Position)
{
    public EndpointFormatException ToException(string input) => new(input, Field, Reason, Position);
}
