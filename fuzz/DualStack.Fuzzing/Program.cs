using DualStack.Fuzzing;
using SharpFuzz;

// The fuzzing driver (issue #9). Usage:
//   DualStack.Fuzzing TARGET                 run under afl-fuzz (fuzz/run.sh does this on an instrumented build)
//   DualStack.Fuzzing TARGET FILE_OR_DIR...  replay inputs once each, without AFL: how a crash found by AFL is reproduced
//   DualStack.Fuzzing --list                 the target names
// The instrumented library is what AFL++ sees coverage of; without afl-fuzz, SharpFuzz runs the target once per input.
if (args is ["--list"])
{
    foreach (var target in FuzzTargets.All)
    {
        Console.WriteLine(target.Name);
    }

    return 0;
}

if (args.Length == 0)
{
    Console.Error.WriteLine("usage: DualStack.Fuzzing TARGET [FILE_OR_DIR...] | --list");
    return 2;
}

var chosen = FuzzTargets.Find(args[0]);
if (args.Length == 1)
{
    Fuzzer.OutOfProcess.Run(stream =>
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        chosen.Run(buffer.ToArray());
    });
    return 0;
}

int failures = 0;
var files = args.Skip(1).SelectMany(p => Directory.Exists(p) ? Directory.EnumerateFiles(p, "*", SearchOption.AllDirectories) : [p]).Order(StringComparer.Ordinal);
int count = 0;
foreach (string file in files)
{
    count++;
    try
    {
        chosen.Run(File.ReadAllBytes(file));
    }
#pragma warning disable CA1031 // the replayer reports every exception that escapes a target: that is its job
    catch (Exception e)
#pragma warning restore CA1031
    {
        failures++;
        Console.Error.WriteLine($"{file}: {e}");
    }
}

Console.WriteLine($"{chosen.Name}: {count} inputs, {failures} failed");
return failures == 0 ? 0 : 1;
