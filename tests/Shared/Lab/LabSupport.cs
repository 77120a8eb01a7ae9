namespace DualStack.Tests.Shared.Lab;

/// <summary>Helpers for tests that need a <see cref="NetworkLab"/>.</summary>
public static class LabSupport
{
    /// <summary>Skips the calling test, with the reason, when network labs cannot be created here.</summary>
    public static void SkipUnlessAvailable()
    {
        if (NetworkLab.UnavailableReason is { } reason)
        {
            Assert.Skip($"network lab unavailable: {reason}");
        }
    }
}
