using System.IO.Compression;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using DualStack.Tests.Shared;

namespace DualStack.Cli.Tests;

/// <summary>
/// <c>dotnet pack -c Release</c> at the root: the library package DualStack.Net and the <c>dualstack</c> .NET tool, each
/// checked by content, and the tool installed offline from the packed folder and run.
/// </summary>
[Collection(RebuildsRepository.Name)]
public sealed partial class PackageTests(PackedRepository packed) : IClassFixture<PackedRepository>
{
    // A Portable PDB's custom debug information kind for a source file stored in the PDB
    // (https://github.com/dotnet/runtime/blob/main/docs/design/specs/PortablePdb-Metadata.md#embedded-source-c-and-vb-compilers).
    private static readonly Guid s_embeddedSource = new("0E8A571B-6926-466E-B4AD-8AB04611F5FE");

    private static readonly TimeSpan s_installTimeout = TimeSpan.FromMinutes(2);

    [Fact]
    public void Pack_AtTheRoot_MakesOnlyTheLibrariesAndTheToolPackages()
    {
        var packages = Directory.GetFiles(packed.PackageDirectory).Select(Path.GetFileName).Order(StringComparer.Ordinal);

        // Tests, benchmarks and samples are not packable.
        Assert.Equal(
            [$"DualStack.Net.{packed.Version}.nupkg", $"DualStack.Net.Extensions.{packed.Version}.nupkg", $"dualstack.{packed.Version}.nupkg"],
            packages);
    }

    [Fact]
    public void ExtensionsPackage_DependsOnTheLibraryOfTheSameVersionAndTheDocumentedExtensions()
    {
        using var package = ZipFile.OpenRead(packed.Package("DualStack.Net.Extensions"));
        var files = package.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
        var metadata = Nuspec(package);

        Assert.Equal("README.md", Element(metadata, "readme"));
        Assert.Contains("lib/net10.0/DualStack.Net.Extensions.dll", files);
        Assert.Contains("lib/net10.0/DualStack.Net.Extensions.xml", files);
        var dependencies = metadata.Descendants().Where(e => e.Name.LocalName == "dependency")
            .ToDictionary(e => e.Attribute("id")!.Value, e => e.Attribute("version")!.Value, StringComparer.Ordinal);

        // docs/http.md: Microsoft.Extensions.Http is why these live apart from DualStack.Net.
        Assert.Equal(
            ["DualStack.Net", "Microsoft.Extensions.DependencyInjection.Abstractions", "Microsoft.Extensions.Http", "Microsoft.Extensions.Options"],
            dependencies.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(packed.Version, dependencies["DualStack.Net"]);
    }

    [Fact]
    public void LibraryPackage_HasReadmeXmlDocsLicenseAndOnlyAbstractionsDependencies()
    {
        using var package = ZipFile.OpenRead(packed.Package("DualStack.Net"));
        var files = package.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
        var metadata = Nuspec(package);

        Assert.Contains("README.md", files);
        Assert.Equal("README.md", Element(metadata, "readme"));
        Assert.Contains("HostnameEndpoint", ReadText(package.GetEntry("README.md")!), StringComparison.Ordinal);
        Assert.Equal(["lib/net10.0/DualStack.Net.dll", "lib/net10.0/DualStack.Net.xml"], files.Where(f => f.StartsWith("lib/", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        Assert.Contains("<member name=\"T:DualStack.HostnameEndpoint\">", ReadText(package.GetEntry("lib/net10.0/DualStack.Net.xml")!), StringComparison.Ordinal);

        Assert.Equal("DualStack.Net", Element(metadata, "id"));
        Assert.Equal(packed.Version, Element(metadata, "version"));
        Assert.Equal("MIT", Element(metadata, "license"));
        Assert.Equal("expression", metadata.Elements().Single(e => e.Name.LocalName == "license").Attribute("type")?.Value);
        Assert.False(string.IsNullOrWhiteSpace(Element(metadata, "authors")));
        Assert.False(string.IsNullOrWhiteSpace(Element(metadata, "description")));
        Assert.Contains("ipv6", Element(metadata, "tags")!.Split(' '));

        // SPEC/STYLE: the library needs only the BCL and Microsoft.Extensions.*.Abstractions.
        var dependencies = metadata.Descendants().Where(e => e.Name.LocalName == "dependency").Select(e => e.Attribute("id")!.Value).ToList();
        Assert.NotEmpty(dependencies);
        Assert.All(dependencies, id => Assert.Matches(AbstractionsPackage(), id));
    }

    [Fact]
    public void LibraryPackage_DllEmbedsItsPdbWithEverySource()
    {
        using var package = ZipFile.OpenRead(packed.Package("DualStack.Net"));
        using var dll = new MemoryStream();
        using (var entry = package.GetEntry("lib/net10.0/DualStack.Net.dll")!.Open())
        {
            entry.CopyTo(dll);
        }

        dll.Position = 0;
        using var pe = new PEReader(dll);
        var embedded = Assert.Single(pe.ReadDebugDirectory(), d => d.Type == DebugDirectoryEntryType.EmbeddedPortablePdb);
        using var pdbProvider = pe.ReadEmbeddedPortablePdbDebugDirectoryData(embedded);
        var pdb = pdbProvider.GetMetadataReader();

        var documents = pdb.Documents.Select(d => (Handle: d, Name: pdb.GetString(pdb.GetDocument(d).Name))).ToList();
        var hostname = Assert.Single(documents, d => d.Name.EndsWith("HostnameEndpoint.cs", StringComparison.Ordinal));
        var withSource = pdb.CustomDebugInformation
            .Select(pdb.GetCustomDebugInformation)
            .Where(c => pdb.GetGuid(c.Kind) == s_embeddedSource)
            .Select(c => (DocumentHandle)c.Parent)
            .ToHashSet();

        // EmbedAllSources: a debugger needs neither a symbol server nor the repository.
        Assert.Contains(hostname.Handle, withSource);
        Assert.All(documents.Where(d => d.Name.EndsWith(".cs", StringComparison.Ordinal)), d => Assert.Contains(d.Handle, withSource));
    }

    [Fact]
    public void ToolPackage_IsADotnetToolNamedDualstack()
    {
        using var package = ZipFile.OpenRead(packed.Package("dualstack"));
        var metadata = Nuspec(package);

        Assert.Equal("dualstack", Element(metadata, "id"));
        Assert.Equal("README.md", Element(metadata, "readme"));
        Assert.Equal("DotnetTool", metadata.Descendants().Single(e => e.Name.LocalName == "packageType").Attribute("name")?.Value);
        var settings = XDocument.Parse(ReadText(package.GetEntry("tools/net10.0/any/DotnetToolSettings.xml")!));
        var command = settings.Descendants("Command").Single();
        Assert.Equal("dualstack", command.Attribute("Name")?.Value);
        Assert.Equal("dualstack.dll", command.Attribute("EntryPoint")?.Value);
        Assert.NotNull(package.GetEntry("tools/net10.0/any/DualStack.Net.dll"));
    }

    [Fact]
    public async Task ToolPackage_InstallsOfflineFromThePackedFolder_AndItsDemoConnects()
    {
        string toolPath = packed.Directory.File("tools");
        string config = packed.Directory.File("nuget.config");
        // Only the packed folder: no feed to reach, so the install works offline and finds no other dualstack package.
        await File.WriteAllTextAsync(config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="packed" value="{packed.PackageDirectory}" />
              </packageSources>
            </configuration>
            """, TestContext.Current.CancellationToken);
        var environment = PackedRepository.WithoutMSBuildVariables();
        // A package cache and a CLI home of this test's own: nothing cached before is used, nothing is left behind.
        environment["NUGET_PACKAGES"] = packed.Directory.File("nuget-packages");
        environment["DOTNET_CLI_HOME"] = packed.Directory.File("dotnet-home");

        var install = await ChildProcess.RunAsync(
            CliRunner.DotNetHost,
            ["tool", "install", "dualstack", "--tool-path", toolPath, "--configfile", config, "--version", packed.Version],
            environment,
            s_installTimeout,
            TestContext.Current.CancellationToken);

        Assert.True(install.ExitCode == 0, install.ToString());
        string dualstack = Path.Combine(toolPath, OperatingSystem.IsWindows() ? "dualstack.exe" : "dualstack");
        Assert.True(File.Exists(dualstack), $"{dualstack} was not installed: {install}");

        // The tool's launcher finds the runtime through DOTNET_ROOT wherever dotnet lives.
        var run = new Dictionary<string, string?> { ["DOTNET_ROOT"] = Path.GetDirectoryName(Path.GetFullPath(ResolveHost())) };
        var describe = await ChildProcess.RunAsync(dualstack, ["describe", "tcp://[::1]:5555", "--json"], run, TaskTimeoutExtensions.DefaultTimeout, TestContext.Current.CancellationToken);
        Assert.True(describe.ExitCode == 0, describe.ToString());
        Assert.Equal("tcp-client", (string?)JsonNode.Parse(Assert.Single(describe.StdOutLines))!["kind"]);

        if (!IPv6Support.IsLoopbackAvailable)
        {
            Assert.Skip("the tool installed and ran, but its demo needs IPv6 on loopback (::1), which cannot be bound here");
        }

        var demo = await ChildProcess.RunAsync(dualstack, ["demo", "--json"], run, TaskTimeoutExtensions.DefaultTimeout, TestContext.Current.CancellationToken);
        Assert.True(demo.ExitCode == 0, demo.ToString());
        var json = JsonNode.Parse(Assert.Single(demo.StdOutLines))!.AsObject();
        Assert.True((bool)json["connected"]!, demo.ToString());
        Assert.Equal("ipv4", (string?)json["family"]);
        Assert.Equal("hello over whichever family works", (string?)json["reply"]);
    }

    [GeneratedRegex(@"^Microsoft\.Extensions\.[A-Za-z]+(\.[A-Za-z]+)*\.Abstractions$")]
    private static partial Regex AbstractionsPackage();

    private static XElement Nuspec(ZipArchive package)
    {
        var entry = Assert.Single(package.Entries, e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal) && !e.FullName.Contains('/', StringComparison.Ordinal));
        return XDocument.Parse(ReadText(entry)).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
    }

    private static string? Element(XElement metadata, string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value;

    private static string ReadText(ZipArchiveEntry entry)
    {
        using var reader = new StreamReader(entry.Open());
        return reader.ReadToEnd();
    }

    // "dotnet" on PATH when the SDK did not say which dotnet runs the tests.
    private static string ResolveHost()
    {
        string host = CliRunner.DotNetHost;
        if (Path.IsPathRooted(host))
        {
            return ResolveLinks(host);
        }

        foreach (string directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator))
        {
            string candidate = Path.Combine(directory, host);
            if (File.Exists(candidate))
            {
                return ResolveLinks(candidate);
            }
        }

        throw new FileNotFoundException($"{host} is not on PATH");
    }

    // /usr/bin/dotnet is a link to /usr/share/dotnet/dotnet; DOTNET_ROOT is the folder of the real one.
    private static string ResolveLinks(string path) =>
        File.ResolveLinkTarget(path, returnFinalTarget: true)?.FullName ?? path;
}
