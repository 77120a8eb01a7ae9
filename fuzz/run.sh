#!/usr/bin/env bash
# Coverage-guided fuzzing of one parser: fuzz/run.sh TARGET SECONDS (fuzz/run.sh --list for the targets).
#
# AFL++ (Debian package afl++) mutates inputs starting from fuzz/corpus/TARGET; SharpFuzz instruments a published
# copy of DualStack.Net.dll so that AFL++ sees which branches each input reaches. Findings go to
# artifacts/fuzz/TARGET/findings: crashes/ holds inputs that broke the target's contract (an undocumented exception
# or a failed round trip; see fuzz/DualStack.Fuzzing/Targets/FuzzTargets.cs), hangs/ inputs that ran past the
# timeout. Reproduce one with: dotnet run --project fuzz/DualStack.Fuzzing -- TARGET FILE
# Exit status: 0 when no crash and no hang was found, 1 otherwise, 2 when a tool is missing.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

if [ "${1:-}" = --list ] || [ $# -ne 2 ]; then
    [ "${1:-}" = --list ] || echo "usage: fuzz/run.sh TARGET SECONDS" >&2
    dotnet run --project fuzz/DualStack.Fuzzing -v q -- --list
    exit $([ "${1:-}" = --list ] && echo 0 || echo 2)
fi
target=$1
seconds=$2
if ! command -v afl-fuzz >/dev/null; then
    echo "afl-fuzz not found: apt-get install afl++" >&2
    exit 2
fi

out=$root/artifacts/fuzz/$target
bin=$out/bin
dotnet tool restore >/dev/null
# A fresh copy each time: SharpFuzz instruments the library in place and refuses an assembly it already instrumented.
rm -rf "$out"
dotnet publish fuzz/DualStack.Fuzzing -c Release -o "$bin" -v q -nologo >/dev/null
dotnet sharpfuzz "$bin/DualStack.Net.dll" >/dev/null

# dotnet itself is not instrumented (SharpFuzz reports coverage through AFL's shared memory), hence the bin check skip.
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1
# A dictionary of the syntax's tokens where there is one (fuzz/dict: descriptions share one).
dict=fuzz/dict/${target#description-}.dict
[ "$target" = "${target#description-}" ] || dict=fuzz/dict/description.dict
dictionary=()
[ -f "$dict" ] && dictionary=(-x "$dict")
afl-fuzz -V "$seconds" -t 5000 -m none "${dictionary[@]}" -i "fuzz/corpus/$target" -o "$out/findings" -- dotnet "$bin/DualStack.Fuzzing.dll" "$target" \
    > "$out/afl.log" 2>&1 || { tail -30 "$out/afl.log" >&2; exit 2; }

stats=$out/findings/default/fuzzer_stats
value() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
crashes=$(find "$out/findings/default/crashes" -type f ! -name README.txt | wc -l)
hangs=$(find "$out/findings/default/hangs" -type f | wc -l)
echo "$target: $(value execs_done) executions in $(value run_time) s, $(value corpus_count) inputs in the queue, $(value bitmap_cvg) coverage, $crashes crashes, $hangs hangs"
[ "$crashes" = 0 ] && [ "$hangs" = 0 ]
