using System.IO.Compression;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using DualStack.Tests.Shared;

namespace DualStack.Cli.Tests;

/// <summary>
/// <c>dotnet pack -c Release</c> at the root: the library package DualStack.Net and the <c>dualstack</c> .NET tool, with
/// the tool's native package for this machine and its framework-dependent fallback, each checked by content, and the
/// tool installed offline from the packed folder and run.
/// </summary>
[Collection(RebuildsRepository.Name)]
public sealed partial class PackageTests(PackedRepository packed) : IClassFixture<PackedRepository>
{
    // A Portable PDB's custom debug information kind for a source file stored in the PDB
    // (https://github.com/dotnet/runtime/blob/main/docs/design/specs/PortablePdb-Metadata.md#embedded-source-c-and-vb-compilers).
    private static readonly Guid s_embeddedSource = new("0E8A571B-6926-466E-B4AD-8AB04611F5FE");

    private static readonly TimeSpan s_installTimeout = TimeSpan.FromMinutes(2);

    [Fact]
    public void Pack_MakesOnlyTheLibrariesTheToolAndItsRuntimePackages()
    {
        var packages = Directory.GetFiles(packed.PackageDirectory).Select(Path.GetFileName).Order(StringComparer.Ordinal);
        string[] expected =
        [
            // At the root: tests, benchmarks and samples are not packable.
            $"DualStack.Net.{packed.Version}.nupkg", $"DualStack.Net.Extensions.{packed.Version}.nupkg", $"dualstack.{packed.Version}.nupkg",
            // The tool's runtime packages, packed on their own.
            $"dualstack.any.{packed.Version}.nupkg",
            .. NativeToolchain.Missing is null ? [$"dualstack.{packed.RuntimeIdentifier}.{packed.Version}.nupkg"] : Array.Empty<string>(),
        ];

        Assert.Equal(expected.Order(StringComparer.Ordinal), packages);
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

        // The library needs only the BCL and Microsoft.Extensions.*.Abstractions.
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
    public void ToolPackage_IsADotnetToolNamedDualstack_ThatListsItsNativeAndFallbackPackages()
    {
        using var package = ZipFile.OpenRead(packed.Package("dualstack"));
        var metadata = Nuspec(package);

        Assert.Equal("dualstack", Element(metadata, "id"));
        Assert.Equal("README.md", Element(metadata, "readme"));
        Assert.Equal("DotnetTool", PackageType(metadata));
        var settings = PointerSettings(package);
        Assert.Equal("dualstack", settings.Descendants("Command").Single().Attribute("Name")?.Value);

        // Only a list: dotnet tool install takes the package for the machine's RID, else the framework-dependent one.
        var runtimePackages = settings.Descendants("RuntimeIdentifierPackage")
            .ToDictionary(p => p.Attribute("RuntimeIdentifier")!.Value, p => p.Attribute("Id")!.Value, StringComparer.Ordinal);
        Assert.Equal("dualstack.linux-x64", runtimePackages["linux-x64"]);
        Assert.Equal("dualstack.any", runtimePackages["any"]);
        Assert.DoesNotContain(package.Entries, e => e.FullName.EndsWith(".dll", StringComparison.Ordinal));
    }

    [Fact]
    public void NativeToolPackage_HoldsTheNativeExecutableAlone()
    {
        if (NativeToolchain.Missing is { } missing)
        {
            Assert.Skip(missing);
        }

        using var package = ZipFile.OpenRead(packed.Package($"dualstack.{packed.RuntimeIdentifier}"));
        var metadata = Nuspec(package);

        Assert.Equal("DotnetToolRidPackage", PackageType(metadata));
        string folder = $"tools/any/{packed.RuntimeIdentifier}/";
        var command = XDocument.Parse(ReadText(package.GetEntry(folder + "DotnetToolSettings.xml")!)).Descendants("Command").Single();
        Assert.Equal("executable", command.Attribute("Runner")?.Value);
        Assert.Equal("dualstack", command.Attribute("EntryPoint")?.Value);

        // No dll, no debug symbols (dualstack.dbg), no XML docs: one self-contained executable.
        Assert.Equal(
            [folder + "DotnetToolSettings.xml", folder + "dualstack"],
            package.Entries.Select(e => e.FullName).Where(f => f.StartsWith("tools/", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        if (OperatingSystem.IsLinux())
        {
            using var executable = package.GetEntry(folder + "dualstack")!.Open();
            Assert.True(IsElf(executable), $"{folder}dualstack is not an ELF executable");
        }
    }

    [Fact]
    public async Task FallbackToolPackage_IsTheFrameworkDependentDll_AndRunsWithDotnet()
    {
        using var package = ZipFile.OpenRead(packed.Package("dualstack.any"));
        var metadata = Nuspec(package);

        Assert.Equal("DotnetToolRidPackage", PackageType(metadata));
        var command = XDocument.Parse(ReadText(package.GetEntry("tools/net10.0/any/DotnetToolSettings.xml")!)).Descendants("Command").Single();
        Assert.Equal("dotnet", command.Attribute("Runner")?.Value);
        Assert.Equal("dualstack.dll", command.Attribute("EntryPoint")?.Value);
        Assert.NotNull(package.GetEntry("tools/net10.0/any/DualStack.Net.dll"));

        // What dotnet tool install does with it on a platform without a native package: run the dll with dotnet.
        string extracted = packed.Directory.File("dualstack.any");
        package.ExtractToDirectory(extracted);
        var describe = await ChildProcess.RunAsync(
            CliRunner.DotNetHost,
            [Path.Combine(extracted, "tools", "net10.0", "any", "dualstack.dll"), "describe", "tcp://[::1]:5555", "--json"],
            TaskTimeoutExtensions.DefaultTimeout,
            TestContext.Current.CancellationToken);
        Assert.True(describe.ExitCode == 0, describe.ToString());
        Assert.Equal("tcp-client", (string?)JsonNode.Parse(Assert.Single(describe.StdOutLines))!["kind"]);
    }

    [Fact]
    public async Task ToolPackage_InstallsTheNativeToolOfflineFromThePackedFolder_AndItsDemoConnects()
    {
        // The top-level package lists the RIDs that have a native package; any other takes the fallback.
        bool listed = ListedRuntimeIdentifiers().Contains(packed.RuntimeIdentifier);
        if (listed && NativeToolchain.Missing is { } missing)
        {
            Assert.Skip($"no native package to install: {missing}");
        }

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

        // The native package for this RID was taken, and what it installed is the native executable itself (on Linux,
        // a link into the tool store), not a launcher that starts dotnet with a dll.
        var run = new Dictionary<string, string?>();
        if (listed)
        {
            string target = ResolveLinks(dualstack);
            Assert.Contains($"dualstack.{packed.RuntimeIdentifier}", target, StringComparison.Ordinal);
            if (OperatingSystem.IsLinux())
            {
                using var executable = File.OpenRead(target);
                Assert.True(IsElf(executable), $"{target} is not an ELF executable");
            }

            // Nothing to find a .NET runtime with: the native tool needs none.
            run["DOTNET_ROOT"] = null;
            run["PATH"] = packed.Directory.File("empty-path");
        }
        else
        {
            // No native package for this RID: the framework-dependent fallback, whose launcher finds the runtime
            // through DOTNET_ROOT wherever dotnet lives.
            run["DOTNET_ROOT"] = Path.GetDirectoryName(Path.GetFullPath(ResolveHost()));
        }

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

    private HashSet<string> ListedRuntimeIdentifiers()
    {
        using var package = ZipFile.OpenRead(packed.Package("dualstack"));
        return PointerSettings(package).Descendants("RuntimeIdentifierPackage")
            .Select(p => p.Attribute("RuntimeIdentifier")!.Value)
            .ToHashSet(StringComparer.Ordinal);
    }

    private static XDocument PointerSettings(ZipArchive package) =>
        XDocument.Parse(ReadText(package.GetEntry("tools/any/any/DotnetToolSettings.xml")!));

    private static XElement Nuspec(ZipArchive package)
    {
        var entry = Assert.Single(package.Entries, e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal) && !e.FullName.Contains('/', StringComparison.Ordinal));
        return XDocument.Parse(ReadText(entry)).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
    }

    private static string? PackageType(XElement metadata) =>
        metadata.Descendants().Single(e => e.Name.LocalName == "packageType").Attribute("name")?.Value;

    // An ELF file starts with 0x7F 'E' 'L' 'F'.
    private static bool IsElf(Stream stream)
    {
        Span<byte> magic = stackalloc byte[4];
        stream.ReadExactly(magic);
        return magic.SequenceEqual("\u007fELF"u8);
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
