using BenchmarkDotNet.Running;
using DualStack.Benchmarks;

// dotnet run -c Release --project benchmarks/DualStack.Benchmarks -- --filter '*'
// dotnet run -c Release --project benchmarks/DualStack.Benchmarks -- paired   (see PairedComparison)
if (args is ["paired"])
{
    await PairedComparison.RunAsync();
}
else
{
    BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
