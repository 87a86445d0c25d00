// Attention over an F16 KV cache in llama.cpp's flash-attention arithmetic (see attention.h).
//
// Each ISA level mirrors the ggml build for that level, so the roundings and the order of
// additions are the same: ggml's AVX-512 build dots F16 rows with four 16-lane accumulators over
// 64-element steps, its AVX2 build with four 8-lane accumulators over 32-element steps, and its
// plain C build element by element in double.
#include <math.h>
#include <string.h>

#include "attention.h"
#include "internal.h"

#if PK_X86
#include <immintrin.h>
#endif

// MARK: - Portable F16 conversion (IEEE binary16, round to nearest even)

static inline float pk_attn_h2f(uint16_t h) {
    const uint32_t sign = (uint32_t)(h & 0x8000) << 16;
    const uint32_t exp = (h >> 10) & 0x1F, mant = h & 0x3FF;
    uint32_t bits;
    if (exp == 0) {
        if (mant == 0) {
            bits = sign;
        } else {  // subnormal: value = mant * 2^-24
            float f = (float)mant * 5.9604644775390625e-8f;
            memcpy(&bits, &f, 4);
            bits |= sign;
        }
    } else if (exp == 31) {
        bits = sign | 0x7F800000 | (mant << 13);
    } else {
        bits = sign | ((exp + 112) << 23) | (mant << 13);
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

static inline uint16_t pk_attn_f2h(float f) {
    uint32_t x;
    memcpy(&x, &f, 4);
    const uint32_t sign = (x >> 16) & 0x8000;
    const uint32_t mag = x & 0x7FFFFFFF;
    if (mag > 0x7F800000) return (uint16_t)(sign | 0x7E00);   // NaN
    if (mag >= 0x477FF000) return (uint16_t)(sign | 0x7C00);  // rounds beyond 65504: infinity
    if (mag < 0x38800000) {                                   // subnormal or zero: multiple of 2^-24
        float a;
        memcpy(&a, &mag, 4);
        return (uint16_t)(sign | (uint16_t)lrintf(a * 16777216.0f));
    }
    const uint32_t rounded = mag + 0x0FFF + ((mag >> 13) & 1);
    return (uint16_t)(sign | ((rounded - 0x38000000) >> 13));
}

// MARK: - Scalar (ggml without SIMD)

// Prefetches cache position `t` of a group: its key and value rows (dk and dv halves). Rows of one
// head lie kvDim halves apart, too far apart for the hardware's stride prefetchers, so without
// this every position waits for memory.
static inline void attn_prefetch(const uint16_t *k, const uint16_t *v, int64_t dk, int64_t dv) {
    for (int64_t i = 0; i < dk; i += 32) __builtin_prefetch(k + i);
    for (int64_t i = 0; i < dv; i += 32) __builtin_prefetch(v + i);
}

// Positions ahead of the one being read that attn_prefetch asks for.
#define PK_ATTN_PREFETCH_AHEAD 8

// The end of a group's pass: the F16 accumulators normalized into `out`, or (partials) widened
// unnormalized into `out` with each head's (M, S) beside them, for pk_attn_merge_partials.
// With sinks (one logit per head, no value), each head's sink joins the softmax's denominator
// after the accumulators are widened, as ggml does on the first chunk (its compiler contracts
// S·ms + vs).
static void attn_group_finish(int64_t nh, int64_t dv, const uint16_t *acc, const float *M_, const float *S_,
                              const float *sinks, float *out, float *partials) {
    for (int64_t h = 0; h < nh; h++) {
        const uint16_t *a = acc + h * dv;
        float *o = out + h * dv;
        float M = M_[h], S = S_[h];
        for (int64_t d = 0; d < dv; d++) o[d] = pk_attn_h2f(a[d]);
        if (sinks) {
            float ms = 1.0f, vs = 1.0f;
            if (sinks[h] > M) {
                ms = expf(M - sinks[h]);
                M = sinks[h];
                for (int64_t d = 0; d < dv; d++) o[d] *= ms;
            } else {
                vs = expf(sinks[h] - M);
            }
            S = fmaf(S, ms, vs);
        }
        if (partials) {
            partials[2 * h] = M;
            partials[2 * h + 1] = S;
        } else {
            const float inv = S == 0.0f ? 0.0f : 1.0f / S;
            for (int64_t d = 0; d < dv; d++) o[d] *= inv;
        }
    }
}

static void attn_group_scalar(const float *q, int64_t nh, const uint16_t *keys, int64_t ks, const uint16_t *values,
                              int64_t vs_, int64_t first, int64_t last, int64_t dk, int64_t dv, float scale,
                              uint16_t *scratch, const float *sinks, float *out, float *partials) {
    uint16_t *q16 = scratch, *acc = scratch + nh * dk;
    float M[PK_ATTN_MAX_GROUP], S[PK_ATTN_MAX_GROUP];
    for (int64_t i = 0; i < nh * dk; i++) q16[i] = pk_attn_f2h(q[i]);
    memset(acc, 0, (size_t)(nh * dv) * sizeof(uint16_t));
    for (int64_t h = 0; h < nh; h++) S[h] = 0.0f, M[h] = -INFINITY;
    for (int64_t t = first; t <= last; t++) {
        const uint16_t *k = keys + t * ks, *v = values + t * vs_;
        if (t + PK_ATTN_PREFETCH_AHEAD <= last)
            attn_prefetch(k + PK_ATTN_PREFETCH_AHEAD * ks, v + PK_ATTN_PREFETCH_AHEAD * vs_, dk, dv);
        for (int64_t h = 0; h < nh; h++) {
            uint16_t *ah = acc + h * dv;
            const uint16_t *qh = q16 + h * dk;
            double dot = 0.0;
            for (int64_t i = 0; i < dk; i++) dot += (double)(pk_attn_h2f(k[i]) * pk_attn_h2f(qh[i]));
            const float s = (float)dot * scale;
            const float Mold = M[h];
            float ms = 1.0f, w = 1.0f;
            if (s > M[h]) {
                M[h] = s;
                ms = expf(Mold - s);
                for (int64_t i = 0; i < dv; i++) ah[i] = pk_attn_f2h(pk_attn_h2f(ah[i]) * ms);
            } else {
                w = expf(s - M[h]);
            }
            for (int64_t i = 0; i < dv; i++) ah[i] = pk_attn_f2h(pk_attn_h2f(ah[i]) + pk_attn_h2f(v[i]) * w);
            S[h] = S[h] * ms + w;
        }
    }
    attn_group_finish(nh, dv, acc, M, S, sinks, out, partials);
}

#if PK_X86

// MARK: - AVX2 (ggml's __AVX__ + F16C + FMA build)

PK_TARGET_AVX2 static float dot_f16_avx2(const uint16_t *x, const uint16_t *y, int64_t n) {
    __m256 sum[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
    const int64_t np = n & ~(int64_t)31;
    for (int64_t i = 0; i < np; i += 32) {
        for (int j = 0; j < 4; j++) {
            const __m256 ax = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(x + i + 8 * j)));
            const __m256 ay = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(y + i + 8 * j)));
            sum[j] = _mm256_fmadd_ps(ax, ay, sum[j]);
        }
    }
    sum[0] = _mm256_add_ps(sum[0], sum[2]);
    sum[1] = _mm256_add_ps(sum[1], sum[3]);
    sum[0] = _mm256_add_ps(sum[0], sum[1]);
    const __m128 t0 = _mm_add_ps(_mm256_castps256_ps128(sum[0]), _mm256_extractf128_ps(sum[0], 1));
    const __m128 t1 = _mm_hadd_ps(t0, t0);
    double sumf = (double)_mm_cvtss_f32(_mm_hadd_ps(t1, t1));
    for (int64_t i = np; i < n; i++) sumf += (double)(pk_attn_h2f(x[i]) * pk_attn_h2f(y[i]));
    return (float)sumf;
}

PK_TARGET_AVX2 static void scale_f16_avx2(uint16_t *y, float v, int64_t n) {
    const __m256 vx = _mm256_set1_ps(v);
    const int64_t np = n & ~(int64_t)15;
    for (int64_t i = 0; i < np; i += 8) {
        const __m256 a = _mm256_mul_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(y + i))), vx);
        _mm_storeu_si128((__m128i *)(y + i), _mm256_cvtps_ph(a, 0));
    }
    for (int64_t i = np; i < n; i++) y[i] = pk_attn_f2h(pk_attn_h2f(y[i]) * v);
}

PK_TARGET_AVX2 static void mad_f16_avx2(uint16_t *y, const uint16_t *x, float v, int64_t n) {
    const __m256 vx = _mm256_set1_ps(v);
    const int64_t np = n & ~(int64_t)31;
    for (int64_t i = 0; i < np; i += 8) {
        const __m256 ax = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(x + i)));
        const __m256 ay = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(y + i)));
        _mm_storeu_si128((__m128i *)(y + i), _mm256_cvtps_ph(_mm256_fmadd_ps(ax, vx, ay), 0));
    }
    for (int64_t i = np; i < n; i++) y[i] = pk_attn_f2h(fmaf(pk_attn_h2f(x[i]), v, pk_attn_h2f(y[i])));
}

PK_TARGET_AVX2 static void attn_group_avx2(const float *q, int64_t nh, const uint16_t *keys, int64_t ks,
                                           const uint16_t *values, int64_t vs_, int64_t first, int64_t last,
                                           int64_t dk, int64_t dv, float scale, uint16_t *scratch,
                                           const float *sinks, float *out, float *partials) {
    uint16_t *q16 = scratch, *acc = scratch + nh * dk;
    float M[PK_ATTN_MAX_GROUP], S[PK_ATTN_MAX_GROUP];
    for (int64_t h = 0; h < nh; h++) {
        int64_t i = 0;
        for (; i + 8 <= dk; i += 8)
            _mm_storeu_si128((__m128i *)(q16 + h * dk + i), _mm256_cvtps_ph(_mm256_loadu_ps(q + h * dk + i), 0));
        for (; i < dk; i++) q16[h * dk + i] = pk_attn_f2h(q[h * dk + i]);
        S[h] = 0.0f, M[h] = -INFINITY;
    }
    memset(acc, 0, (size_t)(nh * dv) * sizeof(uint16_t));
    for (int64_t t = first; t <= last; t++) {
        const uint16_t *k = keys + t * ks, *v = values + t * vs_;
        if (t + PK_ATTN_PREFETCH_AHEAD <= last)
            attn_prefetch(k + PK_ATTN_PREFETCH_AHEAD * ks, v + PK_ATTN_PREFETCH_AHEAD * vs_, dk, dv);
        for (int64_t h = 0; h < nh; h++) {
            uint16_t *ah = acc + h * dv;
            const float s = dot_f16_avx2(k, q16 + h * dk, dk) * scale;
            const float Mold = M[h];
            float ms = 1.0f, w = 1.0f;
            if (s > M[h]) {
                M[h] = s;
                ms = expf(Mold - s);
                scale_f16_avx2(ah, ms, dv);
            } else {
                w = expf(s - M[h]);
            }
            mad_f16_avx2(ah, v, w, dv);
            S[h] = fmaf(S[h], ms, w);  // ggml's `S = S*ms + vs`, contracted by its compiler
        }
    }
    attn_group_finish(nh, dv, acc, M, S, sinks, out, partials);
}

// MARK: - AVX-512 (ggml's __AVX512F__ build without AVX512-FP16)

PK_TARGET_AVX512 static float dot_f16_avx512(const uint16_t *x, const uint16_t *y, int64_t n) {
    __m512 sum[4] = {_mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps()};
    const int64_t np = n & ~(int64_t)63;
    for (int64_t i = 0; i < np; i += 64) {
        for (int j = 0; j < 4; j++) {
            const __m512 ax = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(x + i + 16 * j)));
            const __m512 ay = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(y + i + 16 * j)));
            sum[j] = _mm512_fmadd_ps(ax, ay, sum[j]);
        }
    }
    sum[0] = _mm512_add_ps(sum[0], sum[2]);
    sum[1] = _mm512_add_ps(sum[1], sum[3]);
    sum[0] = _mm512_add_ps(sum[0], sum[1]);
    // _mm512_reduce_add_ps: 256-bit halves, then 128-bit halves, then (0+2, 1+3), then the pair.
    const __m256 h8 = _mm256_add_ps(_mm512_castps512_ps256(sum[0]),
                                    _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(sum[0]), 1)));
    const __m128 h4 = _mm_add_ps(_mm256_castps256_ps128(h8), _mm256_extractf128_ps(h8, 1));
    const __m128 h2 = _mm_add_ps(h4, _mm_shuffle_ps(h4, h4, _MM_SHUFFLE(1, 0, 3, 2)));
    double sumf = (double)(_mm_cvtss_f32(h2) + _mm_cvtss_f32(_mm_shuffle_ps(h2, h2, 1)));
    for (int64_t i = np; i < n; i++) sumf += (double)(pk_attn_h2f(x[i]) * pk_attn_h2f(y[i]));
    return (float)sumf;
}

PK_TARGET_AVX512 static void scale_f16_avx512(uint16_t *y, float v, int64_t n) {
    const __m512 vx = _mm512_set1_ps(v);
    const int64_t np = n & ~(int64_t)31;
    for (int64_t i = 0; i < np; i += 16) {
        const __m512 a = _mm512_mul_ps(_mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(y + i))), vx);
        _mm256_storeu_si256((__m256i *)(y + i), _mm512_cvtps_ph(a, 0));
    }
    for (int64_t i = np; i < n; i++) y[i] = pk_attn_f2h(pk_attn_h2f(y[i]) * v);
}

PK_TARGET_AVX512 static void mad_f16_avx512(uint16_t *y, const uint16_t *x, float v, int64_t n) {
    const __m512 vx = _mm512_set1_ps(v);
    const int64_t np = n & ~(int64_t)63;
    for (int64_t i = 0; i < np; i += 16) {
        const __m512 ax = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(x + i)));
        const __m512 ay = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(y + i)));
        _mm256_storeu_si256((__m256i *)(y + i), _mm512_cvtps_ph(_mm512_fmadd_ps(ax, vx, ay), 0));
    }
    for (int64_t i = np; i < n; i++) y[i] = pk_attn_f2h(fmaf(pk_attn_h2f(x[i]), v, pk_attn_h2f(y[i])));
}

PK_TARGET_AVX512 static void attn_group_avx512(const float *q, int64_t nh, const uint16_t *keys, int64_t ks,
                                               const uint16_t *values, int64_t vs_, int64_t first, int64_t last,
                                               int64_t dk, int64_t dv, float scale, uint16_t *scratch,
                                               const float *sinks, float *out, float *partials) {
    uint16_t *q16 = scratch, *acc = scratch + nh * dk;
    float M[PK_ATTN_MAX_GROUP], S[PK_ATTN_MAX_GROUP];
    for (int64_t h = 0; h < nh; h++) {
        int64_t i = 0;
        for (; i + 16 <= dk; i += 16)
            _mm256_storeu_si256((__m256i *)(q16 + h * dk + i), _mm512_cvtps_ph(_mm512_loadu_ps(q + h * dk + i), 0));
        for (; i < dk; i++) q16[h * dk + i] = pk_attn_f2h(q[h * dk + i]);
        S[h] = 0.0f, M[h] = -INFINITY;
    }
    memset(acc, 0, (size_t)(nh * dv) * sizeof(uint16_t));
    for (int64_t t = first; t <= last; t++) {
        const uint16_t *k = keys + t * ks, *v = values + t * vs_;
        if (t + PK_ATTN_PREFETCH_AHEAD <= last)
            attn_prefetch(k + PK_ATTN_PREFETCH_AHEAD * ks, v + PK_ATTN_PREFETCH_AHEAD * vs_, dk, dv);
        for (int64_t h = 0; h < nh; h++) {
            uint16_t *ah = acc + h * dv;
            const float s = dot_f16_avx512(k, q16 + h * dk, dk) * scale;
            const float Mold = M[h];
            float ms = 1.0f, w = 1.0f;
            if (s > M[h]) {
                M[h] = s;
                ms = expf(Mold - s);
                scale_f16_avx512(ah, ms, dv);
            } else {
                w = expf(s - M[h]);
            }
            mad_f16_avx512(ah, v, w, dv);
            S[h] = fmaf(S[h], ms, w);
        }
    }
    attn_group_finish(nh, dv, acc, M, S, sinks, out, partials);
}

PK_TARGET_AVX2 static void f32_to_f16_avx2(const float *src, uint16_t *dst, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) _mm_storeu_si128((__m128i *)(dst + i), _mm256_cvtps_ph(_mm256_loadu_ps(src + i), 0));
    for (; i < n; i++) dst[i] = pk_attn_f2h(src[i]);
}

PK_TARGET_AVX2 static void f16_to_f32_avx2(const uint16_t *src, float *dst, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(src + i))));
    for (; i < n; i++) dst[i] = pk_attn_h2f(src[i]);
}

#endif

// MARK: - Entry points

void pk_attn_f32_to_f16(int isa, const float *src, uint16_t *dst, int64_t n) {
#if PK_X86
    if (isa >= PK_ISA_AVX2) { f32_to_f16_avx2(src, dst, n); return; }
#endif
    (void)isa;
    for (int64_t i = 0; i < n; i++) dst[i] = pk_attn_f2h(src[i]);
}

void pk_attn_f16_to_f32(int isa, const uint16_t *src, float *dst, int64_t n) {
#if PK_X86
    if (isa >= PK_ISA_AVX2) { f16_to_f32_avx2(src, dst, n); return; }
#endif
    (void)isa;
    for (int64_t i = 0; i < n; i++) dst[i] = pk_attn_h2f(src[i]);
}

void pk_attn_group_f16(int isa, const float *q, int64_t heads, const uint16_t *keys, int64_t key_stride,
                       const uint16_t *values, int64_t value_stride, int64_t first, int64_t last, int64_t dk,
                       int64_t dv, float scale, uint16_t *scratch, const float *sinks, float *out, float *partials) {
#if PK_X86
    if (isa >= PK_ISA_AVX512) {
        attn_group_avx512(q, heads, keys, key_stride, values, value_stride, first, last, dk, dv, scale, scratch, sinks, out,
                          partials);
        return;
    }
    if (isa >= PK_ISA_AVX2) {
        attn_group_avx2(q, heads, keys, key_stride, values, value_stride, first, last, dk, dv, scale, scratch, sinks, out,
                        partials);
        return;
    }
#endif
    (void)isa;
    attn_group_scalar(q, heads, keys, key_stride, values, value_stride, first, last, dk, dv, scale, scratch, sinks, out,
                      partials);
}

void pk_attn_merge_partials(int64_t chunks, int64_t dv, const float *partials, int64_t partial_stride,
                            const float *values, int64_t value_stride, float *out) {
    float M = -INFINITY, S = 0.0f;
    for (int64_t d = 0; d < dv; d++) out[d] = 0.0f;
    for (int64_t c = 0; c < chunks; c++) {
        const float Mc = partials[c * partial_stride], Sc = partials[c * partial_stride + 1];
        if (Sc == 0.0f) continue;  // every position of the chunk masked
        const float *vc = values + c * value_stride;
        const float Mnew = fmaxf(M, Mc);
        const float old = expf(M - Mnew), new = expf(Mc - Mnew);
        // ggml's `VKQ*scale_old + VKQ_chunk*scale_new`, contracted by its compiler.
        for (int64_t d = 0; d < dv; d++) out[d] = fmaf(out[d], old, vc[d] * new);
        S = fmaf(S, old, Sc * new);
        M = Mnew;
    }
    if (S != 0.0f) {
        const float inv = 1.0f / S;
        for (int64_t d = 0; d < dv; d++) out[d] *= inv;
    }
}
