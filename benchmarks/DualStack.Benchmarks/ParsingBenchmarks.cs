using System.Net;
using BenchmarkDotNet.Attributes;

namespace DualStack.Benchmarks;

/// <summary>The cost of our stricter literal parsing next to the BCL's, and of a whole description.</summary>
[MemoryDiagnoser]
public class ParsingBenchmarks
{
    [Params("192.0.2.1", "2001:db8::1", "fe80::1%lo")]
    public string Literal { get; set; } = "";

    [Benchmark(Baseline = true)]
    public IPAddress BclParse() => IPAddress.Parse(Literal);

    [Benchmark]
    public IPAddress DualStackParse() => IPLiteral.ParseAddress(Literal);

    [Benchmark]
    public string DualStackFormat() => IPLiteral.FormatAddress(IPLiteral.ParseAddress(Literal));

    [Benchmark]
    public IStreamServerEndpoint ParseDescription() => EndpointDescription.ParseServer("tcp://[::1]:8080?backlog=64");
}
