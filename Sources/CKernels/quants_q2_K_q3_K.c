// Q2_K and Q3_K (blocks.h): dequantization bit-exact with ggml and the Python `gguf` package, and
// their dot products with Q8_K activations, portable and AVX2.
//
// Both types cut a 256-value super-block into 16 sub-blocks of 16 values, each with its own small
// scale. The integer sums are exact at every level; the AVX2 kernels keep ggml's x86 AVX2
// arithmetic (eight int32 lanes per super-block scaled by one fused multiply-add, the Q2_K mins
// through the activations' 16-value sums), so they round as llama.cpp's vec_dot does.
#include "kernels_simd.h"

// MARK: - Scales

/// Q3_K's 12 scale bytes -> its 16 six-bit scales minus 32 (ggml's kmask unpacking): bytes 0..7
/// hold the low four bits (low nibbles scales 0..7, high nibbles 8..15), bytes 8..11 the top two.
static inline void pk_unpack_q3_K_scales(const uint8_t *scales, int8_t out[16]) {
    const uint32_t m4 = 0x0f0f0f0f, m2 = 0x03030303;
    uint32_t a[3], s[4];
    memcpy(a, scales, 12);
    s[0] = (a[0] & m4) | (((a[2] >> 0) & m2) << 4);
    s[1] = (a[1] & m4) | (((a[2] >> 2) & m2) << 4);
    s[2] = ((a[0] >> 4) & m4) | (((a[2] >> 4) & m2) << 4);
    s[3] = ((a[1] >> 4) & m4) | (((a[2] >> 6) & m2) << 4);
    memcpy(out, s, 16);
    for (int j = 0; j < 16; j++) out[j] = (int8_t)(out[j] - 32);
}

// MARK: - Dequantization

// Within each half (128 values, 32 bytes of qs), shift 2k selects the values 32k..32k+31; the
// first 16 of them take scale 2k, the next 16 scale 2k + 1 (counted on from the half's first).

void pk_dequantize_row_q2_K(const void *src, float *y, int64_t n) {
    const pk_block_q2_K *x = src;
    for (int64_t i = 0; i < n / PK_QK_K; i++) {
        const float d = pk_half_to_float(x[i].d), dmin = pk_half_to_float(x[i].dmin);
        const uint8_t *q = x[i].qs;
        int is = 0;
        for (int half = 0; half < 2; half++, q += 32) {
            for (int shift = 0; shift < 8; shift += 2) {
                for (int part = 0; part < 2; part++, is++) {
                    const float dl = d * (float)(x[i].scales[is] & 0x0F), ml = dmin * (float)(x[i].scales[is] >> 4);
                    for (int l = 16 * part; l < 16 * part + 16; l++) *y++ = dl * (float)((q[l] >> shift) & 3) - ml;
                }
            }
        }
    }
}

void pk_dequantize_row_q3_K(const void *src, float *y, int64_t n) {
    const pk_block_q3_K *x = src;
    for (int64_t i = 0; i < n / PK_QK_K; i++) {
        const float d = pk_half_to_float(x[i].d);
        int8_t sc[16];
        pk_unpack_q3_K_scales(x[i].scales, sc);
        const uint8_t *q = x[i].qs;
        int is = 0, bit = 0;
        for (int half = 0; half < 2; half++, q += 32) {
            for (int shift = 0; shift < 8; shift += 2, bit++) {
                for (int part = 0; part < 2; part++, is++) {
                    const float dl = d * (float)sc[is];
                    for (int l = 16 * part; l < 16 * part + 16; l++) {
                        const int v = ((q[l] >> shift) & 3) - (x[i].hmask[l] >> bit & 1 ? 0 : 4);
                        *y++ = dl * (float)v;
                    }
                }
            }
        }
    }
}

// MARK: - Dot products, portable

float pk_vec_dot_q2_K_q8_K_generic(int64_t n, const void *vw, const void *vx) {
    const pk_block_q2_K *w = vw;
    const pk_block_q8_K *x = vx;
    float sum = 0.0f;
    for (int64_t i = 0; i < n / PK_QK_K; i++) {
        int mins = 0;
        for (int j = 0; j < 16; j++) mins += x[i].bsums[j] * (w[i].scales[j] >> 4);
        const int8_t *a = x[i].qs;
        const uint8_t *q = w[i].qs;
        int isum = 0, is = 0;
        for (int half = 0; half < 2; half++, q += 32) {
            for (int shift = 0; shift < 8; shift += 2) {
                for (int part = 0; part < 2; part++, is++, a += 16) {
                    int s = 0;
                    for (int l = 0; l < 16; l++) s += a[l] * ((q[16 * part + l] >> shift) & 3);
                    isum += (w[i].scales[is] & 0x0F) * s;
                }
            }
        }
        const float dall = x[i].d * pk_half_to_float(w[i].d), dmin = x[i].d * pk_half_to_float(w[i].dmin);
        sum += dall * (float)isum - dmin * (float)mins;
    }
    return sum;
}

float pk_vec_dot_q3_K_q8_K_generic(int64_t n, const void *vw, const void *vx) {
    const pk_block_q3_K *w = vw;
    const pk_block_q8_K *x = vx;
    float sum = 0.0f;
    for (int64_t i = 0; i < n / PK_QK_K; i++) {
        int8_t sc[16];
        pk_unpack_q3_K_scales(w[i].scales, sc);
        const int8_t *a = x[i].qs;
        const uint8_t *q = w[i].qs;
        int isum = 0, is = 0, bit = 0;
        for (int half = 0; half < 2; half++, q += 32) {
            for (int shift = 0; shift < 8; shift += 2, bit++) {
                for (int part = 0; part < 2; part++, is++, a += 16) {
                    int s = 0;
                    for (int l = 16 * part; l < 16 * part + 16; l++)
                        s += a[l - 16 * part] * (((q[l] >> shift) & 3) - (w[i].hmask[l] >> bit & 1 ? 0 : 4));
                    isum += sc[is] * s;
                }
            }
        }
        sum += x[i].d * pk_half_to_float(w[i].d) * (float)isum;
    }
    return sum;
}

// MARK: - Dot products, AVX2

#if PK_X86
#include <immintrin.h>

PK_TARGET_AVX2 static inline float q23_hsum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

/// The 16-bit scale pair for sub-blocks 2k (low 128 bits) and 2k + 1 (high), from 8 scales
/// broadcast to both halves.
PK_TARGET_AVX2 static inline __m256i q23_scale_pair(__m256i scales, int k) {
    const __m256i pick = _mm256_set_m128i(_mm_set1_epi16((short)(0x0100 * (4 * k + 3) + 4 * k + 2)),
                                          _mm_set1_epi16((short)(0x0100 * (4 * k + 1) + 4 * k)));
    return _mm256_shuffle_epi8(scales, pick);
}

PK_TARGET_AVX2 static inline int q23_hsum_epi32(__m256i v) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_unpackhi_epi64(s, s));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 1));
    return _mm_cvtsi128_si32(s);
}

/// Q2_K: Σ min_j * (sum of activations of sub-block j), as 8 int32 lanes.
PK_TARGET_AVX2 static inline __m256i q2_K_min_sums(const pk_block_q2_K *w, const pk_block_q8_K *x) {
    const __m128i packed = _mm_loadu_si128((const __m128i *)w->scales);
    const __m256i mins = _mm256_cvtepi8_epi16(_mm_and_si128(_mm_srli_epi16(packed, 4), _mm_set1_epi8(0x0F)));
    return _mm256_madd_epi16(mins, _mm256_loadu_si256((const __m256i *)x->bsums));
}

/// Q2_K: Σ scale_j * Σ q * activation over one super-block, as 8 int32 lanes (ggml's lanes).
PK_TARGET_AVX2 static inline __m256i q2_K_block_sums(const pk_block_q2_K *w, const pk_block_q8_K *x) {
    const __m256i m3 = _mm256_set1_epi8(3);
    const __m256i all = _mm256_cvtepi8_epi16(_mm_and_si128(_mm_loadu_si128((const __m128i *)w->scales), _mm_set1_epi8(0x0F)));
    const __m256i halves[2] = {_mm256_broadcastsi128_si256(_mm256_castsi256_si128(all)),
                               _mm256_broadcastsi128_si256(_mm256_extracti128_si256(all, 1))};
    const uint8_t *q = w->qs;
    const int8_t *a = x->qs;
    __m256i sumi = _mm256_setzero_si256();
    for (int half = 0; half < 2; half++, q += 32, a += 128) {
        const __m256i bits = _mm256_loadu_si256((const __m256i *)q);
        __m256i p[4];
        for (int k = 0; k < 4; k++) {
            const __m256i q2 = _mm256_and_si256(_mm256_srli_epi16(bits, 2 * k), m3);
            const __m256i prod = _mm256_maddubs_epi16(q2, _mm256_loadu_si256((const __m256i *)(a + 32 * k)));
            p[k] = _mm256_madd_epi16(q23_scale_pair(halves[half], k), prod);
        }
        sumi = _mm256_add_epi32(sumi, _mm256_add_epi32(_mm256_add_epi32(p[0], p[1]), _mm256_add_epi32(p[2], p[3])));
    }
    return sumi;
}

/// Q3_K: Σ (scale_j - 32) * Σ (q - 4 * !high bit) * activation over one super-block, as 8 int32 lanes.
PK_TARGET_AVX2 static inline __m256i q3_K_block_sums(const pk_block_q3_K *w, const pk_block_q8_K *x) {
    const __m256i m3 = _mm256_set1_epi8(3), one = _mm256_set1_epi8(1);
    int8_t sc[16];
    pk_unpack_q3_K_scales(w->scales, sc);
    const __m256i all = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)sc));
    const __m256i halves[2] = {_mm256_broadcastsi128_si256(_mm256_castsi256_si128(all)),
                               _mm256_broadcastsi128_si256(_mm256_extracti128_si256(all, 1))};
    const __m256i hbits = _mm256_loadu_si256((const __m256i *)w->hmask);
    const uint8_t *q = w->qs;
    const int8_t *a = x->qs;
    __m256i sumi = _mm256_setzero_si256();
    int bit = 0;
    for (int half = 0; half < 2; half++, q += 32, a += 128) {
        const __m256i bits = _mm256_loadu_si256((const __m256i *)q);
        __m256i p[4];
        for (int k = 0; k < 4; k++, bit++) {
            const __m256i lo = _mm256_and_si256(_mm256_srli_epi16(bits, 2 * k), m3);
            // 4 where the value's high bit is clear, subtracted as 4 * activation
            const __m256i hi = _mm256_slli_epi16(
                _mm256_srli_epi16(_mm256_andnot_si256(hbits, _mm256_slli_epi16(one, bit)), bit), 2);
            const __m256i act = _mm256_loadu_si256((const __m256i *)(a + 32 * k));
            const __m256i prod = _mm256_sub_epi16(_mm256_maddubs_epi16(lo, act), _mm256_maddubs_epi16(hi, act));
            p[k] = _mm256_madd_epi16(q23_scale_pair(halves[half], k), prod);
        }
        sumi = _mm256_add_epi32(sumi, _mm256_add_epi32(_mm256_add_epi32(p[0], p[1]), _mm256_add_epi32(p[2], p[3])));
    }
    return sumi;
}

PK_TARGET_AVX2 float pk_vec_dot_q2_K_q8_K_avx2(int64_t n, const void *vw, const void *vx) {
    const pk_block_q2_K *w = vw;
    const pk_block_q8_K *x = vx;
    __m256 acc = _mm256_setzero_ps();
    for (int64_t i = 0; i < n / PK_QK_K; i++) {
        const float d = x[i].d * _cvtsh_ss(w[i].d);
        const float dmin = -x[i].d * _cvtsh_ss(w[i].dmin);
        acc = _mm256_fmadd_ps(_mm256_set1_ps(dmin), _mm256_cvtepi32_ps(q2_K_min_sums(&w[i], &x[i])), acc);
        acc = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(q2_K_block_sums(&w[i], &x[i])), acc);
    }
    return q23_hsum(acc);
}

PK_TARGET_AVX2 float pk_vec_dot_q3_K_q8_K_avx2(int64_t n, const void *vw, const void *vx) {
    const pk_block_q3_K *w = vw;
    const pk_block_q8_K *x = vx;
    __m256 acc = _mm256_setzero_ps();
    for (int64_t i = 0; i < n / PK_QK_K; i++) {
        const float d = x[i].d * _cvtsh_ss(w[i].d);
        acc = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(q3_K_block_sums(&w[i], &x[i])), acc);
    }
    return q23_hsum(acc);
}

// MARK: - llama.cpp's tiled arithmetic (batches of 8 or more)

// llama.cpp multiplies Q2_K and Q3_K matrices (not repacked on AVX2) by batches of 8 or more
// inputs with its tiled kernel (tiled/tiled-kernel.cpp, AVX2 microtile): per (row, input) and
// super-block the exact int32 sums S (and Q2_K's S_min), then
//     r = d_w * (float)S;  r = fma(-dmin_w, (float)S_min, r);  acc = fma(r, d_x, acc)
// over the super-blocks in order, acc from 0. One row, one input (the dispatch's dot1 column).

PK_TARGET_AVX2 void pk_dot1_q2_K_tiled_avx2(int64_t n, const void *vw, size_t ws, const void *vx, size_t xs, float *out,
                                           size_t os) {
    (void)ws; (void)xs; (void)os;
    const pk_block_q2_K *w = vw;
    const pk_block_q8_K *x = vx;
    __m128 acc = _mm_setzero_ps();
    for (int64_t i = 0; i < n / PK_QK_K; i++) {
        const float s = (float)q23_hsum_epi32(q2_K_block_sums(&w[i], &x[i]));
        const float smin = (float)q23_hsum_epi32(q2_K_min_sums(&w[i], &x[i]));
        __m128 r = _mm_mul_ss(_mm_set_ss(_cvtsh_ss(w[i].d)), _mm_set_ss(s));
        r = _mm_fnmadd_ss(_mm_set_ss(_cvtsh_ss(w[i].dmin)), _mm_set_ss(smin), r);
        acc = _mm_fmadd_ss(r, _mm_set_ss(x[i].d), acc);
    }
    *out = _mm_cvtss_f32(acc);
}

PK_TARGET_AVX2 void pk_dot1_q3_K_tiled_avx2(int64_t n, const void *vw, size_t ws, const void *vx, size_t xs, float *out,
                                           size_t os) {
    (void)ws; (void)xs; (void)os;
    const pk_block_q3_K *w = vw;
    const pk_block_q8_K *x = vx;
    __m128 acc = _mm_setzero_ps();
    for (int64_t i = 0; i < n / PK_QK_K; i++) {
        const float s = (float)q23_hsum_epi32(q3_K_block_sums(&w[i], &x[i]));
        const __m128 r = _mm_mul_ss(_mm_set_ss(_cvtsh_ss(w[i].d)), _mm_set_ss(s));
        acc = _mm_fmadd_ss(r, _mm_set_ss(x[i].d), acc);
    }
    *out = _mm_cvtss_f32(acc);
}
#endif
