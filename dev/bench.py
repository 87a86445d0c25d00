#!/usr/bin/env python3
"""Embedded engine vs llama.cpp, side by side: one table of speed, bandwidth and memory.

`make bench` runs this. For each model, thread count and test (pp512, tg128, tg128 after 4096
tokens of context), the two programs take turns (ponder, llama-bench, ponder, ...) for `--rounds`
rounds, each round one measured repetition after the tools' own warm-up, so a burst of load from
something else on the machine hits both alike. The table gives the median of each program, the
ratio ponder / llama.cpp, for decode the fraction of the machine's memory read bandwidth reached
(model file bytes x tokens/s, against `ponder bench --memory` at the same thread count, measured
again just before each round's run; the median of the rounds' fractions), and the
maximum resident memory of each program's process. Then, if dev/ui-bench.py is present, the UI and
stream-parsing figures.

    dev/bench.py --ponder .build/release/ponder --llama-bench PATH [--threads 1,2] MODEL.gguf ...
"""
import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys


def rss_of(cmd):
    """(stdout, max RSS MiB) of one run of `cmd`."""
    pid = os.fork()
    if pid == 0:
        fd = os.open(os.devnull, os.O_WRONLY)
        out = os.open(rss_of.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(out, 1)
        os.dup2(fd, 2)
        try:
            os.execv(cmd[0], cmd)
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    with open(rss_of.path) as f:
        text = f.read()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(cmd)} failed with status {os.waitstatus_to_exitcode(status)}")
    return text, usage.ru_maxrss / 1024.0


rss_of.path = f"/tmp/ponder-bench-{os.getpid()}.out"


def one_round(tool, binary, model, threads, pp, tg, depth):
    """{test name: t/s} and max RSS (MiB) of one repetition by `tool`."""
    if tool == "ponder":
        cmd = [binary, "bench", "--json", "--model", model, "-t", str(threads), "-p", str(pp), "-n", str(tg),
               "-d", str(depth), "-r", "1"]
    else:
        cmd = [binary, "-m", model, "-t", str(threads), "-p", str(pp), "-n", str(tg), "-d", str(depth),
               "-r", "1", "-o", "json"]
    text, rss = rss_of(cmd)
    speeds = {}
    for row in json.loads(text):
        name = f"pp{row['n_prompt']}" if row["n_gen"] == 0 else f"tg{row['n_gen']}"
        if row.get("n_depth", 0):
            name += f" @ d{row['n_depth']}"
        speeds[name] = float(row["avg_ts"])
    return speeds, rss


def bandwidth(ponder, threads):
    text, _ = rss_of([ponder, "bench", "--memory", "--json", "-t", str(threads)])
    return float(json.loads(text)[0]["read_gbps"])


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ponder", required=True)
    ap.add_argument("--llama-bench", required=True)
    ap.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("-p", type=int, default=512)
    ap.add_argument("-n", type=int, default=128)
    ap.add_argument("--depth", type=int, default=4096, help="context before the tg-at-depth test (0 skips it)")
    ap.add_argument("--ui-bench", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "ui-bench.py"))
    ap.add_argument("models", nargs="+")
    args = ap.parse_args()
    threads = [int(t) for t in args.threads.split(",")]

    print(f"{datetime.date.today().isoformat()}, {cpu_model()}, {os.cpu_count()} CPUs; {args.rounds} alternating "
          f"rounds, medians; load average before: {os.getloadavg()[0]:.2f}", flush=True)
    gbps = {t: [bandwidth(args.ponder, t)] for t in threads}
    print("memory read bandwidth at the start: " + ", ".join(f"{gbps[t][0]:.1f} GB/s ({t} thread{'s' if t > 1 else ''})"
                                                              for t in threads), flush=True)
    print()
    print("| model | threads | test | ponder t/s | llama.cpp t/s | ratio | decode bandwidth | max RSS ponder · llama.cpp |")
    print("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |")
    for model in args.models:
        size = os.path.getsize(model)
        for t in threads:
            runs = [(args.p, args.n, 0)]
            if args.depth > 0 and args.n > 0:
                runs.append((0, args.n, args.depth))
            for pp, tg, depth in runs:
                ours, theirs, rss, fractions = {}, {}, {"ponder": [], "llama": []}, {}
                for _ in range(args.rounds):
                    # The bandwidth is measured again next to every decode run: on a shared host it
                    # drifts by a fifth within minutes, and a fraction is only as good as its pair.
                    g = bandwidth(args.ponder, t) if tg > 0 else None
                    if g:
                        gbps[t].append(g)
                    for tool, binary, into in (("ponder", args.ponder, ours), ("llama", args.llama_bench, theirs)):
                        speeds, r = one_round(tool, binary, model, t, pp, tg, depth)
                        rss[tool].append(r)
                        for name, v in speeds.items():
                            into.setdefault(name, []).append(v)
                            # After a deep context the KV cache is read too: the file's bytes say little.
                            if tool == "ponder" and g and name.startswith("tg") and depth == 0:
                                fractions.setdefault(name, []).append(size * v / 1e9 / g)
                for test in sorted(ours):
                    a, b = ours.get(test), theirs.get(test)
                    if not b:
                        print(f"| {os.path.basename(model)} | {t} | {test} | {statistics.median(a):.1f} | missing | | | |")
                        continue
                    ma, mb = statistics.median(a), statistics.median(b)
                    bw = f"{statistics.median(fractions[test]) * 100:.0f} %" if test in fractions else ""
                    print(f"| {os.path.basename(model)} | {t} | {test} | {ma:.1f} | {mb:.1f} | {ma / mb:.2f}× | {bw} "
                          f"| {max(rss['ponder']):.0f} · {max(rss['llama']):.0f} MiB |", flush=True)
    print(f"\nload average after: {os.getloadavg()[0]:.2f}; memory read bandwidth over the rounds: "
          + ", ".join(f"{min(gbps[t]):.1f}-{max(gbps[t]):.1f} GB/s, median {statistics.median(gbps[t]):.1f} "
                      f"({t} thread{'s' if t > 1 else ''})" for t in threads), flush=True)
    if os.path.exists(args.ui_bench):
        print()
        subprocess.run([sys.executable, args.ui_bench, "--ponder", args.ponder], check=True)
    try:
        os.remove(rss_of.path)
    except OSError:
        pass


if __name__ == "__main__":
    sys.exit(main())
