using System.CommandLine;
using DualStack.Cli;
using DualStack.Cli.Commands;

CommandClock.MarkStart();
var root = new RootCommand("dualstack: IPv6 and dual-stack networking from the command line");
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
