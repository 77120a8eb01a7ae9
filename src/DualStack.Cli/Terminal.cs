namespace DualStack.Cli;

/// <summary>What the tool needs to know of the terminal it writes to.</summary>
internal static class Terminal
{
    /// <summary>The terminal's width when <paramref name="writer"/> is standard output or error on a terminal; else <see langword="null"/>.</summary>
    public static int? Columns(TextWriter writer)
    {
        bool onTerminal = (writer == Console.Out && !Console.IsOutputRedirected) || (writer == Console.Error && !Console.IsErrorRedirected);
        if (!onTerminal)
        {
            return null;
        }

        try
        {
            return Console.WindowWidth > 0 ? Console.WindowWidth : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
