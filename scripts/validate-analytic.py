#!/usr/bin/env python3
"""The analytic engine against the discrete-event engine, case by case: docs/analytic-validation.md.

    python3 scripts/validate-analytic.py .build/release/fleetsim [--replications 5] [--out docs/analytic-validation.md]

Each case is a scenario file (with optional --set values). The discrete-event engine runs it `replications` times
with different seeds; the analytic engine runs it with the same seeds. The table compares the analytic runs' means
with the discrete-event means, each with its 95 % interval half-width:

- cost and mean replicas: relative error of the means;
- SLO attainment: difference of the means, in percentage points;
- p99 of e2e, and of TTFT for LLM deployments: per window, the analytic p99 (mean over its runs) against the
  discrete-event p99 (mean over its runs), as a relative error; the table gives the median and the 90th percentile
  of that error over the windows that are not in transient overload (in no run of either engine did a window lose
  requests to timeouts or a full queue, or hold a mean queue above both five times the run's median and one request
  per ready replica).

Nothing here is tuned to pass: the targets (cost 2 %, replicas 5 %, attainment 2 points, p99 15 %) are the issue's,
and a case that misses them is printed as a miss, with the regime that explains it.
"""

import argparse
import csv
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time

# (label, scenario file, --set values, what the case probes)
CASES = [
    ("M/G/c steady, ρ 0.8", "scenarios/analytic/mgc-steady.yaml", [], "stationary"),
    ("M/G/c steady, ρ 0.5", "scenarios/analytic/mgc-steady.yaml", ["traffic.rate=11.6/s"], "stationary"),
    ("M/G/c steady, ρ 0.95", "scenarios/analytic/mgc-steady.yaml", ["traffic.rate=22.1/s"], "heavy load"),
    ("M/G/c gamma arrivals cv 2", "scenarios/analytic/mgc-steady.yaml",
     ["traffic.arrivals={gamma: {cv: 2}}"], "bursty arrivals"),
    ("M/G/c 2 servers", "scenarios/analytic/mgc-steady.yaml",
     ["traffic.rate=1.86/s", "deployments.api.pools[0].count=2"], "small fleet"),
    ("M/G/c heavy tail σ 1.5", "scenarios/analytic/mgc-steady.yaml",
     ["deployments.api.service.time={lognormal: {median: 300ms, sigma: 1.5}}"], "heavy tail"),
    ("M/G/c diurnal + spike, HPA", "scenarios/analytic/mgc-diurnal-hpa.yaml", [], "autoscaled"),
    ("M/G/c diurnal + spike, HPA 50 %", "scenarios/analytic/mgc-diurnal-hpa.yaml",
     ["deployments.api.autoscaler.hpa.metric={utilization: 50%}"], "autoscaled"),
    ("LLM fixed at peak", "scenarios/policies/fixed-at-peak.yaml", [], "LLM, fixed"),
    ("LLM HPA 50 %", "scenarios/policies/hpa-50.yaml", [], "LLM, autoscaled"),
    ("LLM HPA 70 %", "scenarios/policies/hpa-70.yaml", [], "LLM, autoscaled"),
    ("LLM queue-based", "scenarios/policies/queue.yaml", [], "LLM, autoscaled"),
    ("LLM scheduled", "scenarios/policies/scheduled.yaml", [], "LLM, scheduled"),
    ("LLM predictive", "scenarios/policies/predictive.yaml", [], "LLM, autoscaled"),
    ("LLM spike, cold starts", "scenarios/spike-cold-start.yaml", [], "overload transient"),
    ("LLM spike, warm pool", "scenarios/spike-warm-pool.yaml", [], "overload transient"),
    ("Llama-2-70B day, HPA", "scenarios/sizing/llama70b-day.yaml", [], "sizing base"),
]

TARGETS = {"cost": 0.02, "replicas": 0.05, "attainment": 2.0, "p99": 0.15}


def run(binary, scenario, overrides, engine, seed, out):
    command = [binary, "run", scenario, "--quiet", "--engine", engine, "--seed", str(seed), "--out", out]
    for value in overrides:
        command += ["--set", value]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(out, "summary.json")) as handle:
        summary = json.load(handle)
    with open(os.path.join(out, "timeline.csv")) as handle:
        rows = list(csv.DictReader(handle))
    return summary, rows


def mean_and_half_width(values):
    values = [v for v in values if v is not None]
    if not values:
        return None, None
    if len(values) == 1:
        return values[0], None
    # Student t at 95 % for the small counts used here.
    t = {2: 12.71, 3: 4.30, 4: 3.18, 5: 2.78, 6: 2.57, 7: 2.45, 8: 2.36, 9: 2.31, 10: 2.26}.get(len(values), 2.0)
    return statistics.mean(values), t * statistics.stdev(values) / math.sqrt(len(values))


def number(text):
    return float(text) if text not in ("", None) else None


def window_p99s(runs, column):
    """Per window: the mean p99 over runs, and whether any run was in transient overload there."""
    windows = len(runs[0])
    means, overloaded = [], []
    typical = [statistics.median(number(row["queue_depth_mean"]) or 0 for row in rows) for rows in runs]
    for index in range(windows):
        values, hot = [], False
        for rows, usual in zip(runs, typical):
            row = rows[index]
            p99 = number(row[column])
            depth = number(row["queue_depth_mean"]) or 0
            ready = number(row["replicas_ready"]) or 0
            lost = int(row["timed_out"]) + int(row["rejected"])
            if p99 is not None:
                values.append(p99)
            if lost > 0 or depth > max(5 * usual, ready, 1):
                hot = True
        means.append(statistics.mean(values) if values else None)
        overloaded.append(hot)
    return means, overloaded


def window_errors(des, ana, column):
    des_p99, des_hot = window_p99s([rows for _, rows in des], column)
    ana_p99, ana_hot = window_p99s([rows for _, rows in ana], column)
    errors = [abs(a / d - 1) for d, a, h1, h2 in zip(des_p99, ana_p99, des_hot, ana_hot)
              if d and a and not h1 and not h2]
    hot_share = sum(1 for h1, h2 in zip(des_hot, ana_hot) if h1 or h2) / max(len(des_hot), 1)
    if not errors:
        return None, None, hot_share
    return statistics.median(errors), sorted(errors)[int(0.9 * (len(errors) - 1))], hot_share


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("binary")
    parser.add_argument("--replications", type=int, default=5)
    parser.add_argument("--out", default="docs/analytic-validation.md")
    parser.add_argument("--only", help="run only the cases whose label contains this text")
    options = parser.parse_args()
    seeds = [1000 + r for r in range(options.replications)]
    lines = []
    started = time.time()
    scratch = tempfile.mkdtemp(prefix="fleetsim-validate-")
    for label, scenario, overrides, regime in CASES:
        if options.only and options.only not in label:
            continue
        results = {}
        walls = {}
        for engine in ("discreteEvent", "analytic"):
            runs = []
            wall = 0.0
            for seed in seeds:
                out = os.path.join(scratch, f"{engine}-{seed}")
                summary, rows = run(options.binary, scenario, overrides, engine, seed, out)
                wall += summary["simulation"]["wallSeconds"]
                runs.append((summary, rows))
            results[engine] = runs
            walls[engine] = wall / len(seeds)
        des, ana = results["discreteEvent"], results["analytic"]

        def headline(runs, read):
            return mean_and_half_width([read(summary) for summary, _ in runs])

        cost = [headline(r, lambda s: s["cost"]["total"]) for r in (des, ana)]
        replicas = [headline(r, lambda s: s["replicas"]["mean"]) for r in (des, ana)]
        attainment = [headline(r, lambda s: (s.get("slo") or {}).get("attainment")) for r in (des, ana)]
        llm = des[0][0]["latency"].get("tpot", {}).get("p50") is not None
        e2e_median, e2e_tail, hot_share = window_errors(des, ana, "e2e_p99_s")
        ttft_median, ttft_tail, _ = window_errors(des, ana, "ttft_p99_s") if llm else (None, None, None)

        def relative(pair):
            (d, dh), (a, ah) = pair
            if d is None or a is None or d == 0:
                return None, None
            return a / d - 1, (dh or 0) / d

        p99_key = "ttft" if llm else "e2e"
        run_p99 = [headline(r, lambda s: s["latency"][p99_key]["p99"]) for r in (des, ana)]
        run_p99_error, run_p99_noise = relative(run_p99)
        cost_error, cost_noise = relative(cost)
        replica_error, replica_noise = relative(replicas)
        points = None
        if attainment[0][0] is not None and attainment[1][0] is not None:
            points = (attainment[1][0] - attainment[0][0]) * 100
        misses = []
        if cost_error is not None and abs(cost_error) > TARGETS["cost"]:
            misses.append("cost")
        if replica_error is not None and abs(replica_error) > TARGETS["replicas"]:
            misses.append("replicas")
        if points is not None and abs(points) > TARGETS["attainment"]:
            misses.append("attainment")
        if e2e_median is not None and e2e_median > TARGETS["p99"]:
            misses.append("e2e p99")
        if ttft_median is not None and ttft_median > TARGETS["p99"]:
            misses.append("TTFT p99")

        def percent(value, noise=None):
            if value is None:
                return "–"
            text = f"{value * 100:+.1f} %"
            return text + (f" (±{noise * 100:.1f})" if noise and noise >= 0.0005 else "")

        row = [
            label, regime,
            percent(cost_error, cost_noise),
            percent(replica_error, replica_noise),
            "–" if points is None else f"{points:+.1f}",
            percent(run_p99_error, run_p99_noise),
            "–" if e2e_median is None else f"{e2e_median * 100:.0f} % / {e2e_tail * 100:.0f} %",
            "–" if ttft_median is None else f"{ttft_median * 100:.0f} % / {ttft_tail * 100:.0f} %",
            f"{hot_share * 100:.0f} %",
            f"{walls['discreteEvent']:.2f} s / {walls['analytic']:.3f} s",
            "yes" if not misses else "misses " + ", ".join(misses),
        ]
        lines.append("| " + " | ".join(row) + " |")
        print(" | ".join(row), file=sys.stderr, flush=True)
    header = f"""# The analytic engine against the discrete-event engine

Generated by `python3 scripts/validate-analytic.py .build/release/fleetsim --replications {options.replications}`
({len(lines)} cases, {options.replications} seeds per engine and case, {time.time() - started:.0f} s on a 2-core machine). Rerun it after any
change to either engine; docs/analytic.md explains the engine and the regimes where it breaks.

Columns: the analytic mean against the discrete-event mean over the same seeds — cost and mean replicas as relative
errors (in brackets, the discrete-event mean's own 95 % half-width, relative, where it is not 0), SLO attainment in
percentage points, the whole run's p99 (TTFT for LLM deployments, e2e otherwise) as a relative error, and the
per-window errors of the e2e p99 and, for LLM deployments, the TTFT p99 (median / 90th
percentile over windows not in transient overload). "Overload windows" is the share of windows left out of the p99
comparisons; a window's p99 in the discrete-event engine is itself noisy (a few hundred requests, and at high load
a queue that wanders for minutes), which the per-window error includes. Targets: cost within 2 %, replicas within
5 %, attainment within 2 points, median window p99 within 15 %.

| case | regime | cost | replicas | attainment (points) | run p99 (TTFT for LLM, else e2e) | e2e p99 per window (median / p90) | TTFT p99 per window | overload windows | wall per run (DES / analytic) | within targets |
|---|---|---|---|---|---|---|---|---|---|---|
"""
    text = header + "\n".join(lines) + "\n"
    if options.only:
        print(text)
        return
    temporary = options.out + ".tmp"
    with open(temporary, "w") as handle:
        handle.write(text)
    os.replace(temporary, options.out)
    print(f"wrote {options.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
