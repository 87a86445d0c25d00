#!/usr/bin/env python3
"""The small random-weight models of the reference tests (qwen2, qwen3, qwen3moe, gpt-oss, smollm3, phi3).

`make models` runs this. No small real qwen2 or qwen3 model ships in a package registry, so these
files exercise the two architectures against llama.cpp instead: random weights (a fixed seed and a
generator that is the same on every machine), 4 layers, width 256, 4 query heads and 2 key/value
heads of 64, FFN 512, RoPE base 1e6, the output head tied to the token embedding, and SmolLM2's
tokenizer (GPT-2 BPE, pre-tokenizer `smollm`) copied from its GGUF, with a ChatML template. Their
text is gibberish; their logits are what matter.

Each model is written in F32 and quantized with llama.cpp's `llama-quantize`:

    tiny-qwen2-q8_0.gguf    qwen2 (q/k/v biases)          Q8_0 + F32
    tiny-qwen3-q8_0.gguf    qwen3 (per-head q/k RMSNorm)  Q8_0 + F32
    tiny-qwen3-q4_k_m.gguf  qwen3                         Q4_K, Q6_K + F32 (Q4_K_M)
    tiny-qwen3-q2_k.gguf    qwen3                         Q2_K, Q3_K, Q6_K + F32 (Q2_K)
    tiny-qwen3-q3_k_m.gguf  qwen3                         Q3_K, Q4_K, Q5_K, Q6_K + F32 (Q3_K_M)
    tiny-qwen3-iq4_nl.gguf  qwen3                         IQ4_NL, Q6_K + F32
    tiny-qwen3-iq4_xs.gguf  qwen3                         IQ4_XS, Q6_K + F32
    tiny-qwen3-q4_0.gguf    qwen3 (llama.cpp repacks Q4_0 on AVX2)  Q4_0, Q6_K + F32
    tiny-smollm3-q8_0.gguf  smollm3 (no RoPE in layer 3)  Q8_0 + F32
    tiny-smollm3-q4_k_m.gguf smollm3                      Q4_K, Q6_K + F32 (Q4_K_M)
    tiny-phi3-q8_0.gguf     phi3 (fused qkv/gate-up, LongRoPE, partial rotary)  Q8_0 + F32
    tiny-phi3-q4_k_m.gguf   phi3                          Q4_K, Q6_K + F32 (Q4_K_M)
    tiny-qwen3moe-q8_0.gguf qwen3moe (8 experts, top 4)   Q8_0 + F32 (router)
    tiny-qwen3moe-q4_k_m.gguf qwen3moe                    Q4_K, Q5_K, Q6_K, Q8_0 + F32 (Q4_K_M)
    tiny-gpt-oss-q8_0.gguf  gpt-oss (sinks, window, YaRN) Q8_0 + F32 (router, biases, sinks)
    tiny-gpt-oss-mxfp4.gguf gpt-oss                       MXFP4 experts, Q8_0 + F32 (MXFP4_MOE)

Their reference outputs (Tests/Fixtures/reference/tiny-*.json) are kept by dev/references.py, which
writes them again from llama-server whenever a model's sha256 is not the one they name.

    dev/tiny-models.py --out DIR --tokenizer SMOLLM2.gguf --quantize LLAMA-QUANTIZE [--templates DIR]
"""
import argparse
import math
import os
import subprocess
import sys

import gguf
import numpy as np

from randomgguf import PortableNormal, write_model

SPEC = dict(layers=4, width=256, ffn=512, heads=4, kv_heads=2, head_dim=64, rope_base=1e6, eps=1e-6,
            context=2048, tied=True)
# The mixture-of-experts models: qwen3moe (qwen3 attention, 8 experts of which the router picks 4,
# weights normalised to sum 1) and gpt-oss (attention biases and sinks, a 128-position window on
# even layers, YaRN rope scaling ×32 over 4096 positions, biased router and experts, the clamped
# SwiGLU; untied output head). gpt-oss keeps its real chat template, with harmony's markers added to
# the vocabulary as control tokens so that a rendered prompt tokenizes as llama.cpp tokenizes it.
MOE_SPEC = dict(SPEC, experts=8, experts_used=4, expert_ffn=256)
OSS_SPEC = dict(MOE_SPEC, rope_base=150000.0, eps=1e-5, context=131072, tied=False, sliding_window=128,
                yarn_factor=32.0, yarn_original_context=4096,
                control_tokens=["<|start|>", "<|channel|>", "<|message|>", "<|end|>", "<|return|>", "<|call|>",
                                "<|constrain|>"])
OSS_TEMPLATE = "openai-gpt-oss-120b.jinja"
# The dense models beyond llama's layout, each with its real chat template: smollm3 (llama's
# tensors; llama.cpp leaves RoPE out of every fourth layer, here layer 3; RoPE base 5e6 as
# SmolLM3-3B's) and phi3 (fused attn_qkv and gate/up, partial rotary over 48 of 64 dimensions as
# Phi-4-mini's 96 of 128, LongRoPE factors; trained for 4096 positions from 1024, so llama-server's
# 2048-token context takes the long factors and the attention factor √(1 + ln 4 / ln 1024); a
# 16-position sliding window in the metadata, which llama.cpp ignores for phi3).
SMOLLM3_SPEC = dict(SPEC, rope_base=5e6, context=65536)
PHI3_SPEC = dict(SPEC, rope_base=10000.0, eps=1e-5, context=4096, rope_dims=48, original_context=1024,
                 attn_factor=math.sqrt(1 + math.log(4096 / 1024) / math.log(1024)), sliding_window=16)
DENSE = {"smollm3": (SMOLLM3_SPEC, "HuggingFaceTB-SmolLM3-3B.jinja"),
         "phi3": (PHI3_SPEC, "microsoft-Phi-3.5-mini-instruct.jinja")}
CHATML = ("{% for m in messages %}{{'<|im_start|>' + m['role'] + '\n' + m['content'] + '<|im_end|>\n'}}"
          "{% endfor %}{% if add_generation_prompt %}{{'<|im_start|>assistant\n'}}{% endif %}")
# (file, architecture, seed, llama-quantize type)
MODELS = [
    ("tiny-qwen2-q8_0.gguf", "qwen2", 2, "Q8_0"),
    ("tiny-qwen3-q8_0.gguf", "qwen3", 3, "Q8_0"),
    ("tiny-qwen3-q4_k_m.gguf", "qwen3", 3, "Q4_K_M"),
    ("tiny-qwen3moe-q8_0.gguf", "qwen3moe", 5, "Q8_0"),
    ("tiny-qwen3moe-q4_k_m.gguf", "qwen3moe", 5, "Q4_K_M"),
    ("tiny-gpt-oss-q8_0.gguf", "gpt-oss", 6, "Q8_0"),
    ("tiny-gpt-oss-mxfp4.gguf", "gpt-oss", 6, "MXFP4_MOE"),
    ("tiny-qwen3-q2_k.gguf", "qwen3", 3, "Q2_K"),
    ("tiny-qwen3-q3_k_m.gguf", "qwen3", 3, "Q3_K_M"),
    ("tiny-qwen3-iq4_nl.gguf", "qwen3", 3, "IQ4_NL"),
    ("tiny-qwen3-iq4_xs.gguf", "qwen3", 3, "IQ4_XS"),
    ("tiny-qwen3-q4_0.gguf", "qwen3", 3, "Q4_0"),
    ("tiny-smollm3-q8_0.gguf", "smollm3", 7, "Q8_0"),
    ("tiny-smollm3-q4_k_m.gguf", "smollm3", 7, "Q4_K_M"),
    ("tiny-phi3-q8_0.gguf", "phi3", 8, "Q8_0"),
    ("tiny-phi3-q4_k_m.gguf", "phi3", 8, "Q4_K_M"),
]


def write_f32(path, arch, seed, tokenizer, templates):
    normal = PortableNormal(seed)

    def draw(shape, deviation):
        return (normal(int(np.prod(shape))) * deviation).astype(np.float32).reshape(shape)

    spec, template = {"qwen3moe": (MOE_SPEC, CHATML), "gpt-oss": (OSS_SPEC, None)}.get(arch, (SPEC, CHATML))
    if template is None:
        if not templates:
            raise SystemExit(f"{arch}: --templates (llama.cpp's chat templates) is needed for {OSS_TEMPLATE}")
        with open(os.path.join(templates, OSS_TEMPLATE)) as f:
            template = f.read()
    if arch in DENSE:
        spec, name = DENSE[arch]
        if not templates:
            raise SystemExit(f"{arch}: --templates (llama.cpp's chat templates) is needed for {name}")
        with open(os.path.join(templates, name)) as f:
            template = f.read()
    # Deviations of a trained small model's layers; norms near 1 so their weights matter.
    write_model(path, model_name(arch), dict(spec, arch=arch), tokenizer, template,
                gguf.LlamaFileType.ALL_F32,
                weight=lambda rows, cols, role: draw((rows, cols), 0.3 if role == "embedding" else 0.15),
                norm=lambda n: 1.0 + draw((n,), 0.1),
                bias=lambda n: draw((n,), 0.1),
                # LongRoPE factors ≥ 1 (real long ones reach tens; short ones stay near 1).
                rope_factors=lambda n, role: 1.0 + np.abs(draw((n,), 8.0 if role == "long" else 0.2)))


def model_name(arch):
    # Not "phi3": llama.cpp changes the special tokens' attributes for a model named phi3 or phi-3
    # (llama-vocab.cpp) and then wants a "</s>" token, which SmolLM2's vocabulary lacks.
    return f"tiny random {'Phi-4-mini-layout phi' if arch == 'phi3' else arch} (dev/tiny-models.py)"


def written_here(path, arch):
    """Whether a file already there is this script's (a copy from elsewhere is written again).

    Reads the leading string-valued keys only (general.name is among the first), not the whole
    vocabulary, so the check costs nothing in every `make test`."""
    with open(path, "rb") as f:
        head = f.read(4096)
    if head[:4] != b"GGUF":
        return False
    offset, count = 24, int.from_bytes(head[16:24], "little")
    for _ in range(min(count, 8)):
        length = int.from_bytes(head[offset:offset + 8], "little")
        key = head[offset + 8:offset + 8 + length]
        offset += 8 + length
        if int.from_bytes(head[offset:offset + 4], "little") != 8:  # not a string: stop looking
            return False
        size = int.from_bytes(head[offset + 4:offset + 12], "little")
        value = head[offset + 12:offset + 12 + size]
        offset += 12 + size
        if key == b"general.name":
            return value == model_name(arch).encode()
    return False


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--tokenizer", required=True, help="SmolLM2-135M-Instruct GGUF (its tokenizer is copied)")
    ap.add_argument("--quantize", required=True, help="llama-quantize")
    ap.add_argument("--templates", help="llama.cpp's chat templates (for gpt-oss's)")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)

    f32 = {}
    for file, arch, seed, qtype in MODELS:
        out = os.path.join(args.out, file)
        if os.path.exists(out) and written_here(out, arch):
            continue
        if arch not in f32:
            f32[arch] = os.path.join(args.out, f"tiny-{arch}-f32.gguf")
            print(f"{file}: writing F32 weights", flush=True)
            write_f32(f32[arch] + ".part", arch, seed, args.tokenizer, args.templates)
            os.replace(f32[arch] + ".part", f32[arch])
        print(f"{file}: llama-quantize {qtype}", flush=True)
        subprocess.run([args.quantize, f32[arch], out + ".part", qtype, "2"], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.replace(out + ".part", out)
    for path in f32.values():
        os.remove(path)

if __name__ == "__main__":
    sys.exit(main())
