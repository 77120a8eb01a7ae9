namespace DualStack.Fuzzing;

/// <summary>
/// One parser under fuzzing: <see cref="Run"/> feeds it one input and returns normally when the parser kept its
/// contract (a result, or its documented exception); anything else escapes, and the fuzzer records a crash.
/// </summary>
/// <param name="Name">The name used by <c>fuzz/run.sh</c> and the corpus folder (<c>fuzz/corpus/NAME</c>).</param>
/// <param name="Run">Parses one input and checks the invariants.</param>
public sealed record FuzzTarget(string Name, Action<ReadOnlyMemory<byte>> Run);
