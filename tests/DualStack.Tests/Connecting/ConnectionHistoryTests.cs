using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;

namespace DualStack.Tests.Connecting;

public sealed class ConnectionHistoryTests
{
    [Fact]
    public void AddressChange_ForgetsWhatEveryHistoryRecorded_ButNotWhatComesAfter()
    {
        var time = new FakeTimeProvider();
        var first = new ConnectionHistory(null, time);
        var second = new ConnectionHistory(null, time);
        first.Record("a.test", AddressFamily.InterNetwork);
        second.Record("b.test", AddressFamily.InterNetworkV6);

        ConnectionHistory.OnAddressChanged();

        Assert.False(first.TryGetWinningFamily("a.test", out _));
        Assert.False(second.TryGetWinningFamily("b.test", out _));
        first.Record("a.test", AddressFamily.InterNetworkV6);
        Assert.True(first.TryGetWinningFamily("a.test", out var family));
        Assert.Equal(AddressFamily.InterNetworkV6, family);
    }

    [Fact]
    public void Entry_ExpiresAfterItsLifetime()
    {
        var time = new FakeTimeProvider();
        var history = new ConnectionHistory(TimeSpan.FromMinutes(1), time);
        history.Record("a.test", AddressFamily.InterNetwork);

        time.Advance(TimeSpan.FromSeconds(59));
        Assert.True(history.TryGetWinningFamily("a.test", out _));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(history.TryGetWinningFamily("a.test", out _));
    }
}
