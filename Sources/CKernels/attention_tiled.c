// Attention for batches of 64 or more queries, as llama.cpp's CPU flash attention computes them
// (ggml_compute_forward_flash_attn_ext_tiled, taken when the batch has GGML_FA_TILE_Q = 64 or
// more queries). Unlike the one-query path (attention_f16.c) nothing is rounded to F16 but the
// cache itself: per 64-key tile of the cache (tiles start at multiples of 64 positions),
//
//     kq[t]  = fma chain over d of q[d] · k[t][d], from 0     (simd_gemm, keys widened to F32)
//     kq    *= scale;  kq = -inf where t is not visible
//     M'     = max(M, max kq);  if M' > M: vkq *= expf(M - M'), S *= expf(M - M')
//     kq[t]  = ggml_v_expf(kq[t] - M');  S = (float)(S + Σ kq)   (Σ: per 16 lanes, reduce_add
//                                                                  order, added in double)
//     vkq[d] = fma chain over t of kq[t] · v[t][d], onto vkq    (simd_gemm)
//
// and out = vkq · (1 / S). Each query row is one independent chain, so a group of queries shares
// the widened key and value tiles. ggml's AVX-512 build is the reference; every level here does
// its per-element arithmetic (the scalar path with fmaf and a lane-exact ggml_v_expf) — except the
// softmax step on an AVX2 machine, which follows ggml's AVX2 build there: its ggml_v_expf rounds
// differently and its sum adds 8 lanes at a time in another order.
#include <math.h>
#include <string.h>

#include "attention.h"
#include "expf_ggml.h"
#include "internal.h"

#if PK_X86
#include <immintrin.h>
#endif

#define PK_FA_TILE 64

static inline float tiled_h2f(uint16_t h) { return pk_half_to_float(h); }


/// _mm512_reduce_add_ps's association over 16 lanes (GCC): halves of 8, of 4, then (0+2, 1+3).
static inline float tiled_reduce16(const float *v) {
    float a[8], b[4];
    for (int i = 0; i < 8; i++) a[i] = v[i] + v[i + 8];
    for (int i = 0; i < 4; i++) b[i] = a[i] + a[i + 4];
    return (b[0] + b[2]) + (b[1] + b[3]);
}

/// ggml's AVX2 horizontal sum of 8 lanes (high half onto low, then movehl, then movehdup).
static inline float tiled_reduce8(const float *v) {
    const float a0 = v[0] + v[4], a1 = v[1] + v[5], a2 = v[2] + v[6], a3 = v[3] + v[7];
    return (a0 + a2) + (a1 + a3);
}

#if PK_X86
/// kq[0..64) = e^(kq - m) 8 lanes at a time, as ggml_vec_soft_max_f32 in ggml's AVX2 build.
PK_TARGET_AVX2 static void tiled_exp_avx2(float *kq, float m) {
    const __m256 mm = _mm256_set1_ps(m);
    for (int j = 0; j < PK_FA_TILE; j += 8)
        _mm256_storeu_ps(kq + j, pk_ggml_expf_avx2(_mm256_sub_ps(_mm256_loadu_ps(kq + j), mm)));
}
#endif

size_t pk_attn_qtile_scratch_floats(int64_t dk, int64_t dv) {
    return (size_t)(PK_FA_TILE * dk + PK_FA_TILE * dv + PK_FA_TILE * dv + 2 * PK_FA_TILE + PK_FA_TILE);
}

/// kq[0..64) for one query against the widened key tile kt (kt[d * 64 + t]).
static void tiled_scores_portable(const float *q, const float *kt, int64_t dk, float *kq) {
    for (int t = 0; t < PK_FA_TILE; t++) {
        float acc = 0.0f;
        for (int64_t d = 0; d < dk; d++) acc = fmaf(q[d], kt[d * PK_FA_TILE + t], acc);
        kq[t] = acc;
    }
}

/// vkq[d] = fma chain over t of kq[t] · vt[t][d].
static void tiled_values_portable(const float *kq, const float *vt, int64_t dv, int t0, int t1, float *vkq) {
    for (int64_t d = 0; d < dv; d++) {
        float acc = vkq[d];
        for (int t = t0; t < t1; t++) acc = fmaf(kq[t], vt[t * dv + d], acc);
        vkq[d] = acc;
    }
}

#if PK_X86
PK_TARGET_AVX512 static void tiled_scores_avx512(const float *q, const float *kt, int64_t dk, float *kq) {
    __m512 acc[4] = {_mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps()};
    for (int64_t d = 0; d < dk; d++) {
        const __m512 qd = _mm512_set1_ps(q[d]);
        for (int j = 0; j < 4; j++) acc[j] = _mm512_fmadd_ps(_mm512_loadu_ps(kt + d * PK_FA_TILE + 16 * j), qd, acc[j]);
    }
    for (int j = 0; j < 4; j++) _mm512_storeu_ps(kq + 16 * j, acc[j]);
}

/// kq[0..64) = pk_expf_lane(kq - m), 16 lanes at a time: the same operations as the scalar lane
/// (ggml_v_expf), so the same bits; 2^n is applied with vscalefps, which rounds like ldexpf.
PK_TARGET_AVX512 static void tiled_exp_avx512(float *kq, float m) {
    const __m512 r = _mm512_set1_ps(0x1.8p23f), mm = _mm512_set1_ps(m);
    for (int j = 0; j < PK_FA_TILE; j += 16) {
        const __m512 x = _mm512_sub_ps(_mm512_loadu_ps(kq + j), mm);
        const __m512 z = _mm512_fmadd_ps(x, _mm512_set1_ps(0x1.715476p+0f), r);
        const __m512 n = _mm512_sub_ps(z, r);
        const __m512 negn = _mm512_sub_ps(_mm512_setzero_ps(), n);
        const __m512 b = _mm512_fmadd_ps(negn, _mm512_set1_ps(0x1.7f7d1cp-20f),
                                         _mm512_fmadd_ps(negn, _mm512_set1_ps(0x1.62e4p-1f), x));
        const __m512 u = _mm512_mul_ps(b, b);
        const __m512 jv = _mm512_fmadd_ps(
            _mm512_fmadd_ps(_mm512_fmadd_ps(_mm512_set1_ps(0x1.0e4020p-7f), b, _mm512_set1_ps(0x1.573e2ep-5f)), u,
                            _mm512_fmadd_ps(_mm512_set1_ps(0x1.555e66p-3f), b, _mm512_set1_ps(0x1.fffdb6p-2f))),
            u, _mm512_fmadd_ps(_mm512_set1_ps(0x1.ffffecp-1f), b, _mm512_set1_ps(1.0f)));
        __m512 e = _mm512_scalef_ps(jv, n);
        const __mmask16 big = _mm512_cmp_ps_mask(_mm512_abs_ps(n), _mm512_set1_ps(192.0f), _CMP_GT_OQ);
        const __mmask16 low = _mm512_cmp_ps_mask(n, _mm512_setzero_ps(), _CMP_LE_OQ);
        e = _mm512_mask_blend_ps(big, e, _mm512_mask_blend_ps(low, _mm512_set1_ps(INFINITY), _mm512_setzero_ps()));
        _mm512_storeu_ps(kq + j, e);
    }
}

/// Widens one 64-key tile: kt[d * 64 + t] (transposed, by scatter) and vt[t * dv + d].
PK_TARGET_AVX512 static void tiled_widen_avx512(const uint16_t *keys, int64_t key_stride, const uint16_t *values,
                                                int64_t value_stride, int64_t base, int64_t count, int64_t dk,
                                                int64_t dv, float *kt, float *vt) {
    const __m512i column = _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                                              _mm512_set1_epi32(PK_FA_TILE));
    for (int64_t t = 0; t < count; t++) {
        const uint16_t *k = keys + (base + t) * key_stride;
        int64_t d = 0;
        for (; d + 16 <= dk; d += 16)
            _mm512_i32scatter_ps(kt + d * PK_FA_TILE + t, column,
                                 _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(k + d))), 4);
        for (; d < dk; d++) kt[d * PK_FA_TILE + t] = tiled_h2f(k[d]);
        const uint16_t *v = values + (base + t) * value_stride;
        d = 0;
        for (; d + 16 <= dv; d += 16)
            _mm512_storeu_ps(vt + t * dv + d, _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(v + d))));
        for (; d < dv; d++) vt[t * dv + d] = tiled_h2f(v[d]);
    }
}

/// The AVX2 level of the three loops above: the same fma chain for each element (over d for a
/// score, over t for a value), 8 elements at a time, so the same bits as the portable loops.
PK_TARGET_AVX2 static void tiled_scores_avx2(const float *q, const float *kt, int64_t dk, float *kq) {
    __m256 acc[8];
    for (int j = 0; j < 8; j++) acc[j] = _mm256_setzero_ps();
    for (int64_t d = 0; d < dk; d++) {
        const __m256 qd = _mm256_set1_ps(q[d]);
        for (int j = 0; j < 8; j++) acc[j] = _mm256_fmadd_ps(_mm256_loadu_ps(kt + d * PK_FA_TILE + 8 * j), qd, acc[j]);
    }
    for (int j = 0; j < 8; j++) _mm256_storeu_ps(kq + 8 * j, acc[j]);
}

/// Each output lane is its own fma chain over the keys in order; four chains of 8 lanes advance
/// together so the fma latency is hidden (one chain at a time waited on it: 13 % of Gemma-3's prefill
/// on an AMD EPYC).
PK_TARGET_AVX2 static void tiled_values_avx2(const float *kq, const float *vt, int64_t dv, int t0, int t1, float *vkq) {
    int64_t d = 0;
    for (; d + 32 <= dv; d += 32) {
        __m256 a0 = _mm256_loadu_ps(vkq + d), a1 = _mm256_loadu_ps(vkq + d + 8);
        __m256 a2 = _mm256_loadu_ps(vkq + d + 16), a3 = _mm256_loadu_ps(vkq + d + 24);
        for (int t = t0; t < t1; t++) {
            const __m256 k = _mm256_set1_ps(kq[t]);
            const float *v = vt + t * dv + d;
            a0 = _mm256_fmadd_ps(_mm256_loadu_ps(v), k, a0);
            a1 = _mm256_fmadd_ps(_mm256_loadu_ps(v + 8), k, a1);
            a2 = _mm256_fmadd_ps(_mm256_loadu_ps(v + 16), k, a2);
            a3 = _mm256_fmadd_ps(_mm256_loadu_ps(v + 24), k, a3);
        }
        _mm256_storeu_ps(vkq + d, a0);
        _mm256_storeu_ps(vkq + d + 8, a1);
        _mm256_storeu_ps(vkq + d + 16, a2);
        _mm256_storeu_ps(vkq + d + 24, a3);
    }
    for (; d + 8 <= dv; d += 8) {
        __m256 acc = _mm256_loadu_ps(vkq + d);
        for (int t = t0; t < t1; t++) acc = _mm256_fmadd_ps(_mm256_loadu_ps(vt + t * dv + d), _mm256_set1_ps(kq[t]), acc);
        _mm256_storeu_ps(vkq + d, acc);
    }
    for (; d < dv; d++) {
        float acc = vkq[d];
        for (int t = t0; t < t1; t++) acc = fmaf(kq[t], vt[t * dv + d], acc);
        vkq[d] = acc;
    }
}

/// Widens one 64-key tile with F16C: values row by row, keys transposed through a small buffer.
PK_TARGET_AVX2 static void tiled_widen_avx2(const uint16_t *keys, int64_t key_stride, const uint16_t *values,
                                            int64_t value_stride, int64_t base, int64_t count, int64_t dk,
                                            int64_t dv, float *kt, float *vt) {
    float row[8];
    for (int64_t t = 0; t < count; t++) {
        const uint16_t *k = keys + (base + t) * key_stride;
        int64_t d = 0;
        for (; d + 8 <= dk; d += 8) {
            _mm256_storeu_ps(row, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(k + d))));
            for (int i = 0; i < 8; i++) kt[(d + i) * PK_FA_TILE + t] = row[i];
        }
        for (; d < dk; d++) kt[d * PK_FA_TILE + t] = tiled_h2f(k[d]);
        const uint16_t *v = values + (base + t) * value_stride;
        float *out = vt + t * dv;
        d = 0;
        for (; d + 8 <= dv; d += 8) _mm256_storeu_ps(out + d, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(v + d))));
        for (; d < dv; d++) out[d] = tiled_h2f(v[d]);
    }
}

PK_TARGET_AVX512 static void tiled_values_avx512(const float *kq, const float *vt, int64_t dv, int t0, int t1,
                                                 float *vkq) {
    int64_t d = 0;
    for (; d + 64 <= dv; d += 64) { /* four independent chains, as the AVX2 loop */
        __m512 a[4];
        for (int j = 0; j < 4; j++) a[j] = _mm512_loadu_ps(vkq + d + 16 * j);
        for (int t = t0; t < t1; t++) {
            const __m512 k = _mm512_set1_ps(kq[t]);
            for (int j = 0; j < 4; j++) a[j] = _mm512_fmadd_ps(_mm512_loadu_ps(vt + t * dv + d + 16 * j), k, a[j]);
        }
        for (int j = 0; j < 4; j++) _mm512_storeu_ps(vkq + d + 16 * j, a[j]);
    }
    for (; d + 16 <= dv; d += 16) {
        __m512 acc = _mm512_loadu_ps(vkq + d);
        for (int t = t0; t < t1; t++) acc = _mm512_fmadd_ps(_mm512_loadu_ps(vt + t * dv + d), _mm512_set1_ps(kq[t]), acc);
        _mm512_storeu_ps(vkq + d, acc);
    }
    for (; d < dv; d++) {
        float acc = vkq[d];
        for (int t = t0; t < t1; t++) acc = fmaf(kq[t], vt[t * dv + d], acc);
        vkq[d] = acc;
    }
}
#endif

void pk_attn_qtile_f32(int isa, const float *q, int64_t q_stride, int64_t n_q, int64_t pos0, int64_t window,
                       const uint16_t *keys, int64_t key_stride, const uint16_t *values, int64_t value_stride,
                       int64_t dk, int64_t dv, float scale, float *scratch, float *out, int64_t out_stride) {
    pk_attn_qtile_f32_sink(isa, q, q_stride, n_q, pos0, window, keys, key_stride, values, value_stride, dk, dv, scale,
                           NULL, scratch, out, out_stride);
}

void pk_attn_qtile_f32_sink(int isa, const float *q, int64_t q_stride, int64_t n_q, int64_t pos0, int64_t window,
                            const uint16_t *keys, int64_t key_stride, const uint16_t *values, int64_t value_stride,
                            int64_t dk, int64_t dv, float scale, const float *sink, float *scratch, float *out,
                            int64_t out_stride) {
    if (n_q <= 0) return;
    if (n_q > PK_FA_TILE) n_q = PK_FA_TILE;
    float *kt = scratch;                         // 64 x dk, transposed: kt[d * 64 + t]
    float *vt = kt + PK_FA_TILE * dk;            // 64 x dv
    float *vkq = vt + PK_FA_TILE * dv;           // n_q x dv
    float *M = vkq + PK_FA_TILE * dv, *S = M + PK_FA_TILE;
    float *kq = S + PK_FA_TILE;                  // 64
    for (int64_t i = 0; i < n_q; i++) { M[i] = -INFINITY; S[i] = 0.0f; }
    memset(vkq, 0, (size_t)(n_q * dv) * sizeof(float));
#if PK_X86
    const int wide = isa >= PK_ISA_AVX512;
    const int avx2 = isa == PK_ISA_AVX2;
#else
    const int wide = 0;
    (void)isa;
#endif

    // Positions visible to query i (position pos0 + i): [lo_i, pos0 + i].
    const int64_t last = pos0 + n_q - 1;
    const int64_t lo_first = window > 0 ? (pos0 - window + 1 > 0 ? pos0 - window + 1 : 0) : 0;
    for (int64_t base = lo_first / PK_FA_TILE * PK_FA_TILE; base <= last; base += PK_FA_TILE) {
        const int64_t count = last + 1 - base < PK_FA_TILE ? last + 1 - base : PK_FA_TILE;
#if PK_X86
        if (wide) tiled_widen_avx512(keys, key_stride, values, value_stride, base, count, dk, dv, kt, vt);
        else if (avx2) tiled_widen_avx2(keys, key_stride, values, value_stride, base, count, dk, dv, kt, vt);
        else
#endif
        for (int64_t t = 0; t < count; t++) {
            const uint16_t *k = keys + (base + t) * key_stride;
            for (int64_t d = 0; d < dk; d++) kt[d * PK_FA_TILE + t] = tiled_h2f(k[d]);
            const uint16_t *v = values + (base + t) * value_stride;
            for (int64_t d = 0; d < dv; d++) vt[t * dv + d] = tiled_h2f(v[d]);
        }
        for (int64_t t = count; t < PK_FA_TILE; t++)
            for (int64_t d = 0; d < dk; d++) kt[d * PK_FA_TILE + t] = 0.0f;

        for (int64_t i = 0; i < n_q; i++) {
            const int64_t pos = pos0 + i;
            const int64_t lo = window > 0 ? (pos - window + 1 > 0 ? pos - window + 1 : 0) : 0;
            if (base > pos || base + PK_FA_TILE <= lo) continue;  // sees nothing of this tile
#if PK_X86
            if (wide) tiled_scores_avx512(q + i * q_stride, kt, dk, kq);
            else if (avx2) tiled_scores_avx2(q + i * q_stride, kt, dk, kq);
            else
#endif
                tiled_scores_portable(q + i * q_stride, kt, dk, kq);
            float tile_max = -INFINITY;
            for (int t = 0; t < PK_FA_TILE; t++) {
                const int64_t p = base + t;
                kq[t] = (p >= lo && p <= pos) ? kq[t] * scale : -INFINITY;
                tile_max = kq[t] > tile_max ? kq[t] : tile_max;
            }
            if (tile_max == -INFINITY) continue;
            float *row = vkq + i * dv;
            const float Mnew = fmaxf(M[i], tile_max);
            if (Mnew > M[i]) {
                const float ms = expf(M[i] - Mnew);
                for (int64_t d = 0; d < dv; d++) row[d] *= ms;
                S[i] *= ms;
            }
            M[i] = Mnew;
            double sum = 0.0;
#if PK_X86
            if (avx2) {
                tiled_exp_avx2(kq, Mnew);
                for (int j = 0; j < PK_FA_TILE; j += 8) sum += (double)tiled_reduce8(kq + j);
            } else
#endif
            {
#if PK_X86
                if (wide) tiled_exp_avx512(kq, Mnew);
                else
#endif
                    for (int t = 0; t < PK_FA_TILE; t++) kq[t] = pk_expf_lane(kq[t] - Mnew);
                for (int j = 0; j < PK_FA_TILE; j += 16) sum += (double)tiled_reduce16(kq + j);
            }
            S[i] = (float)((double)S[i] + sum);
            // Invisible keys have weight 0: adding 0 · v changes nothing, so only visible keys are added.
            const int t0 = lo > base ? (int)(lo - base) : 0;
            const int t1 = pos - base + 1 < PK_FA_TILE ? (int)(pos - base + 1) : PK_FA_TILE;
#if PK_X86
            if (wide) tiled_values_avx512(kq, vt, dv, t0, t1, row);
            else if (avx2) tiled_values_avx2(kq, vt, dv, t0, t1, row);
            else
#endif
                tiled_values_portable(kq, vt, dv, t0, t1, row);
        }
    }
    // The sink: a logit with no value, in the denominator only (ggml's tiled path, after the last tile;
    // its compiler contracts S·ms + vs).
    if (sink) {
        for (int64_t i = 0; i < n_q; i++) {
            float ms = 1.0f, vs = 1.0f;
            if (*sink > M[i]) {
                ms = expf(M[i] - *sink);
                for (int64_t d = 0; d < dv; d++) vkq[i * dv + d] *= ms;
            } else {
                vs = expf(*sink - M[i]);
            }
            S[i] = fmaf(S[i], ms, vs);
        }
    }
    for (int64_t i = 0; i < n_q; i++) {
        const float inv = S[i] == 0.0f ? 0.0f : 1.0f / S[i];
        for (int64_t d = 0; d < dv; d++) out[i * out_stride + d] = vkq[i * dv + d] * inv;
    }
}
