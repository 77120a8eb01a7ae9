using DualStack.Tests.Shared;

namespace DualStack.Cli.Tests;

/// <summary>Bad command lines: exit code 2 and one <c>dualstack: </c> line naming what is wrong; help exits 0.</summary>
public sealed class UsageErrorTests
{
    [Theory]
    [InlineData]
    [InlineData("--json")]
    public async Task NoSubcommand_ExitsTwoWithOneLine(params string[] arguments)
    {
        var result = await CliRunner.RunAsync(arguments, TestContext.Current.CancellationToken);

        CliAssert.UsageError(result);
    }

    [Theory]
    [InlineData("bogus")]
    [InlineData("bogus", "--json")]
    [InlineData("resolv", "example.com")]
    public async Task UnknownSubcommand_ExitsTwoWithOneLineNamingIt(params string[] arguments)
    {
        var result = await CliRunner.RunAsync(arguments, TestContext.Current.CancellationToken);

        CliAssert.UsageError(result, $"'{arguments[0]}'");
    }

    [Theory]
    [InlineData("--bogus")]
    [InlineData("interfaces", "--bogus")]
    [InlineData("describe", "tcp://*:0", "--bogus")]
    [InlineData("describe", "tcp://*:0", "--json", "--bogus")]
    public async Task UnknownOption_ExitsTwoWithOneLineNamingIt(params string[] arguments)
    {
        var result = await CliRunner.RunAsync(arguments, TestContext.Current.CancellationToken);

        CliAssert.UsageError(result, "'--bogus'");
    }

    [Theory]
    [InlineData("interfaces", "extra")]
    [InlineData("describe", "tcp://*:0", "extra")]
    public async Task ExtraArgument_ExitsTwoWithOneLineNamingIt(params string[] arguments)
    {
        var result = await CliRunner.RunAsync(arguments, TestContext.Current.CancellationToken);

        CliAssert.UsageError(result, "'extra'");
    }

    [Theory]
    [InlineData("describe")]
    [InlineData("describe", "--json")]
    [InlineData("describe", "--role", "server")]
    public async Task Describe_MissingDescription_ExitsTwoWithOneLine(params string[] arguments)
    {
        var result = await CliRunner.RunAsync(arguments, TestContext.Current.CancellationToken);

        CliAssert.UsageError(result, "describe");
    }

    [Fact]
    public async Task Describe_BogusRole_ExitsTwoWithOneLineNamingIt()
    {
        var result = await CliRunner.RunAsync(["describe", "tcp://*:0", "--role", "bogus"], TestContext.Current.CancellationToken);

        CliAssert.UsageError(result, "'bogus'");
    }

    [Fact]
    public async Task Describe_RoleWithoutValue_ExitsTwoWithOneLineNamingIt()
    {
        var result = await CliRunner.RunAsync(["describe", "tcp://*:0", "--role"], TestContext.Current.CancellationToken);

        CliAssert.UsageError(result, "'--role'");
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("describe", "--help")]
    [InlineData("interfaces", "--help")]
    public async Task Help_ExitsZeroWithUsageOnStdout(params string[] arguments)
    {
        var result = await CliRunner.RunAsync(arguments, TestContext.Current.CancellationToken);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Empty(result.StdErr);
        Assert.Contains("Usage:", result.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_ListsEverySubcommand()
    {
        var result = await CliRunner.RunAsync(["--help"], TestContext.Current.CancellationToken);

        Assert.Contains(result.StdOutLines, line => line.TrimStart().StartsWith("describe ", StringComparison.Ordinal));
        Assert.Contains(result.StdOutLines, line => line.TrimStart().StartsWith("interfaces ", StringComparison.Ordinal));
    }
}
