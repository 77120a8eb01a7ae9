using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace DualStack.FunctionalTests.Fakes;

/// <summary>A fake clock that reports each timer created on it, so a test can advance time exactly when a timeout is armed.</summary>
public sealed class TimerWatchingTimeProvider : TimeProvider
{
    private readonly Channel<TimeSpan> _created = Channel.CreateUnbounded<TimeSpan>();

    public FakeTimeProvider Fake { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public override DateTimeOffset GetUtcNow() => Fake.GetUtcNow();

    public override long GetTimestamp() => Fake.GetTimestamp();

    public override long TimestampFrequency => Fake.TimestampFrequency;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = Fake.CreateTimer(callback, state, dueTime, period);
        _created.Writer.TryWrite(dueTime);
        return timer;
    }

    /// <summary>Waits (30 s at most) until a timer due in <paramref name="dueTime"/> has been created.</summary>
    public async Task WaitForTimerAsync(TimeSpan dueTime)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(30));
        while (await _created.Reader.ReadAsync(deadline.Token) != dueTime)
        {
        }
    }

    public void Advance(TimeSpan by) => Fake.Advance(by);
}
