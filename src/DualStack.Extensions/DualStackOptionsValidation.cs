using Microsoft.Extensions.Options;

namespace DualStack;

/// <summary>Checks <see cref="DualStackOptions"/>: its connect settings were checked as they were set, so only their presence is left.</summary>
internal sealed class DualStackOptionsValidation : IValidateOptions<DualStackOptions>
{
    public ValidateOptionsResult Validate(string? name, DualStackOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Connect is null ? ValidateOptionsResult.Fail("DualStackOptions: Connect is null") : ValidateOptionsResult.Success;
    }
}
