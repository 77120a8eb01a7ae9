namespace DualStack.Diagnostics;

// <summary>
// An exception that knows its own <c>error.type</c> for metrics and spans. The library's exceptions live above the
// diagnostics code, so they say it themselves instead of diagnostics knowing each of them.
// </summary>
internal interface IHasErrorType
{
    // <summary>A short, stable, low-cardinality value listed in docs/diagnostics.md.</summary>
    string ErrorType { get; }
}
