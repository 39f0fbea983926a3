#!/usr/bin/env bash
# Renders real reports in a real browser: the quick start's report.html and a comparison's, opened by headless
# Chromium (from Debian's packages, installed when missing). Each page must load (the DOM comes back whole, with its
# charts) and its screenshot must show drawn charts, not an empty page. Run from the repository root.
set -euo pipefail
fleetsim=${1:?usage: test-report-browser.sh path/to/fleetsim}
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
    echo "==> installing chromium (headless report test)"
    SUDO=$([ "$(id -u)" -eq 0 ] || echo sudo)
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
    browser=$(command -v chromium)
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$fleetsim" run scenarios/quickstart.yaml --out "$work/run" --quiet
cat >"$work/base.yaml" <<'YAML'
name: base
duration: 30m
traffic: {rate: 15/s}
deployments:
  api:
    instance: {gpu: T4, gpus: 1, onDemand: 0.5}
    service: {time: {exponential: {mean: 200ms}}}
    pools: [{purchase: onDemand, count: 4}]
slo: {e2e: {p99: 1s}}
YAML
"$fleetsim" compare "$work/base.yaml" --variant 'five:deployments.api.pools[0].count=5' --replications 4 --out "$work/compare" --quiet

check() {  # check PAGE MIN_CHARTS NAME
    local page=$1 charts=$2 name=$3 flags=(--headless --no-sandbox --disable-gpu --hide-scrollbars)
    "$browser" "${flags[@]}" --dump-dom "file://$page" >"$work/dom.html" 2>"$work/log"
    grep -q "</html>" "$work/dom.html" || { echo "browser: $name did not load" >&2; cat "$work/log" >&2; exit 1; }
    local found
    found=$(grep -o '<svg class="chart"' "$work/dom.html" | wc -l)
    [ "$found" -ge "$charts" ] || { echo "browser: $name has $found charts, expected $charts" >&2; exit 1; }
    # Every chart draws something: a series with points, or bars.
    python3 - "$work/dom.html" <<'PY' || { echo "browser: $name has an empty chart" >&2; exit 1; }
import re, sys
charts = open(sys.argv[1]).read().split('<svg class="chart"')[1:]
empty = [i for i, chart in enumerate(charts) if not re.search(r'data-points="[1-9]|class="bar"', chart.split("</svg>")[0])]
sys.exit(1 if empty else 0)
PY
    "$browser" "${flags[@]}" --window-size=900,2400 --screenshot="$work/$name.png" "file://$page" 2>>"$work/log" >/dev/null
    python3 scripts/png-colour-share.py "$work/$name.png" 0.02 || { echo "browser: $name's screenshot shows no charts" >&2; exit 1; }
    echo "browser: $name report loads in Chromium with $found charts drawn"
}
check "$work/run/report.html" 8 quickstart
check "$work/compare/report.html" 4 compare
