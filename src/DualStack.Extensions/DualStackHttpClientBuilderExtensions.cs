using DualStack;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Makes IHttpClientFactory clients connect with DualStack.</summary>
public static class DualStackHttpClientBuilderExtensions
{
    /// <summary>
    /// Makes the client's <see cref="SocketsHttpHandler"/> open its connections with a <see cref="HostnameEndpoint"/> from
    /// the container's <see cref="HostnameEndpointFactory"/> (the <see cref="DualStackOptions"/> defaults, the shared
    /// <see cref="ConnectionHistory"/>, the container's logging, metrics and clock). Calls <c>AddDualStack()</c> if
    /// that has not been done.
    /// </summary>
    /// <param name="builder">The client's builder, from <c>services.AddHttpClient(…)</c>.</param>
    /// <param name="configure">
    /// Changes the endpoint for this client, such as <c>e =&gt; e with { AttemptDelay = TimeSpan.FromMilliseconds(100) }</c>;
    /// <see langword="null"/> to use the defaults as they are.
    /// </param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <remarks>
    /// Since Microsoft.Extensions.Http 9 the primary handler is a <see cref="SocketsHttpHandler"/>. If something replaces
    /// it, do that before this call; a primary handler of another type makes creating the client throw an
    /// <see cref="InvalidOperationException"/>.
    /// </remarks>
    public static IHttpClientBuilder UseDualStack(this IHttpClientBuilder builder, Func<HostnameEndpoint, HostnameEndpoint>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddDualStack();
        return builder.ConfigurePrimaryHttpMessageHandler((handler, services) =>
        {
            if (handler is not SocketsHttpHandler sockets)
            {
                throw new InvalidOperationException(
                    $"UseDualStack on HttpClient '{builder.Name}' needs a SocketsHttpHandler as the primary handler, but it is a {handler.GetType().FullName}");
            }

            var factory = services.GetRequiredService<HostnameEndpointFactory>();
            sockets.UseDualStack(configure is null ? factory.Apply : e => configure(factory.Apply(e)));
        });
    }
}
