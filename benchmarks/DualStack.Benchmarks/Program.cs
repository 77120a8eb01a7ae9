using BenchmarkDotNet.Running;
using DualStack.Benchmarks;

// dotnet run -c Release --project benchmarks/DualStack.Benchmarks -- --filter '*'
// dotnet run -c Release --project benchmarks/DualStack.Benchmarks -- paired [listener|datagrams|echo|connect]   (see PairedComparison)
if (args is ["paired", .. var only])
{
    await PairedComparison.RunAsync(only.FirstOrDefault());
}
else
{
    BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
