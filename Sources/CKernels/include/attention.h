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

/// Most query heads one pk_attn_group_f16 call takes.
#define PK_ATTN_MAX_GROUP 32

/// `heads` query heads that share one key/value head attending over cached positions
/// [first, last], in one pass over the cache (each head's arithmetic is the one-head loop's).
///
/// - q: heads * dk floats (head i at q + i * dk). keys/values: position 0 of the shared head's
///   slice (F16); position t starts t * key_stride (value_stride) elements further.
/// - scratch: at least heads * (dk + dv) uint16 values of working memory.
/// - out: heads * dv floats. Without partials, softmax(q·Kᵀ·scale)·V. With partials (2 * heads
///   floats), the unnormalized F16 accumulators widened, and each head's running maximum and sum
///   at partials[2i], partials[2i + 1]: one chunk of llama.cpp's split-KV decode, for
///   pk_attn_merge_partials.
/// - sinks: NULL, or one logit per head that joins each softmax's denominator with no value
///   (gpt-oss's attention sinks); of a split-KV decode, only the first chunk's call passes them.
void pk_attn_group_f16(int isa, const float *q, int64_t heads, const uint16_t *keys, int64_t key_stride,
                       const uint16_t *values, int64_t value_stride, int64_t first, int64_t last, int64_t dk,
                       int64_t dv, float scale, uint16_t *scratch, const float *sinks, float *out, float *partials);

/// Merges one head's chunks of a split-KV decode in chunk order, as llama.cpp's
/// ggml_flash_attn_ext_reduce_partials: chunk c's (M, S) at partials + c * partial_stride, its
/// accumulator at values + c * value_stride; chunks with S = 0 (all masked) are skipped.
/// out: dv floats, normalized.
void pk_attn_merge_partials(int64_t chunks, int64_t dv, const float *partials, int64_t partial_stride,
                            const float *values, int64_t value_stride, float *out);

/// Floats of scratch memory pk_attn_qtile_f32 needs.
size_t pk_attn_qtile_scratch_floats(int64_t dk, int64_t dv);

/// Up to 64 consecutive queries of one head (positions pos0 ..< pos0 + n_q, row i at q + i * q_stride)
/// attending causally over the cache (window > 0: only the last `window` positions), with the
/// arithmetic llama.cpp uses for batches of 64 or more queries (attention_tiled.c): F32 query,
/// F32 scores and values in 64-position tiles. out row i at out + i * out_stride.
void pk_attn_qtile_f32(int isa, const float *q, int64_t q_stride, int64_t n_q, int64_t pos0, int64_t window,
                       const uint16_t *keys, int64_t key_stride, const uint16_t *values, int64_t value_stride,
                       int64_t dk, int64_t dv, float scale, float *scratch, float *out, int64_t out_stride);

/// pk_attn_qtile_f32 with the head's attention sink (NULL: none): a logit with no value that joins
/// every query's softmax denominator, applied after the last tile as llama.cpp's tiled path does.
void pk_attn_qtile_f32_sink(int isa, const float *q, int64_t q_stride, int64_t n_q, int64_t pos0, int64_t window,
                            const uint16_t *keys, int64_t key_stride, const uint16_t *values, int64_t value_stride,
                            int64_t dk, int64_t dv, float scale, const float *sink, float *scratch, float *out,
                            int64_t out_stride);

#ifdef __cplusplus
}
#endif
