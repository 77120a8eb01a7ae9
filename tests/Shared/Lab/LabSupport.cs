namespace DualStack.Tests.Shared.Lab;

/// <summary>Helpers for tests that need a <see cref="NetworkLab"/> or a <see cref="Nat64Lab"/>.</summary>
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

    /// <summary>
    /// Skips the calling test, with the reason, when NAT64 labs cannot be created here: no network labs, or no
    /// <c>tayga</c>, <c>nft</c> or TUN device (<see cref="Nat64Lab.UnavailableReason"/>).
    /// </summary>
    public static void SkipUnlessNat64Available()
    {
        if (Nat64Lab.UnavailableReason is { } reason)
        {
            Assert.Skip($"NAT64 lab unavailable: {reason}");
        }
    }
}
