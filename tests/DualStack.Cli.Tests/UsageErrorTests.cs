using DualStack.Tests.Shared;

namespace DualStack.Cli.Tests;

/// <summary>Bad command lines: exit code 2 and one <c>dualstack: </c> line naming what is wrong; help exits 0.</summary>
public sealed class UsageErrorTests
{
    [Fact]
    public async Task BareCall_PrintsTheUsage_AndExitsTwoWithOneLine()
    {
        var result = await CliRunner.RunAsync([], TestContext.Current.CancellationToken);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Usage:", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("connect", result.StdOut, StringComparison.Ordinal);
        Assert.Equal("dualstack: no command given; the commands are listed above", Assert.Single(result.StdErrLines));
    }

    [Fact]
    public async Task JsonAlone_ExitsTwoWithOneLine_AndTheErrorAsJson()
    {
        var result = await CliRunner.RunAsync(["--json"], TestContext.Current.CancellationToken);

        CliAssert.UsageError(result, json: true);
    }

    [Theory]
    [InlineData("bogus")]
    [InlineData("bogus", "--json")]
    [InlineData("resolv", "example.com")]
    public async Task UnknownSubcommand_ExitsTwoWithOneLineNamingIt(params string[] arguments)
    {
        var result = await CliRunner.RunAsync(arguments, TestContext.Current.CancellationToken);

        CliAssert.UsageError(result, $"'{arguments[0]}'", json: arguments.Contains("--json"));
    }

    [Theory]
    [InlineData("--bogus")]
    [InlineData("interfaces", "--bogus")]
    [InlineData("describe", "tcp://*:0", "--bogus")]
    [InlineData("describe", "tcp://*:0", "--json", "--bogus")]
    public async Task UnknownOption_ExitsTwoWithOneLineNamingIt(params string[] arguments)
    {
        var result = await CliRunner.RunAsync(arguments, TestContext.Current.CancellationToken);

        CliAssert.UsageError(result, "'--bogus'", json: arguments.Contains("--json"));
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

        CliAssert.UsageError(result, "describe", json: arguments.Contains("--json"));
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

    // Values are named by what they are, not by repeating the option; defaults are written one way; the main help has
    // examples and the exit codes.
    [Fact]
    public async Task Help_NamesValues_WritesDefaultsOneWay_AndShowsExamplesAndExitCodes()
    {
        var connect = await CliRunner.RunAsync(["connect", "--help"], TestContext.Current.CancellationToken);
        var main = await CliRunner.RunAsync(["--help"], TestContext.Current.CancellationToken);

        Assert.Contains("--attempt-delay <MS>", connect.StdOut, StringComparison.Ordinal);
        Assert.Contains("--ca <FILE>", connect.StdOut, StringComparison.Ordinal);
        Assert.Contains("--resolver <SPEC>", connect.StdOut, StringComparison.Ordinal);
        Assert.DoesNotContain("<attempt-delay>", connect.StdOut, StringComparison.Ordinal);
        Assert.DoesNotContain("(default", connect.StdOut, StringComparison.Ordinal);
        Assert.Contains("[default: 250]", connect.StdOut, StringComparison.Ordinal);
        Assert.Contains("Examples:", main.StdOut, StringComparison.Ordinal);
        Assert.Contains("Exit codes: 0 success, 1 the operation failed, 2 bad usage or bad input, 130 interrupted", main.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_ListsEverySubcommand()
    {
        var result = await CliRunner.RunAsync(["--help"], TestContext.Current.CancellationToken);

        Assert.Contains(result.StdOutLines, line => line.TrimStart().StartsWith("describe ", StringComparison.Ordinal));
        Assert.Contains(result.StdOutLines, line => line.TrimStart().StartsWith("interfaces ", StringComparison.Ordinal));
    }
}
