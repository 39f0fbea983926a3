#!/usr/bin/env bash
# Runs every example scenario (scenarios/*.yaml, scenarios/policies/*.yaml) and the coverage scenarios in
# scripts/golden/ (per-replica routing, capacity traces, mixed fleets, …) and compares what it writes with the
# digests in scripts/golden-outputs.sha256: summary.json (without its two wall-clock fields), timeline.csv and
# events.csv, byte for byte. A refactoring must leave them all unchanged; a change that means to change results
# updates the file with --update and says why in its commit.
# Usage: check-golden.sh path/to/fleetsim [--update]
set -u
fleetsim=${1:?usage: check-golden.sh path/to/fleetsim [--update]}
golden=scripts/golden-outputs.sha256
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for scenario in scenarios/*.yaml scenarios/policies/*.yaml scripts/golden/*.yaml; do
    out="$work/$(echo "$scenario" | tr / _)"
    "$fleetsim" run "$scenario" --quiet --out "$out" || { echo "golden: $scenario did not run" >&2; exit 1; }
    grep -v -e '"wallSeconds"' -e '"eventsPerSecond"' "$out/summary.json" >"$out/summary.stable.json"
    for file in summary.stable.json timeline.csv events.csv; do
        echo "$(sha256sum <"$out/$file" | cut -d' ' -f1)  $scenario $file"
    done
done >"$work/actual"
if [ "${2:-}" = "--update" ]; then
    cp "$work/actual" "$golden"
    echo "golden: $(wc -l <"$golden") digests written to $golden"
    exit 0
fi
if ! diff -u "$golden" "$work/actual" >"$work/diff"; then
    echo "golden: results differ from $golden:" >&2
    grep '^[-+][0-9a-f]' "$work/diff" >&2
    exit 1
fi
echo "golden: every example's summary.json, timeline.csv and events.csv are byte-identical to $golden"
