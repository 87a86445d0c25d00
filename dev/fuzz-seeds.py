#!/usr/bin/env python3
"""Writes the starting corpus of each fuzz target into DIR/<target>/ (make fuzz).

Seeds are real inputs of each kind: a small but complete llama GGUF written here with the
`gguf` package (fixed seed; 300-token BPE vocabulary, one layer), llama.cpp's chat templates,
the recorded server streams and transcripts in the repository, the bundled themes. Nothing
here is committed: the corpus is rebuilt from the repository and the peers on every run.

usage: fuzz-seeds.py DIR TEMPLATES_DIR
"""
import glob
import json
import os
import shutil
import sys

import numpy as np
import gguf


def tiny_gguf(path):
    rng = np.random.default_rng(7)
    writer = gguf.GGUFWriter(path, "llama")
    dim, ffn, heads, vocab = 16, 32, 2, 300
    writer.add_block_count(1)
    writer.add_context_length(64)
    writer.add_embedding_length(dim)
    writer.add_feed_forward_length(ffn)
    writer.add_head_count(heads)
    writer.add_head_count_kv(heads)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre("default")
    # GPT-2's byte-level alphabet: printable bytes stand for themselves, the rest for U+0100 onwards.
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAD)) + list(range(0xAE, 0x100))
    alphabet, extra = [], 0
    for b in range(256):
        if b in printable:
            alphabet.append(chr(b))
        else:
            alphabet.append(chr(256 + extra))
            extra += 1
    tokens = ["<s>", "</s>", "<|im_start|>", "<|im_end|>"] + alphabet + ["to", "tok"]
    while len(tokens) < vocab:
        tokens.append("w%d" % len(tokens))
    writer.add_token_list(tokens[:vocab])
    writer.add_token_types([3, 3, 3, 3] + [1] * (vocab - 4))
    writer.add_token_merges(["t o", "to k"])
    writer.add_bos_token_id(0)
    writer.add_eos_token_id(1)
    writer.add_chat_template("{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}"
                             "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")

    def tensor(name, *shape):
        writer.add_tensor(name, rng.standard_normal(shape).astype(np.float32) * 0.1)

    tensor("token_embd.weight", vocab, dim)
    tensor("output_norm.weight", dim)
    tensor("blk.0.attn_norm.weight", dim)
    tensor("blk.0.attn_q.weight", dim, dim)
    tensor("blk.0.attn_k.weight", dim, dim)
    tensor("blk.0.attn_v.weight", dim, dim)
    tensor("blk.0.attn_output.weight", dim, dim)
    tensor("blk.0.ffn_norm.weight", dim)
    tensor("blk.0.ffn_gate.weight", ffn, dim)
    tensor("blk.0.ffn_up.weight", ffn, dim)
    tensor("blk.0.ffn_down.weight", dim, ffn)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def main():
    out, templates = sys.argv[1], sys.argv[2]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

    def seeds(target, paths):
        folder = os.path.join(out, target)
        os.makedirs(folder, exist_ok=True)
        for path in paths:
            shutil.copy(path, os.path.join(folder, "seed-" + os.path.basename(path)))

    os.makedirs(os.path.join(out, "gguf"), exist_ok=True)
    tiny_gguf(os.path.join(out, "gguf", "seed-tiny-llama.gguf"))
    seeds("template", sorted(glob.glob(os.path.join(templates, "*.jinja"))))
    streams = sorted(glob.glob(os.path.join(root, "Tests/Fixtures/llama-server/*.sse")))
    seeds("sse", streams)
    seeds("think", streams)
    seeds("transcript", sorted(glob.glob(os.path.join(root, "Transcripts/*.json"))))
    seeds("theme", sorted(glob.glob(os.path.join(root, "Themes/*.toml"))))
    seeds("config", sorted(glob.glob(os.path.join(root, "Themes/*.toml")))[:2])
    os.makedirs(os.path.join(out, "ndjson"), exist_ok=True)
    with open(os.path.join(out, "ndjson", "seed-ollama.ndjson"), "w") as f:
        for piece in ["Hm", ", a colour"]:
            f.write(json.dumps({"model": "qwen3", "message": {"role": "assistant", "content": "", "thinking": piece}, "done": False}) + "\n")
        f.write(json.dumps({"model": "qwen3", "message": {"role": "assistant", "content": "Blue."}, "done": False}) + "\n")
        f.write(json.dumps({"model": "qwen3", "message": {"role": "assistant", "content": ""}, "done": True, "done_reason": "stop",
                            "prompt_eval_count": 12, "prompt_eval_duration": 1000000, "eval_count": 5, "eval_duration": 2000000}) + "\n")
    with open(os.path.join(out, "config", "seed-config.toml"), "w") as f:
        f.write('backend = "local"\n\n[servers.local]\nurl = "http://127.0.0.1:8080"\nthink-style = "auto"\ndeadline = 600\n\n'
                '[think]\nmode = "on"\nbudget = 512\n\n[sampler]\ntemperature = 0.6\ntop-k = 20\n')
    os.makedirs(os.path.join(out, "model-list"), exist_ok=True)
    with open(os.path.join(root, "Tests/Fixtures/llama-server/models.json"), "rb") as f:
        listed = f.read()
    with open(os.path.join(out, "model-list", "seed-llama-server"), "wb") as f:
        f.write(b"\x00" + listed)  # an even first byte: /v1/models
    with open(os.path.join(out, "model-list", "seed-ollama"), "wb") as f:
        f.write(b"\x01" + json.dumps({"models": [{"name": "gemma3", "size": 3338801804, "details": {
            "parameter_size": "4.3B", "quantization_level": "Q4_K"}}]}).encode())
    os.makedirs(os.path.join(out, "serve-request"), exist_ok=True)
    for name, body in {
        "stream": {"model": "m", "stream": True, "stream_options": {"include_usage": True},
                   "messages": [{"role": "system", "content": "Be brief."},
                                {"role": "user", "content": [{"type": "text", "text": "Hi"}]},
                                {"role": "assistant", "content": "Hello", "reasoning_content": "greet"},
                                {"role": "user", "content": "Is 91 prime?"}],
                   "max_tokens": 64, "temperature": 0.7, "top_p": 0.9, "seed": 7},
        "thinking": {"messages": [{"role": "user", "content": "Hi"}], "chat_template_kwargs": {"enable_thinking": True},
                     "reasoning_effort": "high", "thinking_budget_tokens": 128, "n": 1, "stop": [], "top_k": 40,
                     "min_p": 0.05, "repeat_penalty": 1.1, "repeat_last_n": 64}}.items():
        with open(os.path.join(out, "serve-request", "seed-" + name + ".json"), "w") as f:
            json.dump(body, f)
    os.makedirs(os.path.join(out, "input"), exist_ok=True)
    for name, data in {"keys": b"hello\x1b[A\x1b[1;5C\x14\x1bOP\x7f\r",
                       "paste": b"\x1b[200~pasted\ntext\x1b[201~",
                       "mouse": b"\x1b[<0;10;5M\x1b[<64;3;3M\x1b[<0;10;5m"}.items():
        with open(os.path.join(out, "input", "seed-" + name), "wb") as f:
            f.write(data)
    os.makedirs(os.path.join(out, "tokenizer"), exist_ok=True)
    with open(os.path.join(out, "tokenizer", "seed-text"), "w") as f:
        f.write("Hello wörld! <|im_start|>user\n漢字 🧠 1234 <think>x</think>")


if __name__ == "__main__":
    main()
