#!/usr/bin/env python3
"""Start-up time and resident memory while generating, next to llama.cpp's.

Start-up: from `ponder --model X` to a ready prompt, next to llama.cpp's load time.

ponder runs in a tmux window as a user starts it; the clock stops when the status line names the
model (before that it says "connecting to …" while the engine maps, checks and repacks the file).
llama.cpp's figure is the `load time` that `llama-completion` (the non-interactive llama-cli)
prints, with `-c 4096` like ponder's default context (its own default is the model's training
context, whose KV cache alone takes seconds to allocate). The two take turns for `--rounds`
rounds on a warm page cache; medians. `make bench` runs it on the largest model it measures.

Memory: `ponder generate` continues a prompt of about 512 tokens for 64 tokens; its resident set is sampled
from /proc every 20 ms while tokens arrive, and its maximum there is set against the bound the
engine keeps to: the model file + the KV cache of the positions used + 64 MiB.

    dev/startup-bench.py --ponder .build/release/ponder --llama-completion PATH MODEL.gguf ...
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import time


def ponder_ready_seconds(ponder, model, timeout=120.0):
    session = f"startup-{os.getpid()}"
    stem = os.path.splitext(os.path.basename(model))[0]
    subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    start = time.monotonic()
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "30",
                    f"exec {ponder} --model {model}"], check=True)
    try:
        while time.monotonic() - start < timeout:
            screen = subprocess.run(["tmux", "capture-pane", "-p", "-t", session],
                                    capture_output=True, text=True).stdout
            status = screen.rstrip("\n").split("\n")[-1] if screen.strip() else ""
            if stem in status and "connecting" not in status:
                return time.monotonic() - start
            time.sleep(0.005)
        raise SystemExit(f"ponder did not become ready within {timeout} s: {screen!r}")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


def llama_load_seconds(binary, model):
    out = subprocess.run([binary, "-m", model, "-p", "hi", "-n", "1", "-t", "2", "-c", "4096", "-no-cnv"],
                         capture_output=True, text=True, timeout=300)
    m = re.search(r"load time\s*=\s*([0-9.]+) ms", out.stdout + out.stderr)
    if not m:
        raise SystemExit(f"llama-completion printed no load time (exit {out.returncode}): {out.stderr[-500:]}")
    return float(m.group(1)) / 1000


def kv_bytes_per_position(model):
    import gguf
    reader = gguf.GGUFReader(model)
    def value(key):
        field = reader.fields[key]
        return int(field.parts[field.data[0]][0])
    arch = bytes(reader.fields["general.architecture"].parts[-1]).decode()
    layers, heads = value(f"{arch}.block_count"), value(f"{arch}.attention.head_count")
    kv_heads = value(f"{arch}.attention.head_count_kv") if f"{arch}.attention.head_count_kv" in reader.fields else heads
    head_dim = (value(f"{arch}.attention.key_length") if f"{arch}.attention.key_length" in reader.fields
                else value(f"{arch}.embedding_length") // heads)
    return layers * kv_heads * head_dim * 2 * 2  # keys and values, F16


def rss_while_generating(ponder, model, prompt_tokens=512, generate=64):
    words = " ".join(f"item {i} of the list," for i in range(prompt_tokens // 5))
    with open("/tmp/ponder-rss-prompt.txt", "w") as f:
        f.write(words)
    tokens = len(json.loads(subprocess.run([ponder, "tokenize", "--model", model, "--file", "/tmp/ponder-rss-prompt.txt"],
                                           capture_output=True, text=True, check=True).stdout))
    proc = subprocess.Popen([ponder, "generate", "--model", model, "--prompt-file", "/tmp/ponder-rss-prompt.txt",
                             "--max-tokens", str(generate), "--greedy", "--json", "--ctx", "4096"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    os.set_blocking(proc.stdout.fileno(), False)
    peak, generating = 0, False
    while proc.poll() is None:
        if not generating and proc.stdout.readline():
            generating = True
        if generating:
            with open(f"/proc/{proc.pid}/status") as f:
                rss = next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))
            peak = max(peak, rss * 1024)
        time.sleep(0.02)
    bound = os.path.getsize(model) + (tokens + generate) * kv_bytes_per_position(model) + (64 << 20)
    return peak, bound


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ponder", required=True)
    ap.add_argument("--llama-completion", required=True)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("models", nargs="+")
    args = ap.parse_args()
    print("| model | size | ponder: to a ready prompt | llama.cpp: load time | ratio |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for model in args.models:
        ours, theirs = [], []
        for _ in range(args.rounds):
            ours.append(ponder_ready_seconds(args.ponder, model))
            theirs.append(llama_load_seconds(args.llama_completion, model))
        a, b = statistics.median(ours), statistics.median(theirs)
        print(f"| {os.path.basename(model)} | {os.path.getsize(model) / 2**30:.2f} GiB | {a:.2f} s | {b:.2f} s "
              f"| {a / b:.2f}× |", flush=True)
    print()
    print("| model | ponder's resident memory while generating | bound: file + KV + 64 MiB |")
    print("| --- | ---: | ---: |")
    for model in args.models:
        peak, bound = rss_while_generating(args.ponder, model)
        print(f"| {os.path.basename(model)} | {peak / 2**20:.0f} MiB | {bound / 2**20:.0f} MiB |", flush=True)


if __name__ == "__main__":
    main()
