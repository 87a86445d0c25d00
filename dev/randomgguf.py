"""Random-weight GGUF models written with the Python `gguf` package, for tests and benchmarks.

Used by dev/tiny-models.py (the small qwen2/qwen3/qwen3moe/gpt-oss models the reference tests
check against llama.cpp) and dev/bench-models.py (models with real shapes, for speed). A model is a `spec`
(architecture and sizes) and three functions that draw its weights; the tokenizer is copied from
any GGUF file that has one.
"""
import gguf
import numpy as np


def copy_tokenizer(writer, vocab_path, chat_template, control_tokens=(), overrides=None):
    """Every tokenizer.* key of a GGUF file, as it is there, with `chat_template` instead of its own.

    `control_tokens` are appended to the vocabulary as control tokens (a chat format's markers the
    copied vocabulary lacks); `overrides` replaces keys' values (e.g. `add_bos_token`, an eos id), or adds them.
    Returns the vocabulary's size."""
    reader = gguf.GGUFReader(vocab_path)
    overrides = overrides or {}
    count = None
    for key, field in reader.fields.items():
        if not key.startswith("tokenizer.") or key == "tokenizer.chat_template":
            continue
        value = field.contents()
        kind = field.types[0]
        if key == "tokenizer.ggml.tokens":
            value = list(value) + list(control_tokens)
        elif key == "tokenizer.ggml.token_type":
            value = list(value) + [gguf.TokenType.CONTROL] * len(control_tokens)
        elif key == "tokenizer.ggml.scores" and control_tokens:
            raise SystemExit(f"{vocab_path}: control tokens cannot be added to a vocabulary with scores")
        if key in overrides:
            value = overrides.pop(key)
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
    for key, value in overrides.items():  # keys the copied vocabulary lacks are added
        if isinstance(value, bool):
            writer.add_bool(key, value)
        elif isinstance(value, int):
            writer.add_uint32(key, value)
        else:
            raise SystemExit(f"{vocab_path}: no {key} to override")
    writer.add_string("tokenizer.chat_template", chat_template)
    if count is None:
        raise SystemExit(f"{vocab_path}: no tokenizer.ggml.tokens")
    return count


def write_model(path, name, spec, vocab_path, chat_template, file_type, weight, norm, bias=None,
                rope_factors=None):
    """Writes a llama/qwen2/qwen3/qwen3moe/gpt-oss model to `path`.

    `spec`: arch, layers, width, ffn, heads, kv_heads, head_dim, rope_base, eps, context, tied;
    for the mixture-of-experts architectures also experts, experts_used, expert_ffn, and for
    gpt-oss sliding_window, yarn_factor, yarn_original_context and control_tokens (added to the
    copied vocabulary).
    `weight(rows, cols, role)` returns a [rows][cols] array (ggml's shape is (cols, rows));
    `norm(n)` a norm's weights; `bias(n)` a qwen2 q/k/v bias (and gpt-oss's biases and attention
    sinks). They are called in the order the tensors are written, so a seeded generator gives the
    same file every time; an expert tensor is drawn expert by expert.
    smollm3 is llama's layout (llama.cpp itself leaves RoPE out of every fourth layer); phi3 (see
    write_phi3_layer) also needs rope_dims, original_context, attn_factor and sliding_window in
    `spec`, and `rope_factors(n, role)` draws its LongRoPE factors (role "long" or "short")."""
    arch = spec["arch"]
    writer = gguf.GGUFWriter(path, arch)
    writer.add_name(name)
    if arch == "gpt-oss":
        # Harmony's markers as control tokens; no BOS (gpt-oss adds none), <|return|> ends a reply.
        base = len(gguf.GGUFReader(vocab_path).fields["tokenizer.ggml.tokens"].data)
        tokens = list(spec["control_tokens"])
        n_vocab = copy_tokenizer(writer, vocab_path, chat_template, tokens, {
            "tokenizer.ggml.add_bos_token": False,
            "tokenizer.ggml.eos_token_id": base + tokens.index("<|return|>")})
    else:
        n_vocab = copy_tokenizer(writer, vocab_path, chat_template)
    width, ffn, heads, kv, hd = spec["width"], spec["ffn"], spec["heads"], spec["kv_heads"], spec["head_dim"]
    writer.add_context_length(spec["context"])
    writer.add_embedding_length(width)
    writer.add_block_count(spec["layers"])
    writer.add_feed_forward_length(ffn)
    writer.add_head_count(heads)
    writer.add_head_count_kv(kv)
    writer.add_key_length(hd)
    writer.add_value_length(hd)
    writer.add_rope_freq_base(spec["rope_base"])
    writer.add_layer_norm_rms_eps(spec["eps"])
    writer.add_file_type(file_type)
    if arch in ("qwen3moe", "gpt-oss"):
        writer.add_expert_count(spec["experts"])
        writer.add_expert_used_count(spec["experts_used"])
        writer.add_expert_feed_forward_length(spec["expert_ffn"])
    if arch == "gpt-oss":
        writer.add_sliding_window(spec["sliding_window"])
        writer.add_rope_scaling_type(gguf.RopeScalingType.YARN)
        writer.add_rope_scaling_factor(spec["yarn_factor"])
        writer.add_rope_scaling_orig_ctx_len(spec["yarn_original_context"])

    if arch == "phi3":
        writer.add_rope_dimension_count(spec["rope_dims"])
        writer.add_rope_scaling_orig_ctx_len(spec["original_context"])
        writer.add_rope_scaling_attn_factors(spec["attn_factor"])
        writer.add_sliding_window(spec["sliding_window"])

    writer.add_tensor("token_embd.weight", weight(n_vocab, width, "embedding"))
    if arch == "phi3":
        writer.add_tensor("rope_factors_long.weight", rope_factors(spec["rope_dims"] // 2, "long"))
        writer.add_tensor("rope_factors_short.weight", rope_factors(spec["rope_dims"] // 2, "short"))
    for i in range(spec["layers"]):
        p = f"blk.{i}."
        if arch == "phi3":
            write_phi3_layer(writer, p, spec, weight, norm)
            continue
        if arch in ("qwen3moe", "gpt-oss"):
            write_moe_layer(writer, p, spec, weight, norm, bias)
            continue
        writer.add_tensor(p + "attn_norm.weight", norm(width))
        writer.add_tensor(p + "attn_q.weight", weight(heads * hd, width, "layer"))
        writer.add_tensor(p + "attn_k.weight", weight(kv * hd, width, "layer"))
        writer.add_tensor(p + "attn_v.weight", weight(kv * hd, width, "layer"))
        if arch == "qwen2":
            writer.add_tensor(p + "attn_q.bias", bias(heads * hd))
            writer.add_tensor(p + "attn_k.bias", bias(kv * hd))
            writer.add_tensor(p + "attn_v.bias", bias(kv * hd))
        writer.add_tensor(p + "attn_output.weight", weight(width, heads * hd, "layer"))
        if arch == "qwen3":
            writer.add_tensor(p + "attn_q_norm.weight", norm(hd))
            writer.add_tensor(p + "attn_k_norm.weight", norm(hd))
        writer.add_tensor(p + "ffn_norm.weight", norm(width))
        writer.add_tensor(p + "ffn_gate.weight", weight(ffn, width, "layer"))
        writer.add_tensor(p + "ffn_up.weight", weight(ffn, width, "layer"))
        writer.add_tensor(p + "ffn_down.weight", weight(width, ffn, "layer"))
    writer.add_tensor("output_norm.weight", norm(width))
    if not spec["tied"]:
        writer.add_tensor("output.weight", weight(n_vocab, width, "output"))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def write_moe_layer(writer, p, spec, weight, norm, bias):
    """One qwen3moe or gpt-oss block: attention as qwen3's (q/k norms) or gpt-oss's (biases and a
    sink logit per head), then a router over `experts` experts, each a gated FFN of `expert_ffn`.
    An expert tensor is [experts][rows][cols] (ggml's shape (cols, rows, experts))."""
    arch = spec["arch"]
    width, heads, kv, hd = spec["width"], spec["heads"], spec["kv_heads"], spec["head_dim"]
    experts, ffn = spec["experts"], spec["expert_ffn"]
    oss = arch == "gpt-oss"

    def stacked(rows, cols):
        return np.stack([weight(rows, cols, "expert") for _ in range(experts)])

    writer.add_tensor(p + "attn_norm.weight", norm(width))
    for name, rows in (("attn_q", heads * hd), ("attn_k", kv * hd), ("attn_v", kv * hd)):
        writer.add_tensor(p + name + ".weight", weight(rows, width, "layer"))
        if oss:
            writer.add_tensor(p + name + ".bias", bias(rows))
    writer.add_tensor(p + "attn_output.weight", weight(width, heads * hd, "layer"))
    if oss:
        writer.add_tensor(p + "attn_output.bias", bias(width))
        writer.add_tensor(p + "attn_sinks.weight", bias(heads) * 10)
        writer.add_tensor(p + "post_attention_norm.weight", norm(width))
    else:
        writer.add_tensor(p + "attn_q_norm.weight", norm(hd))
        writer.add_tensor(p + "attn_k_norm.weight", norm(hd))
        writer.add_tensor(p + "ffn_norm.weight", norm(width))
    writer.add_tensor(p + "ffn_gate_inp.weight", weight(experts, width, "router"))
    if oss:
        writer.add_tensor(p + "ffn_gate_inp.bias", bias(experts))
    for name, rows, cols in (("ffn_gate_exps", ffn, width), ("ffn_up_exps", ffn, width),
                             ("ffn_down_exps", width, ffn)):
        writer.add_tensor(p + name + ".weight", stacked(rows, cols))
        if oss:
            writer.add_tensor(p + name + ".bias", np.stack([bias(rows) for _ in range(experts)]))


def write_phi3_layer(writer, p, spec, weight, norm):
    """One phi3 block: q, k and v fused into `attn_qkv` (rows q, then k, then v) and the FFN's
    gate and up fused into `ffn_up` (the gate's rows first), as Phi-3/Phi-4-mini files hold them."""
    width, ffn, heads, kv, hd = spec["width"], spec["ffn"], spec["heads"], spec["kv_heads"], spec["head_dim"]
    writer.add_tensor(p + "attn_norm.weight", norm(width))
    writer.add_tensor(p + "attn_qkv.weight", weight((heads + 2 * kv) * hd, width, "layer"))
    writer.add_tensor(p + "attn_output.weight", weight(width, heads * hd, "layer"))
    writer.add_tensor(p + "ffn_norm.weight", norm(width))
    writer.add_tensor(p + "ffn_up.weight", weight(2 * ffn, width, "layer"))
    writer.add_tensor(p + "ffn_down.weight", weight(width, ffn, "layer"))


class PortableNormal:
    """Roughly normal values (mean 0, deviation 1, within ±3.5) that are the same on every machine
    and every numpy version: the sum of four 16-bit pieces of PCG64's raw output, whose stream
    numpy guarantees, with integer arithmetic and one exact scaling (numpy's own distributions
    may change between versions, and its log and cos between CPUs)."""

    def __init__(self, seed):
        self.bits = np.random.PCG64(seed)

    def __call__(self, count):
        raw = self.bits.random_raw(count)
        total = np.zeros(count, dtype=np.int64)
        for shift in (0, 16, 32, 48):
            total += ((raw >> np.uint64(shift)) & np.uint64(0xFFFF)).astype(np.int64)
        # Four uniform 16-bit values: mean 4 * 32767.5, variance 4 * (65536^2 - 1) / 12.
        centred = total * 2 - 4 * 65535  # twice the distance from the mean, an exact integer
        return centred.astype(np.float64) / (2 * 37837.23)
