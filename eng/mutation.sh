#!/usr/bin/env bash
# Mutation testing of the core: eng/mutation.sh [AREA...] (no argument: every area, one after the other).
#
# Stryker.NET (dotnet-stryker, a local tool in dotnet-tools.json) makes small changes to one group of library files
# (a mutant: `<` for `<=`, a condition forced to true, a statement removed), then runs the unit and functional tests
# against each. A mutant the tests fail on is killed; one they pass on survived, and shows a behaviour no test pins.
# Reports per area: artifacts/mutation/AREA/reports/mutation-report.html and .json, and survivors.txt beside them
# (file:line, mutator, replacement for every mutant that survived or that no test reached).
#
# Not part of CI: one area takes minutes to an hour. It runs at the lowest CPU priority with one test session, so
# that it can run beside other work. The fuzzing tests (which run for seconds whatever the code does) and the
# architecture tests (which read the compiled assembly, into which Stryker adds its own types) are left out; the
# lab tests and CLI tests are never run.
#
# Areas:
#   race         Connecting/ConnectionRace.cs, Connecting/HostCandidates.cs
#   literal      Addresses/LiteralParser.cs
#   sort         Resolution/DestinationAddressSelection.cs, Resolution/DestinationSortKey.cs
#   descriptions Descriptions/DescriptionParts.cs
#   dns          Resolution/Dns/DnsMessageReader.cs
#   listener     Listening/SocketListener.cs
# Environment: MUTATION_CONCURRENCY (default 1) test sessions at once.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

all=(literal sort descriptions dns race listener)

files_of() {
    case "$1" in
        race) echo "Connecting/ConnectionRace.cs Connecting/HostCandidates.cs" ;;
        literal) echo "Addresses/LiteralParser.cs" ;;
        sort) echo "Resolution/DestinationAddressSelection.cs Resolution/DestinationSortKey.cs" ;;
        descriptions) echo "Descriptions/DescriptionParts.cs" ;;
        dns) echo "Resolution/Dns/DnsMessageReader.cs" ;;
        listener) echo "Listening/SocketListener.cs" ;;
        *) return 1 ;;
    esac
}

areas=("$@")
[ ${#areas[@]} -gt 0 ] || areas=("${all[@]}")
for area in "${areas[@]}"; do
    if ! files_of "$area" >/dev/null; then
        echo "unknown area: $area (one of: ${all[*]})" >&2
        exit 2
    fi
done

dotnet tool restore >/dev/null

status=0
for area in "${areas[@]}"; do
    out=$root/artifacts/mutation/$area
    rm -rf "$out"
    mkdir -p "$out"
    mutate=()
    for file in $(files_of "$area"); do
        mutate+=(--mutate "**/src/DualStack/$file")
    done

    echo "mutation: $area ($(files_of "$area"))"
    start=$(date +%s)
    # Stryker is run from the library's folder, which it mutates; both test projects run against each mutant.
    (
        cd src/DualStack
        nice -n 19 dotnet stryker \
            --test-runner mtp \
            --test-project "$root/tests/DualStack.Tests/DualStack.Tests.csproj" \
            --test-project "$root/tests/DualStack.FunctionalTests/DualStack.FunctionalTests.csproj" \
            --test-case-filter 'FullyQualifiedName!~FuzzingTests&FullyQualifiedName!~.Architecture.' \
            "${mutate[@]}" \
            --concurrency "${MUTATION_CONCURRENCY:-1}" \
            --reporter Html --reporter Json --reporter Progress --reporter ClearText \
            --output "$out" \
            --skip-version-check
    ) >"$out/stryker.log" 2>&1 || status=$?
    echo "mutation: $area took $(( $(date +%s) - start )) s; log: $out/stryker.log"

    report=$out/reports/mutation-report.json
    if [ -f "$report" ] && command -v python3 >/dev/null; then
        python3 "$root/eng/mutation-survivors.py" "$report" | tee "$out/survivors.txt"
    fi
done
exit $status
