#!/usr/bin/env bash
# The M/M/c benchmark paired with its C reference in one run: the same queue (M/M/8 at load 0.8, 10 million
# customers unless given), alternately FleetSim (`fleetsim bench --only mmc`) and Benchmarks/reference/mmc.c, three
# times each; prints each side's median customers per second and the ratio FleetSim / C.
# Usage: bench-paired.sh path/to/fleetsim path/to/mmc-reference [customers [servers]]
set -eu
fleetsim=${1:?usage: bench-paired.sh fleetsim mmc-reference [customers [servers]]}
reference=${2:?usage: bench-paired.sh fleetsim mmc-reference [customers [servers]]}
customers=${3:-10000000}
servers=${4:-8}
model=(); c=()
for _ in 1 2 3; do
    model+=("$("$fleetsim" bench --only mmc --customers "$customers" --servers "$servers" | awk '/^mmc/ {print $2 / $4}')")
    c+=("$("$reference" "$customers" "$servers" 0.8 | sed -E 's/.*, ([0-9.]+) M customers\/s/\1/' | awk '{print $1 * 1e6}')")
done
median() { printf '%s\n' "$@" | sort -g | sed -n 2p; }
m=$(median "${model[@]}"); r=$(median "${c[@]}")
awk -v m="$m" -v r="$r" -v s="$servers" 'BEGIN {
    printf "M/M/%d at load 0.8: FleetSim %.2f M customers/s, C reference %.2f M customers/s (medians of 3), ratio %.2f\n", s, m / 1e6, r / 1e6, m / r }'
