#!/usr/bin/env python3
"""Random-weight models with the exact shapes of real ones, for benchmarks at real sizes.

`make bench-models` runs this. Speed depends on a model's shapes and tensor types, not on what its
weights say, so a random-weight file with Qwen3-1.7B's shapes costs what Qwen3-1.7B costs. Each
model is written once in F16 with the Python `gguf` package (numpy, fixed seed), with the real
tokenizer of its family (llama.cpp's vocabulary files), then quantized with llama.cpp's own
`llama-quantize` to each type; the F16 intermediate is deleted afterwards.

    dev/bench-models.py --out DIR --vocab DIR --quantize PATH [--types Q4_K_M,Q4_0,Q8_0] [NAME ...]

The dense shapes (Qwen3-0.6B/1.7B, a Llama-3.2-1B-class model) are written in every --types; the
reasoning models' shapes (SmolLM3-3B, Phi-4-mini, Qwen3-30B-A3B, gpt-oss-20b) in their own type.

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

# The reasoning models of issue 14 with their real layer shapes but fewer layers, so the file and its
# F16 intermediate stay within a few GiB (the per-layer cost is what a benchmark compares; the
# head's share is larger than in the real model). Written in one type each, the one their files
# use. Phi-4-mini's o200k tokenizer and gpt-oss's o200k_harmony are not among llama.cpp's vocabulary
# files: qwen2's 151,936 tokens stand in for their 200,064 and 201,088 (a 24 % smaller head).
REASONING = {
    # SmolLM3-3B: 12 of 36 layers.
    "smollm3-3b-shape": dict(arch="smollm3", vocab="llama-bpe", layers=12, width=2048, ffn=11008, heads=16,
                             kv_heads=4, head_dim=128, rope_base=5e6, eps=1e-6, tied=True, seed=33,
                             context=65536, types=["Q4_K_M"]),
    # Phi-4-mini(-reasoning): 8 of 32 layers; partial rotary 96 of 128, LongRoPE over 4096.
    "phi4-mini-shape": dict(arch="phi3", vocab="qwen2", layers=8, width=3072, ffn=8192, heads=24, kv_heads=8,
                            head_dim=128, rope_base=1e4, eps=1e-5, tied=True, seed=34, context=131072,
                            rope_dims=96, original_context=4096,
                            attn_factor=float(np.sqrt(1 + np.log(131072 / 4096) / np.log(4096))),
                            sliding_window=262144, types=["Q4_K_M"]),
    # Qwen3-30B-A3B: 2 of 48 layers; 128 experts of 768, 8 routed; untied head.
    "qwen3-30b-a3b-shape": dict(arch="qwen3moe", vocab="qwen2", layers=2, width=2048, ffn=6144, heads=32,
                                kv_heads=4, head_dim=128, rope_base=1e6, eps=1e-6, tied=False, seed=35,
                                experts=128, experts_used=8, expert_ffn=768, context=40960, types=["Q4_K_M"]),
    # gpt-oss-20b: 2 of 24 layers; 32 experts of 2880, 4 routed, MXFP4 as its files ship.
    "gpt-oss-20b-shape": dict(arch="gpt-oss", vocab="qwen2", layers=2, width=2880, ffn=2880, heads=64,
                              kv_heads=8, head_dim=64, rope_base=150000.0, eps=1e-5, tied=False, seed=36,
                              experts=32, experts_used=4, expert_ffn=2880, context=131072, sliding_window=128,
                              yarn_factor=32.0, yarn_original_context=4096,
                              control_tokens=["<|start|>", "<|channel|>", "<|message|>", "<|end|>", "<|return|>",
                                              "<|call|>", "<|constrain|>"],
                              types=["MXFP4_MOE"]),
}
MODELS.update(REASONING)

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

    def bias(n):
        return (0.02 * rng.standard_normal(n, dtype=np.float32)).astype(np.float32)

    def rope_factors(n, role):
        return (1.0 + np.abs(rng.standard_normal(n, dtype=np.float32) * (8.0 if role == "long" else 0.2))).astype(np.float32)

    arch = spec["arch"]
    context = spec.get("context", 40960 if arch == "qwen3" else 131072)
    write_model(path, os.path.basename(path).rsplit("-f16", 1)[0], dict(spec, context=context),
                os.path.join(vocab_dir, f"ggml-vocab-{spec['vocab']}.gguf"), LLAMA3 if arch == "llama" else CHATML,
                gguf.LlamaFileType.MOSTLY_F16, weight, norm, bias=bias, rope_factors=rope_factors)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--vocab", required=True, help="llama.cpp's models/ folder with ggml-vocab-*.gguf")
    ap.add_argument("--quantize", required=True, help="llama-quantize")
    ap.add_argument("--types", default="Q4_K_M,Q4_0,Q8_0", help="for the dense shapes; the reasoning shapes have their own")
    ap.add_argument("names", nargs="*", default=list(MODELS))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for name in args.names:
        if name not in MODELS:
            raise SystemExit(f"unknown model {name}: expected one of {', '.join(MODELS)}")
        types = MODELS[name].get("types") or args.types.split(",")
        wanted = [t for t in types if not os.path.exists(os.path.join(args.out, f"{name}-{t.lower()}.gguf"))]
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
