#!/usr/bin/env python3
"""Random-weight models with the exact shapes of real ones, for benchmarks at real sizes.

`make bench-models` runs this. Speed depends on a model's shapes and tensor types, not on what its
weights say, so a random-weight file with Qwen3-1.7B's shapes costs what Qwen3-1.7B costs. Each
model is written once in F16 with the Python `gguf` package (numpy, fixed seed), with the real
tokenizer of its family (llama.cpp's vocabulary files), then quantized with llama.cpp's own
`llama-quantize` to each type; the F16 intermediate is deleted afterwards.

    dev/bench-models.py --out DIR --vocab DIR --quantize PATH [--types Q4_K_M,Q4_0,Q8_0] [NAME ...]

Writes DIR/<name>-<type>.gguf and skips files that already exist.
"""
import argparse
import os
import subprocess
import sys

import numpy as np
import gguf

from randomgguf import write_model

# Shapes from each model's published config.json. Qwen3 ties its output head to the token
# embedding; the Llama-3.2-1B-class model is written with an untied head so both cases are measured
# (Llama 3.2 1B itself ties it; its llama3 rope scaling is left out: it does not change the cost).
MODELS = {
    "qwen3-0.6b-shape": dict(arch="qwen3", vocab="qwen2", layers=28, width=1024, ffn=3072, heads=16,
                             kv_heads=8, head_dim=128, rope_base=1e6, eps=1e-6, tied=True, seed=6),
    "qwen3-1.7b-shape": dict(arch="qwen3", vocab="qwen2", layers=28, width=2048, ffn=6144, heads=16,
                             kv_heads=8, head_dim=128, rope_base=1e6, eps=1e-6, tied=True, seed=17),
    "llama-1b-shape": dict(arch="llama", vocab="llama-bpe", layers=16, width=2048, ffn=8192, heads=32,
                           kv_heads=8, head_dim=64, rope_base=5e5, eps=1e-5, tied=False, seed=32),
}

CHATML = ("{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content']"
          " + '<|im_end|>\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}")
LLAMA3 = ("{{ bos_token }}{% for message in messages %}{{ '<|start_header_id|>' + message['role'] + "
          "'<|end_header_id|>\\n\\n' + message['content'] | trim + '<|eot_id|>' }}{% endfor %}"
          "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}")


def write_f16(path, spec, vocab_dir):
    rng = np.random.default_rng(spec["seed"])

    def weight(rows, cols, role, scale=0.02):
        return (rng.standard_normal((rows, cols), dtype=np.float32) * scale).astype(np.float16)

    def norm(n):
        return (1.0 + 0.1 * rng.standard_normal(n, dtype=np.float32)).astype(np.float32)

    arch = spec["arch"]
    write_model(path, os.path.basename(path).rsplit("-f16", 1)[0],
                dict(spec, context=40960 if arch == "qwen3" else 131072),
                os.path.join(vocab_dir, f"ggml-vocab-{spec['vocab']}.gguf"), CHATML if arch == "qwen3" else LLAMA3,
                gguf.LlamaFileType.MOSTLY_F16, weight, norm)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--vocab", required=True, help="llama.cpp's models/ folder with ggml-vocab-*.gguf")
    ap.add_argument("--quantize", required=True, help="llama-quantize")
    ap.add_argument("--types", default="Q4_K_M,Q4_0,Q8_0")
    ap.add_argument("names", nargs="*", default=list(MODELS))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for name in args.names:
        if name not in MODELS:
            raise SystemExit(f"unknown model {name}: expected one of {', '.join(MODELS)}")
        wanted = [t for t in args.types.split(",") if not os.path.exists(os.path.join(args.out, f"{name}-{t.lower()}.gguf"))]
        if not wanted:
            continue
        f16 = os.path.join(args.out, f"{name}-f16.gguf")
        print(f"{name}: writing F16 weights", flush=True)
        write_f16(f16 + ".part", MODELS[name], args.vocab)
        os.replace(f16 + ".part", f16)
        for t in wanted:
            out = os.path.join(args.out, f"{name}-{t.lower()}.gguf")
            print(f"{name}: llama-quantize {t}", flush=True)
            subprocess.run([args.quantize, f16, out + ".part", t, str(os.cpu_count() or 1)],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            os.replace(out + ".part", out)
        os.remove(f16)


if __name__ == "__main__":
    sys.exit(main())
