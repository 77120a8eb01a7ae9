namespace DualStack.Tests.Architecture;

/// <summary>
/// The library's folders form a one-way stack (docs/architecture.md): a type uses only types of its own folder and of
/// the layers below it. Dependencies are read from the compiled assembly, signatures and method bodies alike.
/// </summary>
public sealed class LayerTests
{
    // Bottom to top; folders on one line are siblings, which do not use each other. "(root)" is src/DualStack itself.
    private static readonly string[][] s_layers =
    [
        ["(root)"],
        ["Internal"],
        ["Addresses"],
        ["Endpoints"],
        ["Diagnostics"],
        ["Resolution"],
        ["Connecting", "Listening", "Datagrams"],
        ["Tls", "Http"],
        ["Descriptions"],
    ];

    [Fact]
    public void EveryType_UsesOnlyItsOwnFolderAndTheLayersBelow()
    {
        var folderOf = FoldersByTypeName(Path.Combine(RepositoryRoot(), "src", "DualStack"));
        var rank = s_layers.SelectMany((folders, i) => folders.Select(f => (f, i))).ToDictionary(p => p.f, p => p.i);
        var upward = new List<string>();
        foreach (var (type, uses) in TypeDependencies.Of(typeof(HostnameEndpoint).Assembly))
        {
            if (!folderOf.TryGetValue(Name(type), out var from))
            {
                continue;
            }

            foreach (var used in uses)
            {
                if (folderOf.TryGetValue(Name(used), out var to) && to != from && rank[to] >= rank[from])
                {
                    upward.Add($"{from}/{Name(type)} uses {to}/{Name(used)}");
                }
            }
        }

        Assert.True(upward.Count == 0, "dependencies against the stack:\n" + string.Join("\n", upward.Order(StringComparer.Ordinal)));
    }

    [Fact]
    public void EveryTypeAndFolder_HasItsPlaceInTheStack()
    {
        var folderOf = FoldersByTypeName(Path.Combine(RepositoryRoot(), "src", "DualStack"));
        var placed = s_layers.SelectMany(f => f).ToHashSet();

        var unplacedFolders = folderOf.Values.Distinct().Where(f => !placed.Contains(f));
        var typesWithoutFile = TypeDependencies.Of(typeof(HostnameEndpoint).Assembly).Keys
            .Where(t => !TypeDependencies.IsCompilerGenerated(t) && !folderOf.ContainsKey(Name(t)))
            .Select(t => t.FullName);

        Assert.Empty(unplacedFolders);
        Assert.Empty(typesWithoutFile);
    }

    private static string Name(Type type) => type.Name.Split('`')[0];

    // Each type by the folder of its file: a file is named after its type (partial parts as Type.Part.cs).
    private static Dictionary<string, string> FoldersByTypeName(string source)
    {
        var folders = new Dictionary<string, string>();
        foreach (var file in Directory.EnumerateFiles(source, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file).Split(Path.DirectorySeparatorChar);
            if (relative[0] is "obj" or "bin")
            {
                continue;
            }

            folders[Path.GetFileName(file).Split('.')[0]] = relative.Length == 1 ? "(root)" : relative[0];
        }

        return folders;
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (Directory.Exists(Path.Combine(directory.FullName, "src", "DualStack")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("the repository root was not found above " + AppContext.BaseDirectory);
    }
}
