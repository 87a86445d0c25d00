// Gated activations evaluated exactly as ggml's CPU backend does (its vectorized exp and SiLU), so
// the feed-forward output — which is quantized to 8 bits before the down projection — matches
// llama.cpp's to the bit. Part of the model's forward pass (Sources/PonderEngine/Model/Blocks.swift).
#pragma once

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// y[i] = silu(gate[i]) * up[i], with the expf polynomial of ggml's build for this ISA (ggml_v_expf /
/// ggml_v_silu: AVX-512's on 16-lane groups, and in the portable path; AVX2's on 8-lane groups) and
/// x / (1 + expf(-x)) on the remainder, as ggml_vec_swiglu_f32.
void pk_swiglu_ggml(int isa, float *y, const float *gate, const float *up, int64_t n);

#ifdef __cplusplus
}
#endif
