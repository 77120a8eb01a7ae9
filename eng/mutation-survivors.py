#!/usr/bin/env python3
"""Prints the score of each mutated file in a Stryker JSON report, then every mutant that survived or that no test
reached, as file:line:column, the mutator and the replacement. Usage: mutation-survivors.py mutation-report.json"""
import json
import sys

report = json.load(open(sys.argv[1], encoding="utf-8"))
root = report.get("projectRoot", "")
for path, entry in sorted(report["files"].items()):
    mutants = [m for m in entry["mutants"] if m["status"] not in ("Ignored", "CompileError")]
    if not mutants:
        continue
    count = {}
    for mutant in mutants:
        count[mutant["status"]] = count.get(mutant["status"], 0) + 1
    caught = count.get("Killed", 0) + count.get("Timeout", 0)
    missed = count.get("Survived", 0) + count.get("NoCoverage", 0)
    name = path[len(root):].lstrip("/") if path.startswith(root) else path
    score = 100.0 * caught / (caught + missed) if caught + missed else 100.0
    print(f"{name}: {score:.1f} % (killed {count.get('Killed', 0)}, timeout {count.get('Timeout', 0)}, "
          f"survived {count.get('Survived', 0)}, not covered {count.get('NoCoverage', 0)})")
    lines = entry["source"].split("\n")
    for mutant in sorted(mutants, key=lambda m: (m["location"]["start"]["line"], m["location"]["start"]["column"])):
        if mutant["status"] not in ("Survived", "NoCoverage"):
            continue
        start = mutant["location"]["start"]
        replacement = " ".join(mutant.get("replacement", "").split())
        status = "survived" if mutant["status"] == "Survived" else "not covered"
        print(f"  {name}:{start['line']}:{start['column']} {status}: {mutant['mutatorName']}: {replacement[:120]}")
        print(f"      was: {lines[start['line'] - 1].strip()[:120]}")
