using System.Diagnostics.Metrics;
using DualStack;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers DualStack in a service container.</summary>
/// <remarks>In this namespace, as the framework's own <c>Add…</c> methods are, so that it needs no extra <c>using</c>.</remarks>
public static class DualStackServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="DualStackOptions"/> (options pattern), a shared <see cref="ConnectionHistory"/> and a
    /// <see cref="HostnameEndpointFactory"/> that makes endpoints with those options and the container's
    /// <see cref="ILoggerFactory"/>, <see cref="IMeterFactory"/> and <see cref="TimeProvider"/> when it has them.
    /// </summary>
    /// <param name="services">The container.</param>
    /// <param name="configure">Sets the connect defaults; <see langword="null"/> to keep them. May be called again to change more.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    public static IServiceCollection AddDualStack(this IServiceCollection services, Action<DualStackOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (!services.Any(d => d.ServiceType == typeof(HostnameEndpointFactory)))
        {
            // Once only, and before any caller's configure: the shared history is a default the caller may replace.
            services.AddOptions<DualStackOptions>().Configure<ConnectionHistory>((options, history) => options.History = history);
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DualStackOptions>, DualStackOptionsValidation>());
            services.TryAddSingleton(sp => new ConnectionHistory(lifetime: null, sp.GetService<TimeProvider>()));
            services.TryAddSingleton(sp => new HostnameEndpointFactory(
                sp.GetRequiredService<IOptions<DualStackOptions>>().Value,
                sp.GetService<ILoggerFactory>(),
                sp.GetService<IMeterFactory>(),
                sp.GetService<TimeProvider>()));
        }

        if (configure is not null)
        {
            services.Configure(configure);
        }

        return services;
    }
}
