using BenchmarkDotNet.Running;

// dotnet run -c Release --project benchmarks/DualStack.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
