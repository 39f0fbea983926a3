#!/usr/bin/env python3
"""Reruns every output the README shows and checks that it is still what the README says.

Checked, in README.md:
- a fenced block whose first line is `$ COMMAND`: the rest of the block is COMMAND's output;
- a fenced block right after a comment `<!-- output: COMMAND -->`: the whole block is COMMAND's output;
- the lines between `<!-- table: NAME ARGS -->` and `<!-- /table -->`: a table built from result files by the
  generator NAME below.

Commands run from the repository's root with `fleetsim` standing for the binary given. Wall-clock figures (seconds
simulated in, events per second, a sweep's duration) are masked on both sides; everything else must match to the
character. With --update the README is rewritten with the fresh outputs instead.

Usage: check-readme.py FLEETSIM [--update]
"""
import csv
import json
import os
import re
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
README = os.path.join(REPO, "README.md")
WALL_CLOCK = [
    (re.compile(r"simulated in [0-9.]+ s \(([0-9,]+) events, [0-9.]+ M events/s\)"), r"simulated in … s (\1 events, … M events/s)"),
    (re.compile(r"already done, in [0-9.]+ s"), "already done, in … s"),
    (re.compile(r"simulated in [0-9.]+ s \(analytic engine"), "simulated in … s (analytic engine"),
]


def masked(text):
    for pattern, replacement in WALL_CLOCK:
        text = pattern.sub(replacement, text)
    return text


def run(command, fleetsim):
    shell = re.sub(r"(^|\|\s*)(?:\.build/release/)?fleetsim(?=\s)", lambda match: match.group(1) + fleetsim, command.strip())
    completed = subprocess.run(["bash", "-o", "pipefail", "-c", shell], cwd=REPO, capture_output=True, text=True,
                               stdin=subprocess.DEVNULL)
    if completed.returncode not in (0, 1):
        raise SystemExit(f"check-readme: `{command}` exited {completed.returncode}: {completed.stderr[-500:]}")
    return (completed.stdout + completed.stderr).rstrip("\n").split("\n")


def thousands(value):
    return f"{value:,.0f}"


def level(value):
    return f"{value:.1f}" if value < 10 else thousands(value)


# MARK: Table generators: each returns the table's lines.

def timeline(args, fleetsim):
    """`timeline FOLDER HH:MM…`: the quick start's windows, from its timeline.csv."""
    folder, starts = args[0], args[1:]
    rows = {int(float(row["window_start_s"])): row for row in csv.DictReader(open(os.path.join(REPO, folder, "timeline.csv")))}
    lines = ["| window start | arrivals | completed | timed out | e2e p99 (s) | queue depth | utilization | SLO attainment |",
             "|---|---|---|---|---|---|---|---|"]
    for start in starts:
        hours, minutes = map(int, start.split(":"))
        row = rows[hours * 3600 + minutes * 60]
        lines.append(f"| {start} | {thousands(int(row['arrivals']))} | {thousands(int(row['completed']))} | "
                     f"{thousands(int(row['timed_out']))} | {float(row['e2e_p99_s']):.2f} | {level(float(row['queue_depth_mean']))} | "
                     f"{float(row['utilization']):.2f} | {float(row['slo_attainment']):.2f} |")
    return lines


POLICIES = ["fixed-at-peak", "hpa-70", "hpa-50", "queue", "scheduled", "predictive"]


def policies(args, fleetsim):
    """The policy comparison: each file of scenarios/policies/, from its summary.json."""
    with tempfile.TemporaryDirectory(prefix="fleetsim-readme-") as work:
        lines = ["| policy | cost (2 days) | replicas mean (max) | TTFT p99 | e2e p99 | TTFT ≤ 2 s | cold starts | scale-ups / downs |",
                 "|---|---:|---:|---:|---:|---:|---:|---:|"]
        for name in POLICIES:
            out = os.path.join(work, name)
            run(f"fleetsim run scenarios/policies/{name}.yaml --quiet --out {out}", fleetsim)
            summary = json.load(open(os.path.join(out, "summary.json")))
            counts = summary["counts"]
            lines.append(
                f"| `{name}` | ${summary['cost']['total']:,.2f} | {summary['replicas']['mean']:.1f} ({summary['replicas']['max']}) | "
                f"{summary['latency']['ttft']['p99']:.2f} s | {summary['latency']['e2e']['p99']:.1f} s | "
                f"{summary['slo']['attainment'] * 100:.2f} % | {counts['coldStarts']} | {counts['scaleUps']} / {counts['scaleDowns']} |")
        return lines


def decisions(args, fleetsim):
    """`decisions SCENARIO`: the first hold that recommends a change, the first scale-down and the first scale-up."""
    with tempfile.TemporaryDirectory(prefix="fleetsim-readme-") as work:
        run(f"fleetsim run {args[0]} --quiet --out {work}/run", fleetsim)
        rows = open(os.path.join(work, "run", "events.csv")).read().split("\n")
        picked = [rows[0]]
        for kind in ["hold", "scaleDown", "scaleUp"]:
            picked.append(next(row for row in rows[1:] if f",{kind}," in row and "recommends" in row))
        return ["```"] + picked + ["```"]


def spike(args, fleetsim):
    """The spike with and without a warm pool, one-minute windows around it."""
    with tempfile.TemporaryDirectory(prefix="fleetsim-readme-") as work:
        tables = {}
        for name in ["spike-cold-start", "spike-warm-pool"]:
            run(f"fleetsim run scenarios/{name}.yaml --quiet --out {work}/{name}", fleetsim)
            tables[name] = {int(float(row["window_start_s"])): row
                            for row in csv.DictReader(open(os.path.join(work, name, "timeline.csv")))}
        lines = ["| window | arrivals | cold: TTFT p99 | cold: ready / starting | warm pool: TTFT p99 | warm pool: ready / starting |",
                 "|---|---:|---:|---:|---:|---:|"]
        for minute in [119, 120, 121, 122, 123, 124, 126, 128]:
            cold, warm = tables["spike-cold-start"][minute * 60], tables["spike-warm-pool"][minute * 60]
            lines.append(
                f"| {minute // 60:02d}:{minute % 60:02d} | {thousands(int(cold['arrivals']))} | {float(cold['ttft_p99_s']):.1f} s | "
                f"{float(cold['replicas_ready']):.1f} / {float(cold['replicas_starting']):.1f} | {float(warm['ttft_p99_s']):.1f} s | "
                f"{float(warm['replicas_ready']):.1f} / {float(warm['replicas_starting']):.1f} |")
        return lines


def pareto(args, fleetsim):
    """`pareto SWEEP ROWS`: the first rows of the sweep's Pareto frontier."""
    with tempfile.TemporaryDirectory(prefix="fleetsim-readme-") as work:
        run(f"fleetsim sweep {args[0]} --jobs 2 --out {work}/sweep", fleetsim)
        rows = list(csv.DictReader(open(os.path.join(work, "sweep", "pareto.csv"))))
        lines = ["| point | window | max batch | HPA target | cost (1 h) | e2e p99 |", "|---:|---:|---:|---:|---:|---:|"]
        for row in rows[:int(args[1])]:
            window, batch, target = (row[key] for key in list(row)[1:4])
            p99 = f"{float(row['e2e_p99_s_mean']):#.3g}".rstrip(".")
            lines.append(f"| {row['point']} | {float(window.rstrip('s')) * 1000:.0f} ms | {batch} | {target.replace('%', ' %')} | "
                         f"${float(row['cost_total_usd_mean']):.2f} | {p99} s |")
        return lines


GENERATORS = {"timeline": timeline, "policies": policies, "decisions": decisions, "spike": spike, "pareto": pareto}


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    fleetsim = os.path.abspath(sys.argv[1])
    update = "--update" in sys.argv[2:]
    lines = open(README).read().split("\n")
    output, index, checked, differences = [], 0, 0, []
    while index < len(lines):
        line = lines[index]
        table = re.match(r"<!-- table: (\S+)(.*?) -->$", line)
        command = re.match(r"<!-- output: (.+) -->$", line)
        if table:
            end = lines.index("<!-- /table -->", index)
            fresh = GENERATORS[table.group(1)](table.group(2).split(), fleetsim)
            old = lines[index + 1:end]
            checked += 1
            if old != fresh:
                differences.append((line, old, fresh))
            output += [line] + (fresh if update else old) + ["<!-- /table -->"]
            index = end + 1
            continue
        if line.startswith("```") and index + 1 < len(lines):
            end = lines.index("```", index + 1)
            block = lines[index + 1:end]
            previous = output[-1] if output else ""
            marker = re.match(r"<!-- output: (.+) -->$", previous) if previous.startswith("<!--") else None
            if block and block[0].startswith("$ "):
                fresh = [block[0]] + run(block[0][2:], fleetsim)
            elif marker:
                fresh = run(marker.group(1), fleetsim)
            else:
                output += lines[index:end + 1]
                index = end + 1
                continue
            checked += 1
            if [masked(text) for text in block] != [masked(text) for text in fresh]:
                differences.append((block[0] if block else line, block, fresh))
            output += [line] + (fresh if update else block) + ["```"]
            index = end + 1
            continue
        output.append(line)
        index += 1
    if update:
        open(README, "w").write("\n".join(output))
    for title, old, fresh in differences:
        print(f"check-readme: differs: {title}")
        for a, b in zip(old + [""] * (len(fresh) - len(old)), fresh + [""] * (len(old) - len(fresh))):
            if masked(a) != masked(b):
                print(f"  README: {a}\n  now:    {b}")
    print(f"check-readme: {checked} outputs checked, {len(differences)} {'updated' if update else 'differ'}")
    return 0 if update or not differences else 1


if __name__ == "__main__":
    sys.exit(main())
