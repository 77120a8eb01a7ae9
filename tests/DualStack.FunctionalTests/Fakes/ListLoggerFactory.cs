using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace DualStack.FunctionalTests.Fakes;

/// <summary>
/// A logger factory that keeps every event, and the activity (span) current as it was logged, so a test can wait for one
/// by its id.
/// </summary>
public sealed class ListLoggerFactory : ILoggerFactory
{
    private readonly List<LogEvent> _events = [];
    private readonly SemaphoreSlim _added = new(0);

    public IReadOnlyList<LogEvent> Events
    {
        get
        {
            lock (_events)
            {
                return [.. _events];
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => new ListLogger(this, categoryName);

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

    public void Dispose() => _added.Dispose();

    /// <summary>Waits until an event with <paramref name="eventId"/> has been logged (within 30 s).</summary>
    public async Task<LogEvent> WaitForAsync(int eventId)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(30));
        while (true)
        {
            if (Events.FirstOrDefault(e => e.Id == eventId) is { } found)
            {
                return found;
            }

            await _added.WaitAsync(deadline.Token);
        }
    }

    private void Add(LogEvent logEvent)
    {
        lock (_events)
        {
            _events.Add(logEvent);
        }

        _added.Release();
    }

    /// <summary>
    /// One event; <paramref name="Fields"/> holds its structured fields by name (the message's placeholders), and
    /// <paramref name="Activity"/> the span current as it was logged.
    /// </summary>
    public sealed record LogEvent(
        string Category, LogLevel Level, int Id, string Message, Exception? Exception, IReadOnlyDictionary<string, object?> Fields, Activity? Activity);

    private sealed class ListLogger(ListLoggerFactory owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Add(new LogEvent(
                category,
                logLevel,
                eventId.Id,
                formatter(state, exception),
                exception,
                state is IEnumerable<KeyValuePair<string, object?>> fields ? fields.ToDictionary() : new Dictionary<string, object?>(),
                Activity.Current));
    }
}
