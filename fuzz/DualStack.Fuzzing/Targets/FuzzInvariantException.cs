namespace DualStack.Fuzzing;

/// <summary>A parser broke an invariant other than "throws only its documented exception": a failed round trip.</summary>
public sealed class FuzzInvariantException : Exception
{
    public FuzzInvariantException()
    {
    }

    public FuzzInvariantException(string message)
        : base(message)
    {
    }

    public FuzzInvariantException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
