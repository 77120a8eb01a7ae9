using Microsoft.Extensions.Time.Testing;

namespace DualStack.Tests.Fakes;

/// <summary>A <see cref="FakeTimeProvider"/> that counts live timers, so a test can assert that none is left behind.</summary>
public sealed class CountingTimeProvider : TimeProvider
{
    private int _activeTimers;

    public FakeTimeProvider Fake { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public int ActiveTimers => Volatile.Read(ref _activeTimers);

    public override DateTimeOffset GetUtcNow() => Fake.GetUtcNow();

    public override long GetTimestamp() => Fake.GetTimestamp();

    public override long TimestampFrequency => Fake.TimestampFrequency;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        Interlocked.Increment(ref _activeTimers);
        return new CountedTimer(Fake.CreateTimer(callback, state, dueTime, period), this);
    }

    public void Advance(TimeSpan by) => Fake.Advance(by);

    private sealed class CountedTimer(ITimer inner, CountingTimeProvider owner) : ITimer
    {
        private int _disposed;

        public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(dueTime, period);

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                Interlocked.Decrement(ref owner._activeTimers);
            }

            inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
