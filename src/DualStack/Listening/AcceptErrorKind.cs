namespace DualStack;

// <summary>What the accept loop does about an accept error (see <see cref="AcceptErrors"/>).</summary>
internal enum AcceptErrorKind
{
    // <summary>Accept again at once.</summary>
    Retry,

    // <summary>Pause, then accept again.</summary>
    BackOff,

    // <summary>The listening socket is broken: fault the listener.</summary>
    Fatal,
}
