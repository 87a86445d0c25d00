// AVX-512 VNNI kernels for the 32-element types, at 256-bit width (AVX512-VL).
//
// vpdpbusd multiplies unsigned by signed bytes and adds groups of four straight into int32,
// replacing AVX2's vpmaddubsw + vpmaddwd pair (and its int16 saturation). The fifth bit of
// Q5_0/Q5_1 is applied with a byte mask (vpsubb/vpaddb under k) instead of a bit-spreading
// shuffle. Two blocks per iteration keep two float accumulators in flight.
#include "kernels_simd.h"

#if PK_X86
#include <immintrin.h>

PK_TARGET_AVX512 static inline float h2f(pk_half h) { return _cvtsh_ss(h); }

PK_TARGET_AVX512 static inline float hsum_ps(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

PK_TARGET_AVX512 static inline __m256i nibbles32(const uint8_t *p) {
    const __m128i v = _mm_loadu_si128((const __m128i *)p);
    const __m256i both = _mm256_inserti128_si256(_mm256_castsi128_si256(v), _mm_srli_epi16(v, 4), 1);
    return _mm256_and_si256(both, _mm256_set1_epi8(0x0F));
}

/// Σ w*x over 32 signed pairs -> 8 int32.
PK_TARGET_AVX512 static inline __m256i dot_i8(__m256i w, __m256i x) {
    return _mm256_dpbusd_epi32(_mm256_setzero_si256(), _mm256_abs_epi8(w), _mm256_sign_epi8(x, w));
}

/// Σ w*x, w unsigned -> 8 int32.
PK_TARGET_AVX512 static inline __m256i dot_u8i8(__m256i w, __m256i x) {
    return _mm256_dpbusd_epi32(_mm256_setzero_si256(), w, x);
}

PK_TARGET_AVX512 static inline __m256i loadq(const int8_t *p) { return _mm256_loadu_si256((const __m256i *)p); }

/// Shared loop: `WEIGHTS(i)` yields block i's 32 weight bytes, `DOT` the int8 dot, `MINS(i)` any
/// per-block float term (Q4_1/Q5_1's m * s).
#define PK_VNNI_LOOP(WEIGHTS, DOT, MINS)                                                         \
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();                               \
    float mins = 0.0f;                                                                           \
    const int64_t nb = n / PK_QK;                                                                \
    int64_t i = 0;                                                                               \
    for (; i + 1 < nb; i += 2) {                                                                 \
        const __m256i p0 = DOT(WEIGHTS(i), loadq(x[i].qs));                                      \
        const __m256i p1 = DOT(WEIGHTS(i + 1), loadq(x[i + 1].qs));                              \
        acc0 = _mm256_fmadd_ps(_mm256_set1_ps(h2f(w[i].d) * h2f(x[i].d)), _mm256_cvtepi32_ps(p0), acc0);   \
        acc1 = _mm256_fmadd_ps(_mm256_set1_ps(h2f(w[i + 1].d) * h2f(x[i + 1].d)), _mm256_cvtepi32_ps(p1), acc1); \
        mins += MINS(i) + MINS(i + 1);                                                           \
    }                                                                                            \
    for (; i < nb; i++) {                                                                        \
        const __m256i p0 = DOT(WEIGHTS(i), loadq(x[i].qs));                                      \
        acc0 = _mm256_fmadd_ps(_mm256_set1_ps(h2f(w[i].d) * h2f(x[i].d)), _mm256_cvtepi32_ps(p0), acc0);   \
        mins += MINS(i);                                                                         \
    }                                                                                            \
    return hsum_ps(_mm256_add_ps(acc0, acc1)) + mins;

#define NO_MINS(i) 0.0f
#define BLOCK_MINS(i) (h2f(w[i].m) * h2f(x[i].s))

PK_TARGET_AVX512 float pk_vec_dot_q4_0_q8_0_avx512(int64_t n, const void *vw, const void *vx) {
    const pk_block_q4_0 *w = vw;
    const pk_block_q8_0 *x = vx;
#define Q4_0_WEIGHTS(i) _mm256_sub_epi8(nibbles32(w[i].qs), _mm256_set1_epi8(8))
    PK_VNNI_LOOP(Q4_0_WEIGHTS, dot_i8, NO_MINS)
}

PK_TARGET_AVX512 float pk_vec_dot_q4_1_q8_1_avx512(int64_t n, const void *vw, const void *vx) {
    const pk_block_q4_1 *w = vw;
    const pk_block_q8_1 *x = vx;
#define Q4_1_WEIGHTS(i) nibbles32(w[i].qs)
    PK_VNNI_LOOP(Q4_1_WEIGHTS, dot_u8i8, BLOCK_MINS)
}

PK_TARGET_AVX512 float pk_vec_dot_q5_0_q8_0_avx512(int64_t n, const void *vw, const void *vx) {
    const pk_block_q5_0 *w = vw;
    const pk_block_q8_0 *x = vx;
    // q - 16: subtract 16 from the nibble wherever the fifth bit is clear.
#define Q5_0_WEIGHTS(i) \
    _mm256_mask_sub_epi8(nibbles32(w[i].qs), ~(__mmask32)pk_read_u32(w[i].qh), nibbles32(w[i].qs), _mm256_set1_epi8(16))
    PK_VNNI_LOOP(Q5_0_WEIGHTS, dot_i8, NO_MINS)
}

PK_TARGET_AVX512 float pk_vec_dot_q5_1_q8_1_avx512(int64_t n, const void *vw, const void *vx) {
    const pk_block_q5_1 *w = vw;
    const pk_block_q8_1 *x = vx;
#define Q5_1_WEIGHTS(i) \
    _mm256_mask_add_epi8(nibbles32(w[i].qs), (__mmask32)pk_read_u32(w[i].qh), nibbles32(w[i].qs), _mm256_set1_epi8(16))
    PK_VNNI_LOOP(Q5_1_WEIGHTS, dot_u8i8, BLOCK_MINS)
}

PK_TARGET_AVX512 float pk_vec_dot_q8_0_q8_0_avx512(int64_t n, const void *vw, const void *vx) {
    const pk_block_q8_0 *w = vw;
    const pk_block_q8_0 *x = vx;
#define Q8_0_WEIGHTS(i) loadq(w[i].qs)
    PK_VNNI_LOOP(Q8_0_WEIGHTS, dot_i8, NO_MINS)
}

#endif
