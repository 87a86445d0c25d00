#!/usr/bin/env python3
"""Embedded engine vs llama.cpp, side by side in one run: pp512 and tg128 on each model.

`make bench` runs this. The two programs take turns (ponder, llama-bench, ponder, ...) for
`--rounds` rounds, each round one measured repetition after the tools' own warm-up, so a burst of
load from something else on the machine hits both alike. For each test it prints the median and
the best round of each program and the ratio ponder / llama.cpp of both.

    dev/bench.py --ponder .build/release/ponder --llama-bench PATH MODEL.gguf [MODEL.gguf ...]
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys


def ponder_round(ponder, model, threads, pp, tg):
    out = subprocess.run(
        [ponder, "bench", "--model", model, "-t", str(threads), "-p", str(pp), "-n", str(tg), "-r", "1"],
        check=True, capture_output=True, text=True).stdout
    speeds = {}
    for line in out.splitlines():
        m = re.match(r"\|[^|]*\|\s*\d+\s*\|\s*(pp\d+|tg\d+)\s*\|\s*([0-9.]+)", line)
        if m:
            speeds[m.group(1)] = float(m.group(2))
    return speeds


def llama_round(bench, model, threads, pp, tg):
    out = subprocess.run(
        [bench, "-m", model, "-t", str(threads), "-p", str(pp), "-n", str(tg), "-r", "1", "-o", "json"],
        check=True, capture_output=True, text=True).stdout
    speeds = {}
    for row in json.loads(out):
        name = f"pp{row['n_prompt']}" if row["n_gen"] == 0 else f"tg{row['n_gen']}"
        speeds[name] = float(row["avg_ts"])
    return speeds


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ponder", required=True)
    ap.add_argument("--llama-bench", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("-p", type=int, default=512)
    ap.add_argument("-n", type=int, default=128)
    ap.add_argument("models", nargs="+")
    args = ap.parse_args()

    print(f"threads {args.threads}, {args.rounds} alternating rounds, load average before: "
          f"{os.getloadavg()[0]:.2f}", flush=True)
    print("| model | test | ponder t/s (median · best) | llama.cpp t/s (median · best) | ratio (median · best) |")
    print("| --- | --- | ---: | ---: | ---: |")
    for model in args.models:
        ours, theirs = {}, {}
        for _ in range(args.rounds):
            for name, v in ponder_round(args.ponder, model, args.threads, args.p, args.n).items():
                ours.setdefault(name, []).append(v)
            for name, v in llama_round(args.llama_bench, model, args.threads, args.p, args.n).items():
                theirs.setdefault(name, []).append(v)
        for test in (f"pp{args.p}", f"tg{args.n}"):
            a, b = ours.get(test), theirs.get(test)
            if not a or not b:
                print(f"| {os.path.basename(model)} | {test} | missing | missing | |")
                continue
            ma, mb = statistics.median(a), statistics.median(b)
            print(f"| {os.path.basename(model)} | {test} | {ma:.1f} · {max(a):.1f} | {mb:.1f} · {max(b):.1f} "
                  f"| {ma / mb:.2f}× · {max(a) / max(b):.2f}× |", flush=True)
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    sys.exit(main())
