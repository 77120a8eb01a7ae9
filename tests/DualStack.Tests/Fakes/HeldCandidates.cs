using System.Net;

namespace DualStack.Tests.Fakes;

/// <summary>
/// Candidates that hand out their endpoints, then hold the thread of whoever asks for one more (the race's own) until the
/// test releases it, as a source that blocks would. Whatever the test completes meanwhile is all done when the race
/// next looks, so "at the same instant" is the same instant every run.
/// </summary>
public sealed class HeldCandidates(params IPEndPoint[] endPoints) : IAsyncEnumerable<IPEndPoint>, IDisposable
{
    private readonly ManualResetEventSlim _released = new();
    private readonly TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the race has asked for the candidate after the last one and is held there.</summary>
    public Task Held => _held.Task;

    public void Release() => _released.Set();

    public async IAsyncEnumerator<IPEndPoint> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        foreach (var endPoint in endPoints)
        {
            yield return endPoint;
        }

        _held.SetResult();
        _released.Wait(TimeSpan.FromSeconds(30), CancellationToken.None);
        await Task.CompletedTask;
    }

    public void Dispose() => _released.Dispose();
}
