using DualStack.Tests.Shared;

namespace DualStack.Cli.Tests;

/// <summary>
/// Which <c>dualstack</c> the black-box tests run: the dll through the <c>dotnet</c> host by default, or the executable
/// that <c>DUALSTACK_CLI</c> names (CI sets it to the native one), run directly.
/// </summary>
public sealed class CliRunnerTests
{
    [Fact]
    public void CommandLine_RunsTheDllWithDotnet_OrTheExecutableDualstackCliNames()
    {
        string[] command = CliRunner.CommandLine("describe", "tcp://[::1]:5555");

        if (CliRunner.Executable is null)
        {
            Assert.Equal([CliRunner.DotNetHost, CliRunner.DllPath, "describe", "tcp://[::1]:5555"], command);
            return;
        }

        Assert.Equal([CliRunner.Executable, "describe", "tcp://[::1]:5555"], command);
        if (OperatingSystem.IsLinux())
        {
            // A native executable, not a dll or a launcher script that would need the dotnet host.
            Span<byte> magic = stackalloc byte[4];
            using var file = File.OpenRead(CliRunner.Executable);
            file.ReadExactly(magic);
            Assert.True(magic.SequenceEqual("\u007fELF"u8), $"{CliRunner.Executable} is not an ELF executable");
        }
    }
}
