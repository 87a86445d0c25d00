// Attention over an F16 KV cache, computed as llama.cpp's CPU flash-attention kernel does
// (ggml_compute_forward_flash_attn_ext_f16_one_chunk): the query is rounded to F16, scores are
// F16 dot products, and the weighted values are accumulated in an F16 accumulator with an
// online softmax. Part of the model's forward pass (Sources/PonderEngine/Model/Attention.swift).
#pragma once

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Converts n floats to F16 bit patterns (round to nearest even), as ggml stores the KV cache.
void pk_attn_f32_to_f16(int isa, const float *src, uint16_t *dst, int64_t n);

/// Converts n F16 bit patterns to floats.
void pk_attn_f16_to_f32(int isa, const uint16_t *src, float *dst, int64_t n);

/// One query head attending over cached positions [first, last].
///
/// - q: dk floats. keys/values: position 0 of this head's slice (F16); position t starts
///   t * key_stride (value_stride) elements further.
/// - scratch: at least dk + dv uint16 values of working memory.
/// - out: dv floats, softmax(q·Kᵀ·scale)·V.
void pk_attn_head_f16(int isa, const float *q, const uint16_t *keys, int64_t key_stride, const uint16_t *values,
                      int64_t value_stride, int64_t first, int64_t last, int64_t dk, int64_t dv, float scale,
                      uint16_t *scratch, float *out);

/// Floats of scratch memory pk_attn_qtile_f32 needs.
size_t pk_attn_qtile_scratch_floats(int64_t dk, int64_t dv);

/// Up to 64 consecutive queries of one head (positions pos0 ..< pos0 + n_q, row i at q + i * q_stride)
/// attending causally over the cache (window > 0: only the last `window` positions), with the
/// arithmetic llama.cpp uses for batches of 64 or more queries (attention_tiled.c): F32 query,
/// F32 scores and values in 64-position tiles. out row i at out + i * out_stride.
void pk_attn_qtile_f32(int isa, const float *q, int64_t q_stride, int64_t n_q, int64_t pos0, int64_t window,
                       const uint16_t *keys, int64_t key_stride, const uint16_t *values, int64_t value_stride,
                       int64_t dk, int64_t dv, float scale, float *scratch, float *out, int64_t out_stride);

#ifdef __cplusplus
}
#endif
