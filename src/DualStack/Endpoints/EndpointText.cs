namespace DualStack;

// <summary>
// What an endpoint's <see cref="object.ToString"/> gives: its description (<c>tcp://example.com:443</c>).
// </summary>
// <remarks>
// The description code sits above every endpoint, since it parses text into them; endpoints reach it through this one
// hook instead of naming it, and the description code sets the hook as the library loads.
// </remarks>
internal static class EndpointText
{
    private static Func<object, string?>? s_format;

    // <summary>The description of <paramref name="endpoint"/>, or its type name if it has none.</summary>
    public static string Of(object endpoint) => s_format?.Invoke(endpoint) ?? endpoint.GetType().Name;

    // <summary>Sets how endpoints are described: the description code calls this once, as the library loads.</summary>
    public static void Register(Func<object, string?> format) => s_format = format;
}
