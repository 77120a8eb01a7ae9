using Microsoft.Extensions.Logging;

namespace DualStack.Tests.Shared.Diagnostics;

/// <summary>A logger that throws <c>InvalidOperationException("logger")</c> on the events <paramref name="throwsOn"/> picks.</summary>
public sealed class ThrowingLoggerFactory(Func<int, bool> throwsOn) : ILoggerFactory, ILogger
{
    public ThrowingLoggerFactory(int eventId)
        : this(id => id == eventId)
    {
    }

    public ILogger CreateLogger(string categoryName) => this;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (throwsOn(eventId.Id))
        {
            throw new InvalidOperationException("logger");
        }
    }
}
