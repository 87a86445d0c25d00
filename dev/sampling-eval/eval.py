#!/usr/bin/env python3
"""Sampling defaults: how often replies loop, and how often they hold the expected answer.

For each model × peer × settings set, every question of questions.json is asked once per seed
(1..12 by default). Each reply is classified:

  loop           it ran into max_tokens (finish "length") and its tail is a repetition (the
                 harness's own rule, below; independent of ponder's loop guard);
  guard-stopped  ponder stopped it with finish "repetition" (a loop the guard caught; not counted
                 as a loop);
  cut            it ran into max_tokens without looping (rambling, but not a loop);
  answered       it contains one of the question's expected words (case-insensitive, on word
                 boundaries), whatever else it does.

Peers:
  --peer llama-server   starts LLAMA_SERVER itself (free loopback port, -c 2048, -np 1), then POSTs
                        /v1/chat/completions per question × seed with the set's sampling fields.
                        For a model without a chat template that ponder speaks to as a plain
                        transcript (`ponder template --model` says so), it POSTs /completion with
                        the very prompt `ponder template` renders and ponder's stop texts instead,
                        so both peers see the same text (llama-server's chat endpoint would use ChatML).
  --peer ponder         runs `ponder ask --json --think off ...` per question × seed.

The Markdown table goes to stdout, every raw reply to --out (JSONL, written as it goes), so the
ponder half and the llama-server half can be run separately and tabled together with --from.

Loop rule: the reply is put in a canonical form (whitespace runs -> one space, digit runs -> "0",
lower case, stripped), then for each period p in 1..120 the longest suffix with period p
(s[i] == s[i+p] all through it) is measured. The reply loops when, for some p, that suffix holds
at least 3 cycles (length >= 3p) and covers at least half of the last 240 characters (or of
the whole reply when it is shorter). Only replies that did not end by themselves (finish "length")
can loop.

    dev/sampling-eval/eval.py --self-test
    dev/sampling-eval/eval.py --peer llama-server --llama-server PATH --model smollm2 \\
        --settings old-smollm2 --settings card-rp110 --threads 1 --out /tmp/smol.jsonl
    dev/sampling-eval/eval.py --from /tmp/smol.jsonl --from /tmp/ponder.jsonl
"""
import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS_DIR = os.environ.get("PONDER_MODELS_DIR", os.path.expanduser("~/.cache/ponder/models"))
PEERS_FILE = os.environ.get("PONDER_PEERS_FILE", os.path.expanduser("~/.cache/ponder/peers/peers.env"))

MODELS = {
    "smollm2": "SmolLM2-135M-Instruct.Q4_1.gguf",
    "gemma": "gemma-3-270m-q4_k_m.gguf",
}

# Every set names all six knobs, so the two peers get exactly the same settings.
# top_k 0 = off, top_p 1 = off, min_p 0 = off, repeat_penalty 1 = off.
SETTINGS = {
    # The old defaults.
    "old-smollm2": dict(temperature=0.2, top_k=0, top_p=0.9, min_p=0.0, repeat_penalty=1.0, repeat_last_n=64),
    "old-gemma": dict(temperature=0.8, top_k=40, top_p=0.95, min_p=0.05, repeat_penalty=1.0, repeat_last_n=64),
    # Candidates.
    "ollama": dict(temperature=0.8, top_k=40, top_p=0.9, min_p=0.0, repeat_penalty=1.1, repeat_last_n=64),
    "card-rp110": dict(temperature=0.2, top_k=0, top_p=0.9, min_p=0.0, repeat_penalty=1.1, repeat_last_n=64),
    "card-rp105": dict(temperature=0.2, top_k=0, top_p=0.9, min_p=0.0, repeat_penalty=1.05, repeat_last_n=64),
    "t03-k40-mp05-rp110": dict(temperature=0.3, top_k=40, top_p=0.9, min_p=0.05, repeat_penalty=1.1, repeat_last_n=64),
}

REQUEST_TIMEOUT = 60.0
SERVER_START_TIMEOUT = 60.0


class EvalError(Exception):
    pass


# ---------------------------------------------------------------- classification

LOOP_TAIL = 240
LOOP_MAX_PERIOD = 120
LOOP_MIN_REPEATS = 3
LOOP_COVERAGE = 0.5


def canonical(text):
    """Whitespace runs -> one space, digit runs -> "0", lower case, stripped.

    Digits are folded so that "1. Paris 2. Paris 3. Paris" is as periodic as "Paris Paris Paris".
    """
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"\d+", "0", text)
    return text.lower().strip()


def loop_period(text):
    """The smallest period p (1..120) of a repetition that fills the reply's tail, or None."""
    s = canonical(text)
    n = len(s)
    if n == 0:
        return None
    need_cover = LOOP_COVERAGE * min(LOOP_TAIL, n)
    for p in range(1, min(LOOP_MAX_PERIOD, n // LOOP_MIN_REPEATS) + 1):
        # Length of the longest suffix with period p: p plus the run of s[i] == s[i + p] back from the end.
        i = n - p - 1
        while i >= 0 and s[i] == s[i + p]:
            i -= 1
        length = n - 1 - i
        if length >= LOOP_MIN_REPEATS * p and length >= need_cover:
            return p
    return None


def loops(text, finish):
    """An unguarded loop: the reply did not end by itself and its tail repeats."""
    return finish == "length" and loop_period(text) is not None


def answered(text, expect):
    return any(re.search(r"(?<!\w)" + re.escape(w) + r"(?!\w)", text, re.IGNORECASE) for w in expect)


def self_test():
    para = ("Paris is the capital and most populous city of France, with an estimated population of "
            "2,102,650 residents in January 2023 in an area of more than 105 km2. Since the 17th century, "
            "Paris has been one of the world's major centres of finance, diplomacy, commerce, culture, "
            "fashion, and gastronomy. Because of its leading role in the arts and sciences and its early "
            "adoption of extensive street lighting, it became known as the City of Light.")
    cases = [
        # (text, finish, expected loops)
        ("The capital of France is Paris. " * 12, "length", True),
        ("The capital of France is Paris. " * 12, "stop", False),  # ended by itself
        ("Paris " * 60, "length", True),
        ("!" * 300, "length", True),
        ("".join(f"{i}. Paris\n" for i in range(1, 40)), "length", True),  # numbered list of one item
        ("Rome.  \nRome.\n\n Rome. Rome.\tRome.\n" * 20, "length", True),  # whitespace differences
        ("Sure! " + "I am a helpful assistant and I like to help. " * 8, "length", True),
        # A long cycle (100 chars) three times back to back.
        ("intro text. " + ("x" * 40 + " the same hundred-character paragraph, once more, and again, and ag") * 4,
         "length", True),
        # Stuck late: the cycle fills a bit more than half of the last 240 characters.
        (para + " L'Etoile, la Marseillaise" + ", la femme de la femme" * 6, "length", True),
        (para, "length", False),  # long but not repeating
        (para + " Ha ha ha ha ha!", "length", False),  # 3+ cycles, but a small part of the tail
        ("The capital of France is Paris. " * 2 + para, "length", False),  # repeats early, not at the tail
        (para + " Paris. Paris.", "length", False),  # a short tail repetition does not fill the tail
        ("abc", "length", False),
        ("", "length", False),
    ]
    failures = 0
    for text, finish, want in cases:
        got = loops(text, finish)
        if got != want:
            failures += 1
            print(f"FAIL loops={got} want {want} (period {loop_period(text)}): {text[:70]!r}...")
    answer_cases = [
        ("The capital of France is Paris.", ["Paris"], True),
        ("PARIS!", ["Paris"], True),
        ("Parisian food", ["Paris"], False),
        ("There are 7 days in a week.", ["seven", "7"], True),
        ("There are 17 days.", ["seven", "7"], False),
        ("It is twenty-four.", ["24", "twenty-four", "twenty four"], True),
        ("Ice-cold water", ["ice"], True),
        ("Alice", ["ice"], False),
    ]
    for text, expect, want in answer_cases:
        if answered(text, expect) != want:
            failures += 1
            print(f"FAIL answered={not want} want {want}: {text!r} {expect}")
    total = len(cases) + len(answer_cases)
    print(f"self-test: {total - failures}/{total} passed")
    return failures == 0


# ---------------------------------------------------------------- llama-server peer

def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_json(url, payload=None, timeout=REQUEST_TIMEOUT):
    data = None if payload is None else json.dumps(payload).encode()
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return resp.status, json.loads(resp.read() or b"null")


# ponder's stop texts for its plain-transcript fallback (ChatFormat.transcriptStopTexts).
TRANSCRIPT_STOP_TEXTS = ["\nUser:", "\nuser:"]


class PlainTranscript:
    """The prompts ponder renders for a template-less base model, from `ponder template`."""

    def __init__(self, ponder, model):
        self.ponder = ponder
        self.model = model
        self.cache = {}

    def render(self, question):
        if question not in self.cache:
            self.cache[question] = self._run(question)[0]
        return self.cache[question]

    def applies(self):
        """True when ponder speaks to the model as a plain transcript."""
        return "plain transcript fallback" in self._run("probe")[1]

    def _run(self, question):
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump([{"role": "user", "content": question}], f)
        try:
            run = subprocess.run([self.ponder, "template", "--model", self.model, "--messages", f.name],
                                 capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired) as e:
            raise EvalError(f"cannot run `ponder template` ({self.ponder}): {e}")
        finally:
            os.unlink(f.name)
        if run.returncode != 0:
            raise EvalError(f"ponder template exited {run.returncode}: {run.stderr.strip()[-300:]}")
        return run.stdout, run.stderr


class LlamaServer:
    def __init__(self, program, model, threads, ctx=2048, ponder=None):
        self.program = program
        self.model = model
        self.threads = threads
        self.ctx = ctx
        self.transcript = PlainTranscript(ponder, model) if ponder else None
        self.port = free_port()
        self.proc = None
        self.log = tempfile.NamedTemporaryFile(prefix="sampling-eval-llama-server-", suffix=".log", delete=False)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self, lines=6):
        try:
            with open(self.log.name, errors="replace") as f:
                return " | ".join(f.read().splitlines()[-lines:])
        except OSError:
            return ""

    def start(self):
        try:
            help_text = subprocess.run([self.program, "--help"], capture_output=True, text=True, timeout=30).stdout
        except (OSError, subprocess.TimeoutExpired) as e:
            raise EvalError(f"cannot run llama-server {self.program}: {e}")
        if self.transcript and not self.transcript.applies():
            self.transcript = None
        args = [self.program, "-m", self.model, "--host", "127.0.0.1", "--port", str(self.port),
                "-c", str(self.ctx), "-t", str(self.threads), "-np", "1"]
        if "--no-webui" in help_text:
            args.append("--no-webui")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise EvalError(f"llama-server exited with status {self.proc.returncode}: {self.log_tail()}")
            try:
                status, _ = http_json(self.url + "/health", timeout=2)
                if status == 200:
                    return
            except (urllib.error.URLError, OSError, ValueError):
                pass
            time.sleep(0.2)
        raise EvalError(f"llama-server not ready within {SERVER_START_TIMEOUT:.0f} s: {self.log_tail()}")

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=3)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        try:
            os.unlink(self.log.name)
        except OSError:
            pass

    def ask(self, question, settings, seed, max_tokens):
        if self.transcript:
            return self.complete(self.transcript.render(question), settings, seed, max_tokens)
        payload = {
            "messages": [{"role": "user", "content": question}],
            "max_tokens": max_tokens,
            "seed": seed,
            "stream": False,
            **settings,
        }
        try:
            _, body = http_json(self.url + "/v1/chat/completions", payload)
        except urllib.error.HTTPError as e:
            raise EvalError(f"llama-server answered HTTP {e.code}: {e.read()[:300]!r}")
        except (urllib.error.URLError, OSError, ValueError) as e:  # includes timeouts
            raise EvalError(f"llama-server request failed: {e}")
        choice = body["choices"][0]
        return {
            "answer": choice["message"].get("content") or "",
            "finish": choice.get("finish_reason"),
            "completion_tokens": body.get("usage", {}).get("completion_tokens"),
        }


    def complete(self, prompt, settings, seed, max_tokens):
        payload = {"prompt": prompt, "n_predict": max_tokens, "seed": seed, "stop": TRANSCRIPT_STOP_TEXTS,
                   "stream": False, **settings}
        try:
            _, body = http_json(self.url + "/completion", payload)
        except urllib.error.HTTPError as e:
            raise EvalError(f"llama-server answered HTTP {e.code}: {e.read()[:300]!r}")
        except (urllib.error.URLError, OSError, ValueError) as e:
            raise EvalError(f"llama-server request failed: {e}")
        return {
            "answer": body.get("content") or "",
            "finish": "length" if body.get("stop_type") == "limit" else "stop",
            "completion_tokens": body.get("tokens_predicted"),
        }


# ---------------------------------------------------------------- ponder peer

class Ponder:
    def __init__(self, program, model, loop_guard=True, threads=1):
        self.program = program
        self.model = model
        self.loop_guard = loop_guard
        self.threads = threads

    def start(self):
        if not os.access(self.program, os.X_OK):
            raise EvalError(f"no ponder binary at {self.program} (build it with `swift build -c release --product ponder`)")

    def stop(self):
        pass

    def ask(self, question, settings, seed, max_tokens):
        args = [self.program, "ask", "--model", self.model, "--json", "--think", "off",
                "--temperature", str(settings["temperature"]), "--top-k", str(settings["top_k"]),
                "--top-p", str(settings["top_p"]), "--min-p", str(settings["min_p"]),
                "--repeat-penalty", str(settings["repeat_penalty"]),
                "--repeat-last-n", str(settings["repeat_last_n"]),
                "--seed", str(seed), "--max-tokens", str(max_tokens), "--threads", str(self.threads)]
        if not self.loop_guard:
            args.append("--no-loop-guard")
        args.append(question)
        try:
            run = subprocess.run(args, capture_output=True, text=True, timeout=REQUEST_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise EvalError(f"ponder ask timed out after {REQUEST_TIMEOUT:.0f} s: {question!r} seed {seed}")
        if run.returncode != 0:
            raise EvalError(f"ponder ask exited {run.returncode}: {run.stderr.strip()[-300:]}")
        try:
            body = json.loads(run.stdout)
            return {"answer": body["answer"], "finish": body["finish"],
                    "completion_tokens": body.get("completion_tokens")}
        except (ValueError, KeyError, TypeError) as e:
            raise EvalError(f"ponder ask printed no JSON object with answer/finish ({e}): {run.stdout[:200]!r}")


# ---------------------------------------------------------------- table

def summarize(rows):
    cells = {}
    for r in rows:
        cells.setdefault((r["model"], r["peer"], r["settings"], r.get("max_tokens")), []).append(r)
    lines = [
        "| model | peer | settings | max tokens | replies | loops | loop rate | guard-stopped | cut | answered "
        "| mean tokens | s/reply |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for (model, peer, name, max_tokens), rs in cells.items():
        n = len(rs)
        nloop = sum(r["loops"] for r in rs)
        nguard = sum(r["guard_stopped"] for r in rs)
        ncut = sum(r["finish"] == "length" and not r["loops"] for r in rs)
        nans = sum(r["answered"] for r in rs)
        toks = [r["completion_tokens"] for r in rs if isinstance(r.get("completion_tokens"), int)]
        mean_toks = f"{sum(toks) / len(toks):.1f}" if toks else "-"
        secs = sum(r.get("seconds", 0.0) for r in rs) / n
        lines.append(f"| {model} | {peer} | {name} | {max_tokens} | {n} | {nloop} | {100 * nloop / n:.1f}% | {nguard} | {ncut} "
                     f"| {100 * nans / n:.1f}% | {mean_toks} | {secs:.2f} |")
    return "\n".join(lines)


def by_question(rows):
    """Answered / loops per question and cell, as a compact Markdown table."""
    cells = list(dict.fromkeys((r["model"], r["peer"], r["settings"]) for r in rows))
    questions = list(dict.fromkeys(r["q"] for r in rows))
    head = "| question | " + " | ".join(f"{m} {p} {s}" for m, p, s in cells) + " |"
    lines = [head, "|---|" + "---:|" * len(cells)]
    for q in questions:
        parts = []
        for c in cells:
            rs = [r for r in rows if (r["model"], r["peer"], r["settings"]) == c and r["q"] == q]
            if not rs:
                parts.append("-")
                continue
            parts.append(f"{sum(r['answered'] for r in rs)}/{len(rs)} ans, {sum(r['loops'] for r in rs)} loop")
        lines.append(f"| {q} | " + " | ".join(parts) + " |")
    return "\n".join(lines)


# ---------------------------------------------------------------- main

def read_peers_env():
    values = {}
    try:
        with open(PEERS_FILE) as f:
            for line in f:
                if "=" in line:
                    k, v = line.strip().split("=", 1)
                    values[k] = v
    except OSError:
        pass
    return values


def model_path(name):
    if name in MODELS:
        return name, os.path.join(MODELS_DIR, MODELS[name])
    return os.path.splitext(os.path.basename(name))[0], name


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--self-test", action="store_true", help="check the loop and answer rules, then exit")
    ap.add_argument("--peer", choices=["llama-server", "ponder"])
    ap.add_argument("--model", action="append", default=[],
                    help=f"{' or '.join(MODELS)} (in {MODELS_DIR}) or a .gguf path; repeatable")
    ap.add_argument("--settings", action="append", default=[], choices=sorted(SETTINGS),
                    help="a named settings set; repeatable (default: all)")
    ap.add_argument("--questions", default=os.path.join(HERE, "questions.json"))
    ap.add_argument("--questions-limit", type=int, help="only the first N questions")
    ap.add_argument("--seeds", type=int, default=12, help="how many seeds (default 12)")
    ap.add_argument("--first-seed", type=int, default=1,
                    help="seeds run from here (default 1), so a run can be finished later in parts")
    ap.add_argument("--max-tokens", type=int, default=192)
    ap.add_argument("--threads", type=int, default=2, help="llama-server -t, ponder ask --threads")
    ap.add_argument("--llama-server", help="llama-server binary (default: LLAMA_SERVER from peers.env)")
    ap.add_argument("--ponder", default="/work/main/.build/release/ponder")
    ap.add_argument("--no-loop-guard", action="store_true", help="pass --no-loop-guard to ponder")
    ap.add_argument("--out", help="write every reply here (JSONL)")
    ap.add_argument("--from", dest="from_files", action="append", default=[],
                    help="table these JSONL files (from --out) instead of running; repeatable")
    ap.add_argument("--by-question", action="store_true", help="also print answered/loops per question")
    ap.add_argument("--quiet", action="store_true", help="no progress on stderr")
    args = ap.parse_args()

    if args.self_test:
        return 0 if self_test() else 1

    if args.from_files:
        # The rules are applied afresh, so a table always follows the rules of this file.
        with open(args.questions) as f:
            expects = {item["q"]: item["expect"] for item in json.load(f)}
        rows = []
        for path in args.from_files:
            with open(path) as f:
                rows += [json.loads(line) for line in f if line.strip()]
        for r in rows:
            r["loops"] = loops(r["answer"], r["finish"])
            r["guard_stopped"] = r["finish"] == "repetition"
            if r["q"] in expects:
                r["answered"] = answered(r["answer"], expects[r["q"]])
        print(summarize(rows))
        if args.by_question:
            print()
            print(by_question(rows))
        return 0

    if not args.peer or not args.model:
        ap.error("--peer and --model are required (or --self-test, or --from)")
    with open(args.questions) as f:
        questions = json.load(f)
    if args.questions_limit:
        questions = questions[: args.questions_limit]
    names = args.settings or list(SETTINGS)
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))

    if args.peer == "llama-server":
        program = args.llama_server or read_peers_env().get("LLAMA_SERVER")
        if not program:
            raise EvalError(f"no llama-server: pass --llama-server or run `make peers` ({PEERS_FILE})")
    peer_label = args.peer if args.peer == "llama-server" or not args.no_loop_guard else "ponder-noguard"

    out = open(args.out, "a") if args.out else None
    rows = []
    total = len(args.model) * len(names) * len(questions) * len(seeds)
    done = 0
    started = time.monotonic()
    try:
        for model_name in args.model:
            label, path = model_path(model_name)
            if not os.path.exists(path):
                raise EvalError(f"no model at {path}")
            if args.peer == "llama-server":
                peer = LlamaServer(program, path, args.threads, ponder=args.ponder)
            else:
                peer = Ponder(args.ponder, path, loop_guard=not args.no_loop_guard, threads=args.threads)
            try:
                peer.start()
                for name in names:
                    settings = SETTINGS[name]
                    for qi, item in enumerate(questions):
                        for seed in seeds:
                            t0 = time.monotonic()
                            reply = peer.ask(item["q"], settings, seed, args.max_tokens)
                            seconds = time.monotonic() - t0
                            row = {
                                "model": label, "peer": peer_label, "settings": name, **settings,
                                "max_tokens": args.max_tokens, "qi": qi, "q": item["q"], "seed": seed,
                                **reply, "seconds": round(seconds, 3),
                                "loops": loops(reply["answer"], reply["finish"]),
                                "guard_stopped": reply["finish"] == "repetition",
                                "answered": answered(reply["answer"], item["expect"]),
                            }
                            rows.append(row)
                            if out:
                                out.write(json.dumps(row) + "\n")
                                out.flush()
                            done += 1
                            if not args.quiet:
                                elapsed = time.monotonic() - started
                                print(f"\r[{done}/{total}] {label} {name} q{qi} s{seed} "
                                      f"{elapsed:.0f}s, ~{elapsed / done * (total - done):.0f}s left   ",
                                      end="", file=sys.stderr, flush=True)
            finally:
                peer.stop()
    finally:
        if out:
            out.close()
        if not args.quiet:
            print(file=sys.stderr)
    print(summarize(rows))
    if args.by_question:
        print()
        print(by_question(rows))
    return 0


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so the finally stops llama-server
    try:
        sys.exit(main())
    except EvalError as e:
        print(f"eval.py: {e}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("eval.py: interrupted", file=sys.stderr)
        sys.exit(130)
