#!/usr/bin/env bash
# FleetSim replaces only what it wrote; an interrupted run leaves nothing; every JSON file the examples write parses
# strictly. Run by `make smoke` (and so by CI) against the release binary.
set -u
fleetsim=$(realpath "${1:?usage: smoke-output-safety.sh path/to/fleetsim}")
repo=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "smoke: $*" >&2; exit 1; }

# A project folder as a user has it, and a home folder with something in it (HOME points here, never at the real one).
mkdir -p "$work/project/sub" "$work/home"
echo mine >"$work/project/notes.txt"
echo keep >"$work/home/.profile"
ln -s "$work/project" "$work/link"
mkfifo "$work/fifo"
intact() {
    [ "$(cat "$work/project/notes.txt")" = mine ] && [ -d "$work/project/sub" ] && [ "$(cat "$work/home/.profile")" = keep ] \
        && [ "$(ls -A "$work/project")" = "$(printf 'notes.txt\nsub')" ] && [ -L "$work/link" ] && [ -p "$work/fifo" ] \
        || fail "something was changed after --out '$1'"
}
cd "$work/project/sub"
for out in .. "" . ../.. "$work/project/notes.txt" "~" "$work/link" "$work/fifo" "$work/project"; do
    target=$out
    [ "$out" = "~" ] && target=$work/home
    if HOME=$work/home "$fleetsim" run --quiet --out "$target" 2>"$work/err"; then fail "--out '$out' was accepted"; fi
    grep -q "FleetSim replaces only folders it wrote" "$work/err" || { cat "$work/err" >&2; fail "--out '$out': unexpected message"; }
    intact "$out"
done
echo "smoke: every destination FleetSim did not write was refused and left as it was"
cd "$repo"

# Interrupted runs leave no staging folder and no result; a killed run's staging is cleaned by the next run.
long=(run scenarios/weekly-diurnal-spikes.yaml --quiet --out "$work/long")
for signal in INT TERM; do
    "$fleetsim" "${long[@]}" & pid=$!
    sleep 1; kill -"$signal" "$pid"; wait "$pid"; status=$?
    [ "$status" -ge 128 ] || fail "SIGTERM/SIGINT: exit status $status"
    [ -z "$(ls -A "$work" | grep -E '^\.long\.')" ] && [ ! -e "$work/long" ] || fail "SIG$signal left $(ls -A "$work")"
done
timeout 1 "$fleetsim" "${long[@]}"; [ $? -eq 124 ] || fail "timeout: unexpected status"
[ -z "$(ls -A "$work" | grep -E '^\.long\.')" ] || fail "timeout left $(ls -A "$work")"
"$fleetsim" "${long[@]}" & pid=$!
# Killed once its staging folder exists (a busy machine may take over a second to get there), or after 10 s.
for _ in $(seq 100); do ls -A "$work" | grep -qE '^\.long\.partial-' && break; sleep 0.1; done
kill -KILL "$pid"; wait "$pid"
ls -A "$work" | grep -qE '^\.long\.partial-' || fail "SIGKILL left no staging folder (the test did not test)"
"$fleetsim" run --quiet --set duration=1h --out "$work/long" || fail "the run after SIGKILL failed"
[ -z "$(ls -A "$work" | grep -E '^\.long\.')" ] && [ -f "$work/long/summary.json" ] || fail "stale staging was not cleaned"
echo "smoke: SIGINT, SIGTERM and timeout leave nothing; a SIGKILLed run's staging is cleaned by the next run"

# Unambiguous experiments.
if "$fleetsim" bench --only nothing >/dev/null 2>&1; then fail "bench --only nothing was accepted"; fi
if "$fleetsim" compare scenarios/quickstart.yaml --variant 'v:seed=1' --variant 'v:seed=2' --out "$work/c" 2>"$work/err"; then
    fail "two variants named v were accepted"
fi
grep -q "two variants are named 'v'" "$work/err" || fail "duplicate variants: $(cat "$work/err")"
if "$fleetsim" compare scenarios/quickstart.yaml --variant 'base:seed=1' --out "$work/c" 2>/dev/null; then fail "a variant named base was accepted"; fi
echo "smoke: duplicate and reserved variant names and unknown benchmarks are refused"

# Every JSON file the examples write parses with a strict parser (no NaN, no Infinity), with and without replications.
strict='import json, sys
def refuse(constant): raise ValueError(constant)
for path in sys.argv[1:]:
    json.load(open(path), parse_constant=refuse)'
for scenario in scenarios/*.yaml scenarios/policies/*.yaml; do
    name=$(basename "$scenario" .yaml)
    "$fleetsim" run "$scenario" --quiet --set duration=2h --out "$work/json-$name" || fail "$scenario did not run"
    "$fleetsim" run "$scenario" --quiet --set duration=2h --replications 2 --out "$work/json-$name-r2" || fail "$scenario ×2 did not run"
done
python3 -c "$strict" "$work"/json-*/*.json || fail "a JSON file does not parse strictly"
echo "smoke: every summary.json of every example, with and without replications, parses strictly"
