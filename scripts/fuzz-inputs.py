#!/usr/bin/env python3
"""Mutates FleetSim's inputs and checks that every mutant ends cleanly.

Inputs: every scenario in scenarios/ (and its policies/ and scripts/golden/), every manifest in scenarios/manifests/
(run through a one-deployment scenario), and the three trace formats (the first rows of the shared Azure and
Mooncake traces, and a CSV trace). Mutations: byte flips, truncation, duplicated, deleted and swapped lines, swapped
values, huge and non-finite numbers, wrong types, deep nesting, YAML anchors and alias bombs, invalid UTF-8, and
several of these at once.

Each mutant runs through `fleetsim validate` (scenarios, manifests) or `fleetsim trace stats` (traces) and must
end with exit 0, or exit 1 with a located error: one line `error: FILE:LINE: ...`. A message that names a file
but no line is counted as file-level, allowed only for whole-file problems (an empty or oversized file, a missing
file a mutant now names). A crash, a hang (no exit within the timeout), a message without a location or over
several lines is a failure.

Usage: fuzz-inputs.py FLEETSIM [--count N] [--seed S] [--jobs J] [--keep DIR]
Exit status 0 when there is no failure; the counts by kind are printed either way.
"""
import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(REPO), "shared")
TIMEOUT_SECONDS = 30
WHOLE_FILE = re.compile(r"(the file is empty|no such file|cannot be read$|is [0-9.]+ [KMG]i?B; |holds no HorizontalPodAutoscaler"
                        r"|is empty; expected a header|has a header but no rows|cannot read the manifest)")
NUMBERS = ["1e308", "-1e308", "1e400", "99999999999999999999999", "nan", ".nan", ".inf", "-.inf", "0", "-1",
           "1e-320", "0x10", "1_000_000_000_000", "-0", "4294967296", "9223372036854775808"]
WRONG_TYPES = ["[]", "{}", "text", "true", "null", "[1, 2]", "{a: 1}", "''", "\"\"", "~", "!!binary aGVsbG8=",
               "2001-12-14t21:59:43.10-05:00"]


def mutate(text: bytes, rng: random.Random) -> bytes:
    lines = text.split(b"\n")
    kind = rng.randrange(13)
    if kind == 0 and text:  # byte flip
        position = rng.randrange(len(text))
        return text[:position] + bytes([rng.randrange(256)]) + text[position + 1:]
    if kind == 1:  # truncation
        return text[:rng.randrange(len(text) + 1)]
    if kind == 2 and lines:  # duplicated line
        index = rng.randrange(len(lines))
        return b"\n".join(lines[:index + 1] + [lines[index]] + lines[index + 1:])
    if kind == 3 and lines:  # deleted line
        index = rng.randrange(len(lines))
        return b"\n".join(lines[:index] + lines[index + 1:])
    if kind == 4 and len(lines) > 1:  # swapped lines
        i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
        return b"\n".join(lines)
    valued = [i for i, line in enumerate(lines) if re.search(rb":\s+\S", line) or re.search(rb"^\s*-\s+\S", line)]
    if kind == 5 and len(valued) > 1:  # swapped values
        i, j = rng.sample(valued, 2)
        a, b = re.split(rb"(:\s+|-\s+)", lines[i], maxsplit=1), re.split(rb"(:\s+|-\s+)", lines[j], maxsplit=1)
        if len(a) == 3 and len(b) == 3:
            lines[i], lines[j] = a[0] + a[1] + b[2], b[0] + b[1] + a[2]
            return b"\n".join(lines)
    if kind == 6:  # huge and non-finite numbers
        numbers = list(re.finditer(rb"(?<![\w.])-?\d+(\.\d+)?([eE][-+]?\d+)?", text))
        if numbers:
            match = rng.choice(numbers)
            return text[:match.start()] + rng.choice(NUMBERS).encode() + text[match.end():]
    if kind == 7 and valued:  # wrong type
        index = rng.choice(valued)
        parts = re.split(rb"(:\s+|-\s+)", lines[index], maxsplit=1)
        if len(parts) == 3:
            lines[index] = parts[0] + parts[1] + rng.choice(WRONG_TYPES).encode()
            return b"\n".join(lines)
    if kind == 8 and valued:  # deep nesting
        index = rng.choice(valued)
        parts = re.split(rb"(:\s+|-\s+)", lines[index], maxsplit=1)
        if len(parts) == 3:
            depth = rng.choice([50, 1_000, 20_000])
            nested = (b"[" * depth + b"1" + b"]" * depth) if rng.random() < 0.5 else (b"{a: " * depth + b"1" + b"}" * depth)
            lines[index] = parts[0] + parts[1] + nested
            return b"\n".join(lines)
    if kind == 9:  # an alias bomb, or an anchor used where a scalar belongs
        bomb = [b"bomb0: &b0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        for level in range(1, rng.choice([3, 9])):
            bomb.append(b"bomb%d: &b%d [" % (level, level) + b", ".join([b"*b%d" % (level - 1)] * 9) + b"]")
        return b"\n".join(bomb) + b"\n" + text
    if kind == 10:  # invalid UTF-8
        position = rng.randrange(len(text) + 1)
        return text[:position] + rng.choice([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xfe\xff", b"\x00"]) + text[position:]
    if kind == 11 and valued:  # an alias to an undefined anchor, or a tag
        index = rng.choice(valued)
        parts = re.split(rb"(:\s+|-\s+)", lines[index], maxsplit=1)
        if len(parts) == 3:
            lines[index] = parts[0] + parts[1] + rng.choice([b"*nowhere", b"!!float abc", b"&a", b"!custom x", b"<<: *x"])
            return b"\n".join(lines)
    # several at once
    for _ in range(rng.randrange(2, 5)):
        text = mutate(text, rng)
    return text


def classify(result, path_prefix):
    if result is None:
        return "hang", ""
    code, stderr = result
    if code < 0 or code >= 128:
        return "crash", stderr[-400:]
    if code == 0:
        return "ok", ""
    lines = [line for line in stderr.strip().split("\n") if line]
    message = lines[0] if lines else ""
    if code != 1 or len(lines) != 1 or not message.startswith("error: "):
        return "unlocated", stderr[-400:]
    located = re.match(r"error: (/[^:]+):(\d+): ", message)
    if located:
        return "located", ""
    named = re.match(r"error: (/[^:]+): ", message)
    if named and WHOLE_FILE.search(message):
        return "file-level", ""
    return "unlocated", message


def run(command, cwd):
    try:
        completed = subprocess.run(command, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, timeout=TIMEOUT_SECONDS)
        return completed.returncode, completed.stderr.decode("utf-8", "replace")
    except subprocess.TimeoutExpired:
        return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("fleetsim")
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--keep", help="copy failing inputs into this folder")
    args = parser.parse_args()
    fleetsim = os.path.abspath(args.fleetsim)

    work = tempfile.mkdtemp(prefix="fleetsim-fuzz-")
    try:
        # A mirror of the checkout's scenarios with ../shared beside it, so relative paths resolve as in the repo.
        root = os.path.join(work, "main")
        shutil.copytree(os.path.join(REPO, "scenarios"), os.path.join(root, "scenarios"))
        shutil.copytree(os.path.join(REPO, "scripts", "golden"), os.path.join(root, "scripts", "golden"))
        if os.path.isdir(SHARED):
            os.symlink(SHARED, os.path.join(work, "shared"))
        seeds = []  # (kind, folder, name, bytes)
        for folder in ["scenarios", "scenarios/policies", "scripts/golden"]:
            for name in sorted(os.listdir(os.path.join(root, folder))):
                if name.endswith(".yaml"):
                    seeds.append(("scenario", folder, name, open(os.path.join(root, folder, name), "rb").read()))
        for name in sorted(os.listdir(os.path.join(root, "scenarios", "manifests"))):
            if name.endswith(".yaml"):
                seeds.append(("manifest", "scenarios/manifests", name,
                              open(os.path.join(root, "scenarios", "manifests", name), "rb").read()))
        traces = {
            "azure.csv": os.path.join(SHARED, "data/azure_llm_2023/AzureLLMInferenceTrace_conv.csv"),
            "mooncake.jsonl": os.path.join(SHARED, "data/mooncake/conversation_trace.jsonl"),
        }
        for name, path in traces.items():
            if os.path.exists(path):
                with open(path, "rb") as file:
                    seeds.append(("trace", "traces", name, b"".join(file.readline() for _ in range(60))))
        seeds.append(("trace", "traces", "trace.csv",
                      b"time_s,prompt_tokens,output_tokens,class\n0,100,20,chat\n0.5,2000,300,chat\n1.25,50,5,code\n"))
        os.makedirs(os.path.join(root, "traces"))
        wrapper = ("name: fuzz\nduration: 1h\ntraffic: {rate: 5/s}\ndeployments:\n  chat:\n"
                   "    instance: {gpu: L4, gpus: 1, onDemand: 0.8}\n    service: {time: {exponential: {mean: 400ms}}}\n"
                   "    pools: [{purchase: onDemand, count: 2}]\n    autoscaler: {manifest: %s}\n")

        rng = random.Random(args.seed)
        jobs = []
        for index in range(args.count):
            kind, folder, name, original = seeds[index % len(seeds)]
            mutant = mutate(original, random.Random(rng.getrandbits(64)))
            stem, extension = os.path.splitext(name)
            path = os.path.join(root, folder, ".fuzz-%06d-%s%s" % (index, stem, extension))
            with open(path, "wb") as file:
                file.write(mutant)
            if kind == "scenario":
                command = [fleetsim, "validate", path]
            elif kind == "manifest":
                scenario = os.path.join(root, folder, ".fuzz-%06d-scenario.yaml" % index)
                with open(scenario, "w") as file:
                    file.write(wrapper % path)
                command = [fleetsim, "validate", scenario]
            else:
                command = [fleetsim, "trace", "stats", path]
            jobs.append((index, kind, name, path, command))

        counts = {}
        failures = []
        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            for (index, kind, name, path, command), result in zip(jobs, pool.map(lambda job: run(job[4], root), jobs)):
                verdict, detail = classify(result, root)
                counts[verdict] = counts.get(verdict, 0) + 1
                counts[(kind, verdict)] = counts.get((kind, verdict), 0) + 1
                if os.environ.get("FUZZ_SHOW_FILE_LEVEL") and verdict == "file-level":
                    print("  file-level:", (result[1].strip().split(": ", 2) + [""])[2][:150])
                if verdict in ("crash", "hang", "unlocated"):
                    failures.append((verdict, name, path, detail))
                    if args.keep:
                        os.makedirs(args.keep, exist_ok=True)
                        shutil.copy(path, os.path.join(args.keep, os.path.basename(path)))

        print("fuzz: %d inputs (seed %d): " % (args.count, args.seed)
              + ", ".join("%s %d" % (verdict, counts.get(verdict, 0))
                          for verdict in ["ok", "located", "file-level", "unlocated", "crash", "hang"]))
        for kind in ["scenario", "manifest", "trace"]:
            print("  %-8s " % kind + ", ".join("%s %d" % (verdict, counts.get((kind, verdict), 0))
                                               for verdict in ["ok", "located", "file-level", "unlocated", "crash", "hang"]))
        for verdict, name, path, detail in failures[:30]:
            print("  %s from %s (%s): %s" % (verdict, name, os.path.basename(path), detail.strip().replace("\n", " | ")[:300]))
        return 1 if failures else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
