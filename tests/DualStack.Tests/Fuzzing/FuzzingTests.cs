using CsCheck;
using DualStack.Fuzzing;

namespace DualStack.Tests.Fuzzing;

/// <summary>
/// The fuzz targets in the test run (issue #9): every input of the corpus (seeds, and what AFL++ found worth keeping),
/// then a few seconds of mutated seeds per target. The long, coverage-guided run is <c>fuzz/run.sh TARGET SECONDS</c>.
/// A failure here is a parser that threw an undocumented exception or broke a round trip.
/// </summary>
public class FuzzingTests
{
    // Per target, so that the seven together stay near 30 s of the suite on a 2-core machine.
    private const int MutationSeconds = 4;

    public static TheoryData<string> Targets => [.. FuzzTargets.All.Select(t => t.Name)];

    [Theory]
    [MemberData(nameof(Targets))]
    public void Corpus_EveryInput_KeepsTheTargetsContract(string target)
    {
        var fuzz = FuzzTargets.Find(target);
        var inputs = Corpus(target);
        Assert.NotEmpty(inputs);
        var failures = new List<string>();
        foreach (var (file, bytes) in inputs)
        {
            try
            {
                fuzz.Run(bytes);
            }
            catch (Exception e)
            {
                failures.Add($"{file}: {e.GetType().Name}: {e.Message}");
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {inputs.Count} inputs broke '{target}':\n{string.Join('\n', failures)}");
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void MutatedSeeds_KeepTheTargetsContract(string target)
    {
        var fuzz = FuzzTargets.Find(target);
        var seeds = Corpus(target).Select(i => i.Bytes).ToList();
        SeedMutations.From(seeds).Sample(
            input => fuzz.Run(input),
            writeLine: line => TestContext.Current.TestOutputHelper?.WriteLine($"{target}: {line}"),
            iter: 10_000_000,
            time: MutationSeconds,
            threads: 1,
            print: input => Convert.ToHexString(input));
    }

    private static List<(string File, byte[] Bytes)> Corpus(string target)
    {
        string folder = Path.Combine(AppContext.BaseDirectory, "corpus", target);
        return [.. Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal).Select(f => (Path.GetFileName(f), File.ReadAllBytes(f)))];
    }
}
