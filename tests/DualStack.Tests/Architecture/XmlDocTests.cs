using System.Reflection;
using System.Xml.Linq;

namespace DualStack.Tests.Architecture;

/// <summary>The XML documentation file shipped in the package documents the public API only.</summary>
public sealed class XmlDocTests
{
    private const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    [Fact]
    public void DocumentationFile_HoldsNoInternalMember()
    {
        var assembly = typeof(HostnameEndpoint).Assembly;
        var file = Path.ChangeExtension(assembly.Location, ".xml");
        var names = XDocument.Load(file).Descendants("member").Select(m => (string)m.Attribute("name")!).ToList();

        var hidden = names.Where(name => !IsVisible(assembly, name)).ToList();

        Assert.NotEmpty(names);
        Assert.True(hidden.Count == 0, $"{hidden.Count} members that users cannot see are documented:\n{string.Join("\n", hidden)}");
    }

    // A documentation ID (T:Ns.Type, M:Ns.Type.Method(args), P:…, F:…, E:…) names something users see when its type is
    // visible and, for a member, some member of that name is public or protected.
    private static bool IsVisible(Assembly assembly, string id)
    {
        char kind = id[0];
        string name = id[2..];
        int parenthesis = name.IndexOf('(', StringComparison.Ordinal);
        if (parenthesis >= 0)
        {
            name = name[..parenthesis];
        }

        if (kind == 'T')
        {
            return TypeOf(assembly, name) is { IsVisible: true };
        }

        int dot = name.LastIndexOf('.');
        var type = TypeOf(assembly, name[..dot]);
        string member = name[(dot + 1)..].Split("``")[0].Replace('#', '.');
        if (type is not { IsVisible: true })
        {
            return false;
        }

        return type.GetMember(member, All).Any(m => m switch
        {
            MethodBase method => method.IsPublic || method.IsFamily || method.IsFamilyOrAssembly,
            PropertyInfo property => property.GetAccessors(nonPublic: true).Any(a => a.IsPublic || a.IsFamily || a.IsFamilyOrAssembly),
            FieldInfo field => field.IsPublic || field.IsFamily || field.IsFamilyOrAssembly,
            EventInfo e => e.AddMethod is { } add && (add.IsPublic || add.IsFamily),
            Type nested => nested.IsVisible,
            _ => false,
        });
    }

    private static Type? TypeOf(Assembly assembly, string name)
    {
        // Nested types are written Outer.Inner; reflection names them Outer+Inner.
        for (var candidate = name; ; )
        {
            if (assembly.GetType(candidate) is { } type)
            {
                return type;
            }

            int dot = candidate.LastIndexOf('.');
            if (dot < 0)
            {
                return null;
            }

            candidate = candidate[..dot] + "+" + candidate[(dot + 1)..];
        }
    }
}
