namespace DualStack.Cli.Tests;

/// <summary>
/// Tests that build the repository again (a pack, sample builds): they run alone, after the parallel tests of this
/// assembly, so that two cores compiling do not upset the timing assertions of the others.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RebuildsRepository
{
    public const string Name = "Rebuilds the repository";
}
