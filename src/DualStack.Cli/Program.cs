using System.CommandLine;
using DualStack.Cli;
using DualStack.Cli.Commands;

CommandClock.MarkStart();
var root = new RootCommand("""
    dualstack: IPv6 and dual-stack networking from the command line

    Examples:
      dualstack connect example.com 443 --trace        race IPv6 and IPv4, draw the timeline
      dualstack check example.com 443                  which family works, address by address
      dualstack listen 'tcp://*:8080'                  an echo server on every family and interface
      printf 'hi\n' | dualstack connect ::1 8080       pipe standard input through a connection
      dualstack describe 'tcp://[fe80::1%eth0]:22'     what a description means

    Exit codes: 0 success, 1 the operation failed, 2 bad usage or bad input, 130 interrupted (Ctrl-C).
    More: docs/cli.md
    """);
root.Options.Add(CliOptions.Json);
root.Subcommands.Add(InterfacesCommand.Create());
root.Subcommands.Add(DescribeCommand.Create());
root.Subcommands.Add(ResolveCommand.Create());
root.Subcommands.Add(ConnectCommand.Create());
root.Subcommands.Add(CheckCommand.Create());
root.Subcommands.Add(DemoCommand.Create());
root.Subcommands.Add(ListenCommand.Create());
root.Subcommands.Add(UdpCommand.Create());
root.Subcommands.Add(McastCommand.Create());

return await Cli.RunAsync(root, args);
