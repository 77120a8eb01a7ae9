namespace DualStack.Tests.Shared;

/// <summary>How a child process ended: its exit code and everything it wrote.</summary>
/// <param name="ExitCode">The process's exit code.</param>
/// <param name="StdOut">Standard output, exactly as written (what <see cref="ChildProcess.ReadLineAsync(CancellationToken)"/> consumed included).</param>
/// <param name="StdErr">Standard error, exactly as written.</param>
public sealed record ProcessResult(int ExitCode, string StdOut, string StdErr)
{
    /// <summary>Standard output split into lines, without line terminators; a final newline does not add an empty line.</summary>
    public IReadOnlyList<string> StdOutLines => SplitLines(StdOut);

    /// <summary>Standard error split into lines, as <see cref="StdOutLines"/>.</summary>
    public IReadOnlyList<string> StdErrLines => SplitLines(StdErr);

    /// <summary>A summary for assertion messages.</summary>
    public override string ToString() => $"exit code {ExitCode}{Environment.NewLine}stdout: {StdOut}{Environment.NewLine}stderr: {StdErr}";

    internal static IReadOnlyList<string> SplitLines(string text)
    {
        if (text.Length == 0)
        {
            return [];
        }

        var lines = text.Split('\n').Select(line => line.TrimEnd('\r')).ToList();
        if (text.EndsWith('\n'))
        {
            lines.RemoveAt(lines.Count - 1);
        }

        return lines;
    }
}
