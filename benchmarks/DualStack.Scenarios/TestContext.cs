namespace DualStack.Tests.Shared;

// The shared lab helpers (tests/Shared) ask xunit's TestContext for two things: the run's cancellation token and a
// place to put warnings. Outside a test run this stands in for it, so that this console program compiles them as
// they are without referencing a test framework: the token is the program's Ctrl-C/SIGTERM token, and warnings go
// to standard error. It is found by the helpers' unqualified "TestContext" through their enclosing namespace.

/// <summary>Stand-in for xunit's <c>TestContext</c> used by the shared lab helpers.</summary>
internal sealed class TestContext
{
    private CancellationToken _cancellationToken;

    private TestContext()
    {
    }

    /// <summary>The one context of this process.</summary>
    public static TestContext Current { get; } = new();

    /// <summary>Cancelled when the user asks the program to stop (Ctrl-C, SIGTERM).</summary>
    public CancellationToken CancellationToken => _cancellationToken;

    /// <summary>Sets the token returned by <see cref="CancellationToken"/>; call once, before the lab is built.</summary>
    public void Use(CancellationToken cancellationToken) => _cancellationToken = cancellationToken;

    /// <summary>Writes a warning to standard error.</summary>
    public void AddWarning(string message) => Console.Error.WriteLine($"warning: {message}");
}
