#!/usr/bin/env bash
# A malformed scenario must exit non-zero with a located message and leave no result folder behind.
set -u
fleetsim=${1:?usage: smoke-bad-input.sh path/to/fleetsim}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# expect_rejected SCENARIO MESSAGE WHAT: running SCENARIO must fail with MESSAGE on stderr and write nothing.
expect_rejected() {
    if "$fleetsim" run "$1" --out "$work/out" 2>"$work/err"; then
        echo "smoke: $3 was accepted" >&2; exit 1
    fi
    grep -q "$2" "$work/err" || { echo "smoke: unexpected message:" >&2; cat "$work/err" >&2; exit 1; }
    [ ! -e "$work/out" ] || { echo "smoke: a result folder was left behind" >&2; exit 1; }
    echo "smoke: $3 rejected cleanly: $(cat "$work/err")"
}

cat >"$work/bad.yaml" <<'YAML'
name: bad
duration: 1h
traffic: {rate: -5/s}
deployments:
  api:
    instance: {gpu: T4, onDemand: 0.5}
    service: {time: 100ms}
    pools: [{purchase: onDemand, count: 1}]
YAML
expect_rejected "$work/bad.yaml" "bad.yaml:3: traffic.rate: expected a rate" "a negative rate"

# A trace whose time goes backwards: the trace file and line are named before anything runs.
printf 'time_s,prompt_tokens,output_tokens\n0,10,2\n5,10,2\n4,10,2\n' >"$work/trace.csv"
cat >"$work/replay.yaml" <<'YAML'
name: replay
duration: 1h
traffic: {trace: {file: trace.csv}}
deployments:
  api:
    instance: {gpu: T4, onDemand: 0.5}
    service: {time: 100ms}
    pools: [{purchase: onDemand, count: 1}]
YAML
expect_rejected "$work/replay.yaml" "trace.csv:4: traffic.trace.file: time goes backwards" "an unsorted trace"

# hpa replay: the README's example prints the documented sequence; a load whose time goes backwards names its line.
"$fleetsim" hpa replay scenarios/manifests/llm-serving-dcgm.yaml --load scenarios/manifests/loads/gpu-burst.csv >"$work/replay.csv" \
    || { echo "smoke: hpa replay failed" >&2; exit 1; }
grep -qx "105,2,6,4" "$work/replay.csv" && grep -qx "885,4,2,3" "$work/replay.csv" \
    || { echo "smoke: hpa replay printed an unexpected sequence" >&2; exit 1; }
printf 'time_s,total\n0,1\n30,2\n20,1\n' >"$work/load.csv"
if "$fleetsim" hpa replay scenarios/manifests/list.yaml --load "$work/load.csv" >/dev/null 2>"$work/err"; then
    echo "smoke: a load going backwards was accepted" >&2; exit 1
fi
grep -q "load.csv:4: time_s: expected a time after 30" "$work/err" || { echo "smoke: unexpected message:" >&2; cat "$work/err" >&2; exit 1; }
echo "smoke: hpa replay ok; a bad load rejected cleanly: $(cat "$work/err")"
