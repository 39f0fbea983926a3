#!/usr/bin/env bash
# The cluster recipes of docs/experiments.md, run on this machine: the Slurm array script with SLURM_ARRAY_TASK_ID set
# by hand for each of 16 tasks, the Indexed Job's command with JOB_COMPLETION_INDEX for each of 16 indices, then
# `fleetsim merge`; both must give the same bytes as the sweep run in one go (16 points: one per shard). Run from the
# repository root.
set -euo pipefail
fleetsim=${1:?usage: smoke-cluster.sh path/to/fleetsim}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat >"$work/base.yaml" <<'YAML'
name: base
duration: 10m
traffic: {rate: 10/s}
deployments:
  api:
    instance: {gpu: T4, gpus: 1, onDemand: 0.5}
    service: {time: {exponential: {mean: 300ms}}}
    pools: [{purchase: onDemand, count: 4}]
YAML
cat >"$work/sweep.yaml" <<'YAML'
name: smoke-sweep
base: base.yaml
replications: 2
parameters:
  - {key: "deployments.api.pools[0].count", values: [4, 5, 6, 7]}
  - {key: traffic.rate, range: [8, 12], steps: 4, unit: /s}
YAML

"$fleetsim" sweep "$work/sweep.yaml" --out "$work/single" --quiet
for task in $(seq 1 16); do
    SLURM_ARRAY_TASK_ID=$task SHARDS=16 SWEEP="$work/sweep.yaml" OUT="$work/slurm" FLEETSIM="$fleetsim" \
        bash examples/cluster/slurm-sweep.sh
done
"$fleetsim" merge "$work/slurm" >/dev/null
for index in $(seq 0 15); do
    JOB_COMPLETION_INDEX=$index "$fleetsim" sweep "$work/sweep.yaml" --shard auto/16 --jobs 2 --out "$work/k8s-$index" --quiet
done
"$fleetsim" merge "$work"/k8s-{0..15} --out "$work/k8s" >/dev/null
for file in runs.csv points.csv pareto.csv pareto_slo.csv; do
    cmp "$work/single/$file" "$work/slurm/$file"
    cmp "$work/single/$file" "$work/k8s/$file"
done
echo "smoke: 16 Slurm-array and 16 Indexed-Job shards merge to the single-machine sweep, byte for byte"

if "$fleetsim" sweep "$work/sweep.yaml" --shard 5/4 --out "$work/bad" 2>"$work/err"; then
    echo "smoke: --shard 5/4 was accepted" >&2; exit 1
fi
grep -q "the shard number must be 1…4" "$work/err"
echo "smoke: --shard 5/4 rejected cleanly: $(cat "$work/err")"
