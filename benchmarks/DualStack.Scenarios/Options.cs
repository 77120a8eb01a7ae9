using System.Globalization;

namespace DualStack.Scenarios;

/// <summary>The few <c>--name value</c> and <c>--flag</c> options this program takes.</summary>
internal sealed class Options
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);

    private Options()
    {
    }

    /// <exception cref="UsageException">An unknown option, or one missing its value.</exception>
    public static Options Parse(IReadOnlyList<string> arguments, IReadOnlyCollection<string> valued, IReadOnlyCollection<string> flags)
    {
        var options = new Options();
        for (int i = 0; i < arguments.Count; i++)
        {
            string name = arguments[i];
            if (flags.Contains(name))
            {
                options._flags.Add(name);
            }
            else if (valued.Contains(name))
            {
                options._values[name] = i + 1 < arguments.Count ? arguments[++i] : throw new UsageException($"{name} needs a value");
            }
            else
            {
                throw new UsageException($"unknown argument '{name}'");
            }
        }

        return options;
    }

    public string? Value(string name) => _values.GetValueOrDefault(name);

    public bool Flag(string name) => _flags.Contains(name);

    /// <exception cref="UsageException">The value is not a whole number.</exception>
    public int Int(string name, int defaultValue) =>
        Value(name) is not { } text ? defaultValue
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) ? value
        : throw new UsageException($"{name} takes a whole number, not '{text}'");
}
