#!/bin/bash
# A FleetSim sweep as a Slurm job array: each array task runs one shard of the points into a shared folder, and a
# dependent job merges them. Submit from the repository root (with fleetsim built: make build):
#
#   jobid=$(sbatch --parsable --array=1-16 examples/cluster/slurm-sweep.sh)
#   sbatch --dependency=afterok:$jobid --wrap ".build/release/fleetsim merge results/batching-hpa-sweep"
#
# Each task takes its shard from SLURM_ARRAY_TASK_ID (the array must be 1-N, N = SHARDS below). Point files are
# written whole or not at all, so tasks can share the folder, and a failed task can simply be resubmitted: finished
# points are skipped.
#SBATCH --job-name=fleetsim-sweep
#SBATCH --cpus-per-task=2
#SBATCH --time=01:00:00
set -euo pipefail
SHARDS=${SHARDS:-16}
SWEEP=${SWEEP:-scenarios/sweeps/batching-hpa.sweep.yaml}
OUT=${OUT:-results/batching-hpa-sweep}
exec "${FLEETSIM:-.build/release/fleetsim}" sweep "$SWEEP" --shard "auto/$SHARDS" --jobs "${SLURM_CPUS_PER_TASK:-2}" --out "$OUT" --quiet
