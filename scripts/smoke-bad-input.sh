#!/usr/bin/env bash
# A malformed scenario must exit non-zero with a located message and leave no result folder behind.
set -u
fleetsim=${1:?usage: smoke-bad-input.sh path/to/fleetsim}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
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
if "$fleetsim" run "$work/bad.yaml" --out "$work/out" 2>"$work/err"; then
    echo "smoke: a negative rate was accepted" >&2; exit 1
fi
grep -q "bad.yaml:3: traffic.rate: expected a rate" "$work/err" || { echo "smoke: unexpected message:" >&2; cat "$work/err" >&2; exit 1; }
[ ! -e "$work/out" ] || { echo "smoke: a result folder was left behind" >&2; exit 1; }
echo "smoke: bad input rejected cleanly: $(cat "$work/err")"
