using System.Diagnostics;
using DualStack.Scenarios;

// Scenario benchmarks: time to connect per broken-network scenario, DualStack against plain .NET, in network
// namespaces. Needs root.
//
//   dotnet run -c Release --project benchmarks/DualStack.Scenarios [-- --runs N] [--markdown FILE] [--only KEY,KEY]
//       many connects per process, after a warm-up (ScenarioBenchmark; the child's command is "measure")
//   dotnet run -c Release --project benchmarks/DualStack.Scenarios -- cold [--runs N] [--markdown FILE] [--only KEY,KEY] [--cli PATH]
//       one connect per fresh process: the native CLI, the library under JIT, plain .NET (ColdStartBenchmark; the
//       child's command is "cold-once")
//
// The first line of Main is the cold-start child's zero: it reports its time to connected from here, so nothing runs
// before it, and the child is sent on its way before the parent's setup (signal handlers, options) runs.
long mainStarted = Stopwatch.GetTimestamp();
return args is ["cold-once", .. var coldOnce]
    ? await ColdOnceCommand.RunAsync(coldOnce, mainStarted)
    : await ScenarioProgram.RunAsync(args);
