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


def copy_tokenizer(writer, vocab_path, chat_template):
    """Every tokenizer.* key of llama.cpp's vocabulary file, as it is there."""
    reader = gguf.GGUFReader(vocab_path)
    count = None
    for key, field in reader.fields.items():
        if not key.startswith("tokenizer.") or key == "tokenizer.chat_template":
            continue
        value = field.contents()
        kind = field.types[0]
        if kind == gguf.GGUFValueType.ARRAY:
            writer.add_array(key, value)
            if key == "tokenizer.ggml.tokens":
                count = len(value)
        elif kind == gguf.GGUFValueType.STRING:
            writer.add_string(key, value)
        elif kind == gguf.GGUFValueType.BOOL:
            writer.add_bool(key, value)
        elif kind == gguf.GGUFValueType.FLOAT32:
            writer.add_float32(key, value)
        elif kind in (gguf.GGUFValueType.UINT32, gguf.GGUFValueType.INT32):
            writer.add_uint32(key, int(value))
        else:
            raise SystemExit(f"{vocab_path}: {key}: unexpected value type {kind}")
    writer.add_string("tokenizer.chat_template", chat_template)
    if count is None:
        raise SystemExit(f"{vocab_path}: no tokenizer.ggml.tokens")
    return count


def write_f16(path, spec, vocab_dir):
    rng = np.random.default_rng(spec["seed"])
    arch = spec["arch"]
    writer = gguf.GGUFWriter(path, arch)
    name = os.path.basename(path).rsplit("-f16", 1)[0]
    writer.add_name(name)
    vocab_path = os.path.join(vocab_dir, f"ggml-vocab-{spec['vocab']}.gguf")
    n_vocab = copy_tokenizer(writer, vocab_path, CHATML if arch == "qwen3" else LLAMA3)
    width, ffn, heads, kv, hd = spec["width"], spec["ffn"], spec["heads"], spec["kv_heads"], spec["head_dim"]
    writer.add_context_length(40960 if arch == "qwen3" else 131072)
    writer.add_embedding_length(width)
    writer.add_block_count(spec["layers"])
    writer.add_feed_forward_length(ffn)
    writer.add_head_count(heads)
    writer.add_head_count_kv(kv)
    writer.add_key_length(hd)
    writer.add_value_length(hd)
    writer.add_rope_freq_base(spec["rope_base"])
    writer.add_layer_norm_rms_eps(spec["eps"])
    writer.add_file_type(gguf.LlamaFileType.MOSTLY_F16)

    def weight(rows, cols, scale=0.02):
        # ggml's shape is (cols, rows): numpy arrays are given row-major as [rows][cols].
        return (rng.standard_normal((rows, cols), dtype=np.float32) * scale).astype(np.float16)

    def norm(n):
        return (1.0 + 0.1 * rng.standard_normal(n, dtype=np.float32)).astype(np.float32)

    writer.add_tensor("token_embd.weight", weight(n_vocab, width))
    for i in range(spec["layers"]):
        p = f"blk.{i}."
        writer.add_tensor(p + "attn_norm.weight", norm(width))
        writer.add_tensor(p + "attn_q.weight", weight(heads * hd, width))
        writer.add_tensor(p + "attn_k.weight", weight(kv * hd, width))
        writer.add_tensor(p + "attn_v.weight", weight(kv * hd, width))
        writer.add_tensor(p + "attn_output.weight", weight(width, heads * hd))
        if arch == "qwen3":
            writer.add_tensor(p + "attn_q_norm.weight", norm(hd))
            writer.add_tensor(p + "attn_k_norm.weight", norm(hd))
        writer.add_tensor(p + "ffn_norm.weight", norm(width))
        writer.add_tensor(p + "ffn_gate.weight", weight(ffn, width))
        writer.add_tensor(p + "ffn_up.weight", weight(ffn, width))
        writer.add_tensor(p + "ffn_down.weight", weight(width, ffn))
    writer.add_tensor("output_norm.weight", norm(width))
    if not spec["tied"]:
        writer.add_tensor("output.weight", weight(n_vocab, width))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


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
