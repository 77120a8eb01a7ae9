using Microsoft.Extensions.Options;

namespace DualStack;

/// <summary>Checks <see cref="DualStackOptions"/> by applying them to an endpoint, whose setters know the ranges.</summary>
internal sealed class DualStackOptionsValidation : IValidateOptions<DualStackOptions>
{
    public ValidateOptionsResult Validate(string? name, DualStackOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            _ = HostnameEndpointFactory.Apply(new HostnameEndpoint("localhost", 0), options);
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException e)
        {
            return ValidateOptionsResult.Fail($"DualStackOptions: {e.Message}");
        }
    }
}
