// The 4-bit lookup types (blocks.h): IQ4_NL and MXFP4 (32 values a block, Q8_0 activations) and
// IQ4_XS (256, Q8_K activations), whose nibbles index a table of 16 int8 values
// (pk_kvalues_iq4nl, pk_kvalues_mxfp4) instead of standing for themselves. Dequantization is
// bit-exact with ggml and the Python `gguf` package; the dot products are portable and AVX2, the
// AVX2 ones with ggml's x86 AVX2 arithmetic (two blocks a step into two accumulators for the
// 32-value types, one fused multiply-add per super-block for IQ4_XS).
#include "kernels_simd.h"

/// IQ4_XS sub-block j's 6-bit scale minus 32.
static inline int pk_iq4_xs_scale(const pk_block_iq4_xs *b, int j) {
    const int lo = (b->scales_l[j / 2] >> (4 * (j % 2))) & 0x0F;
    const int hi = (b->scales_h >> (2 * j)) & 3;
    return (lo | (hi << 4)) - 32;
}

// MARK: - Dequantization

void pk_dequantize_row_iq4_nl(const void *src, float *y, int64_t n) {
    const pk_block_iq4_nl *x = src;
    for (int64_t i = 0; i < n / PK_QK; i++, y += PK_QK) {
        const float d = pk_half_to_float(x[i].d);
        for (int j = 0; j < PK_QK / 2; j++) {
            y[j] = d * (float)pk_kvalues_iq4nl[x[i].qs[j] & 0x0F];
            y[j + PK_QK / 2] = d * (float)pk_kvalues_iq4nl[x[i].qs[j] >> 4];
        }
    }
}

void pk_dequantize_row_iq4_xs(const void *src, float *y, int64_t n) {
    const pk_block_iq4_xs *x = src;
    for (int64_t i = 0; i < n / PK_QK_K; i++) {
        const float d = pk_half_to_float(x[i].d);
        for (int j = 0; j < PK_QK_K / 32; j++, y += 32) {
            const float dl = d * (float)pk_iq4_xs_scale(&x[i], j);
            const uint8_t *q = x[i].qs + 16 * j;
            for (int l = 0; l < 16; l++) {
                y[l] = dl * (float)pk_kvalues_iq4nl[q[l] & 0x0F];
                y[l + 16] = dl * (float)pk_kvalues_iq4nl[q[l] >> 4];
            }
        }
    }
}

void pk_dequantize_row_mxfp4(const void *src, float *y, int64_t n) {
    const pk_block_mxfp4 *x = src;
    for (int64_t i = 0; i < n / PK_QK; i++, y += PK_QK) {
        const float d = pk_e8m0_to_float_half(x[i].e);
        for (int j = 0; j < PK_QK / 2; j++) {
            y[j] = (float)pk_kvalues_mxfp4[x[i].qs[j] & 0x0F] * d;
            y[j + PK_QK / 2] = (float)pk_kvalues_mxfp4[x[i].qs[j] >> 4] * d;
        }
    }
}

// MARK: - Dot products, portable

/// Σ table[nibble] * activation over one 32-value block in the 32-element types' order.
static inline int pk_lut32_dot(const int8_t table[16], const uint8_t *qs, const int8_t *a) {
    int s = 0;
    for (int j = 0; j < 16; j++) s += a[j] * table[qs[j] & 0x0F] + a[j + 16] * table[qs[j] >> 4];
    return s;
}

float pk_vec_dot_iq4_nl_q8_0_generic(int64_t n, const void *vw, const void *vx) {
    const pk_block_iq4_nl *w = vw;
    const pk_block_q8_0 *x = vx;
    float sum = 0.0f;
    for (int64_t i = 0; i < n / PK_QK; i++)
        sum += pk_half_to_float(x[i].d) * pk_half_to_float(w[i].d) * (float)pk_lut32_dot(pk_kvalues_iq4nl, w[i].qs, x[i].qs);
    return sum;
}

float pk_vec_dot_mxfp4_q8_0_generic(int64_t n, const void *vw, const void *vx) {
    const pk_block_mxfp4 *w = vw;
    const pk_block_q8_0 *x = vx;
    float sum = 0.0f;
    for (int64_t i = 0; i < n / PK_QK; i++)
        sum += pk_half_to_float(x[i].d) * pk_e8m0_to_float_half(w[i].e) *
               (float)pk_lut32_dot(pk_kvalues_mxfp4, w[i].qs, x[i].qs);
    return sum;
}

float pk_vec_dot_iq4_xs_q8_K_generic(int64_t n, const void *vw, const void *vx) {
    const pk_block_iq4_xs *w = vw;
    const pk_block_q8_K *x = vx;
    float sum = 0.0f;
    for (int64_t i = 0; i < n / PK_QK_K; i++) {
        int isum = 0;
        for (int j = 0; j < PK_QK_K / 32; j++)
            isum += pk_iq4_xs_scale(&w[i], j) * pk_lut32_dot(pk_kvalues_iq4nl, w[i].qs + 16 * j, x[i].qs + 32 * j);
        sum += pk_half_to_float(w[i].d) * x[i].d * (float)isum;
    }
    return sum;
}

// MARK: - Dot products, AVX2

#if PK_X86
#include <immintrin.h>

PK_TARGET_AVX2 static inline float lut4_hsum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

/// 16 bytes of nibbles -> their 32 table values (low nibbles in bytes 0..15, high in 16..31).
PK_TARGET_AVX2 static inline __m256i lut4_values(__m128i table, const uint8_t *qs) {
    const __m128i bits = _mm_loadu_si128((const __m128i *)qs), m4 = _mm_set1_epi8(0x0F);
    return _mm256_set_m128i(_mm_shuffle_epi8(table, _mm_and_si128(_mm_srli_epi16(bits, 4), m4)),
                            _mm_shuffle_epi8(table, _mm_and_si128(bits, m4)));
}

/// Σ w*a over 32 signed byte pairs as 16 int16 pair sums (|w| times a with w's sign).
PK_TARGET_AVX2 static inline __m256i lut4_pairs(__m256i w, __m256i a) {
    return _mm256_maddubs_epi16(_mm256_sign_epi8(w, w), _mm256_sign_epi8(a, w));
}

/// IQ4_NL and MXFP4 share one shape: `scale(i)` is the weight block's float scale.
#define PK_LUT32_DOT_AVX2(name, block_t, table, scale)                                                             \
    PK_TARGET_AVX2 float name(int64_t n, const void *vw, const void *vx) {                                          \
        const block_t *w = vw;                                                                                       \
        const pk_block_q8_0 *x = vx;                                                                                 \
        const __m128i values = _mm_loadu_si128((const __m128i *)(table));                                           \
        const __m256i ones = _mm256_set1_epi16(1);                                                                   \
        const int64_t nb = n / PK_QK;                                                                                \
        __m256 acc1 = _mm256_setzero_ps(), acc2 = _mm256_setzero_ps();                                               \
        int64_t i = 0;                                                                                               \
        for (; i + 1 < nb; i += 2) {                                                                                 \
            const __m256i p1 = _mm256_madd_epi16(                                                                    \
                lut4_pairs(lut4_values(values, w[i].qs), _mm256_loadu_si256((const __m256i *)x[i].qs)), ones);       \
            const __m256i p2 = _mm256_madd_epi16(                                                                    \
                lut4_pairs(lut4_values(values, w[i + 1].qs), _mm256_loadu_si256((const __m256i *)x[i + 1].qs)), ones); \
            acc1 = _mm256_fmadd_ps(_mm256_set1_ps(_cvtsh_ss(x[i].d) * scale(w[i])), _mm256_cvtepi32_ps(p1), acc1);   \
            acc2 = _mm256_fmadd_ps(_mm256_set1_ps(_cvtsh_ss(x[i + 1].d) * scale(w[i + 1])), _mm256_cvtepi32_ps(p2),  \
                                   acc2);                                                                            \
        }                                                                                                            \
        float sum = lut4_hsum(_mm256_add_ps(acc1, acc2));                                                            \
        for (; i < nb; i++) sum += _cvtsh_ss(x[i].d) * scale(w[i]) * (float)pk_lut32_dot(table, w[i].qs, x[i].qs);  \
        return sum;                                                                                                  \
    }

#define PK_IQ4_NL_SCALE(b) _cvtsh_ss((b).d)
#define PK_MXFP4_SCALE(b) pk_e8m0_to_float_half((b).e)
PK_LUT32_DOT_AVX2(pk_vec_dot_iq4_nl_q8_0_avx2, pk_block_iq4_nl, pk_kvalues_iq4nl, PK_IQ4_NL_SCALE)
PK_LUT32_DOT_AVX2(pk_vec_dot_mxfp4_q8_0_avx2, pk_block_mxfp4, pk_kvalues_mxfp4, PK_MXFP4_SCALE)

/// llama.cpp's x86 build repacks IQ4_NL and MXFP4 matrices whose row count is a multiple of 8
/// (repack.cpp, iq4_nl_8x8 / mxfp4_8x8) and multiplies them, decode and prefill alike, with one
/// chain per (row, input): acc = fma((float)S_b, d_w * d_x, acc) over the blocks b in order, S_b
/// the exact int32 block sum (arch/x86/repack.cpp, gemv/gemm_q4_b32_8x8_q8_0_lut_avx). One row,
/// one input, with that arithmetic (the dispatch's dot1 column).
#define PK_LUT32_CHAIN_AVX2(name, block_t, table, scale)                                                           \
    PK_TARGET_AVX2 void name(int64_t n, const void *vw, size_t ws, const void *vx, size_t xs, float *out, size_t os) { \
        (void)ws; (void)xs; (void)os;                                                                                \
        const block_t *w = vw;                                                                                       \
        const pk_block_q8_0 *x = vx;                                                                                 \
        const __m128i values = _mm_loadu_si128((const __m128i *)(table));                                           \
        const __m256i ones = _mm256_set1_epi16(1);                                                                   \
        __m128 acc = _mm_setzero_ps();                                                                               \
        for (int64_t i = 0; i < n / PK_QK; i++) {                                                                    \
            const __m256i p = _mm256_madd_epi16(                                                                     \
                lut4_pairs(lut4_values(values, w[i].qs), _mm256_loadu_si256((const __m256i *)x[i].qs)), ones);        \
            __m128i s = _mm_add_epi32(_mm256_castsi256_si128(p), _mm256_extracti128_si256(p, 1));                    \
            s = _mm_add_epi32(s, _mm_unpackhi_epi64(s, s));                                                          \
            s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 1));                                                           \
            acc = _mm_fmadd_ss(_mm_cvtepi32_ps(s), _mm_set_ss(scale(w[i]) * _cvtsh_ss(x[i].d)), acc);                \
        }                                                                                                            \
        *out = _mm_cvtss_f32(acc);                                                                                   \
    }

PK_LUT32_CHAIN_AVX2(pk_dot1_iq4_nl_r8_avx2, pk_block_iq4_nl, pk_kvalues_iq4nl, PK_IQ4_NL_SCALE)
PK_LUT32_CHAIN_AVX2(pk_dot1_mxfp4_r8_avx2, pk_block_mxfp4, pk_kvalues_mxfp4, PK_MXFP4_SCALE)
/// Q4_0 on an AVX2 CPU: llama.cpp repacks it as IQ4_NL with Q4_0's values (-8..7) and multiplies it
/// with the same kernels (gemm_q4_b32_8x8_q8_0_lut_avx<block_iq4_nlx8>, 75 % of a Qwen3-1.7B-shape
/// Q4_0 prefill in perf), so Q4_0 takes these chains too.
static const int8_t pk_values_q4_0[16] = {-8, -7, -6, -5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7};
PK_LUT32_CHAIN_AVX2(pk_dot1_q4_0_r8_avx2, pk_block_q4_0, pk_values_q4_0, PK_IQ4_NL_SCALE)

/// The same chains for 4 rows (`ws` bytes apart) and one input, a lane per row: the input block is
/// loaded once for the 4 rows, and each lane rounds exactly as the one-row chain (decode).
#define PK_LUT32_CHAIN4_AVX2(name, block_t, table, scale)                                                          \
    PK_TARGET_AVX2 void name(int64_t n, const void *vw, size_t ws, const void *vx, size_t xs, float *out, size_t os) { \
        (void)xs; (void)os;                                                                                          \
        const block_t *w[4];                                                                                         \
        for (int r = 0; r < 4; r++) w[r] = (const block_t *)((const char *)vw + (size_t)r * ws);                     \
        const pk_block_q8_0 *x = vx;                                                                                 \
        const __m128i values = _mm_loadu_si128((const __m128i *)(table));                                           \
        const __m256i ones = _mm256_set1_epi16(1);                                                                   \
        __m128 acc = _mm_setzero_ps();                                                                               \
        for (int64_t i = 0; i < n / PK_QK; i++) {                                                                    \
            const __m256i a = _mm256_loadu_si256((const __m256i *)x[i].qs);                                          \
            __m256i p[4];                                                                                            \
            for (int r = 0; r < 4; r++) p[r] = _mm256_madd_epi16(lut4_pairs(lut4_values(values, w[r][i].qs), a), ones); \
            /* lanes r0..r3 of each half, then the halves added: the 4 exact block sums */                          \
            const __m256i h = _mm256_hadd_epi32(_mm256_hadd_epi32(p[0], p[1]), _mm256_hadd_epi32(p[2], p[3]));      \
            const __m128i s = _mm_add_epi32(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));              \
            const __m128 d = _mm_mul_ps(_mm_setr_ps(scale(w[0][i]), scale(w[1][i]), scale(w[2][i]), scale(w[3][i])), \
                                        _mm_set1_ps(_cvtsh_ss(x[i].d)));                                             \
            acc = _mm_fmadd_ps(_mm_cvtepi32_ps(s), d, acc);                                                          \
        }                                                                                                            \
        _mm_storeu_ps(out, acc);                                                                                     \
    }

PK_LUT32_CHAIN4_AVX2(pk_gemv_iq4_nl_r8_avx2, pk_block_iq4_nl, pk_kvalues_iq4nl, PK_IQ4_NL_SCALE)
PK_LUT32_CHAIN4_AVX2(pk_gemv_mxfp4_r8_avx2, pk_block_mxfp4, pk_kvalues_mxfp4, PK_MXFP4_SCALE)
PK_LUT32_CHAIN4_AVX2(pk_gemv_q4_0_r8_avx2, pk_block_q4_0, pk_values_q4_0, PK_IQ4_NL_SCALE)

/// The same chains for a prefill tile of 2 rows (`ws` apart) x PK_TILE_COLS inputs (`xs` apart), a
/// lane per (row, input): each row's values are looked up once per block for the 4 inputs.
#define PK_LUT32_CHAIN_TILE_AVX2(name, block_t, table, scale)                                                      \
    PK_TARGET_AVX2 void name(int64_t n, const void *vw, size_t ws, const void *vx, size_t xs, float *out, size_t os) { \
        const block_t *w0 = vw, *w1 = (const block_t *)((const char *)vw + ws);                                     \
        const pk_block_q8_0 *x[PK_TILE_COLS];                                                                        \
        for (int c = 0; c < PK_TILE_COLS; c++) x[c] = (const pk_block_q8_0 *)((const char *)vx + (size_t)c * xs);   \
        const __m128i values = _mm_loadu_si128((const __m128i *)(table));                                           \
        const __m256i ones = _mm256_set1_epi16(1);                                                                   \
        __m256 acc = _mm256_setzero_ps(); /* lanes: row 0 inputs 0..3, row 1 inputs 0..3 */                        \
        for (int64_t i = 0; i < n / PK_QK; i++) {                                                                    \
            const __m256i v0 = lut4_values(values, w0[i].qs), v1 = lut4_values(values, w1[i].qs);                   \
            __m256i p[8];                                                                                            \
            for (int c = 0; c < PK_TILE_COLS; c++) {                                                                 \
                const __m256i a = _mm256_loadu_si256((const __m256i *)x[c][i].qs);                                   \
                p[c] = _mm256_madd_epi16(lut4_pairs(v0, a), ones);                                                   \
                p[4 + c] = _mm256_madd_epi16(lut4_pairs(v1, a), ones);                                               \
            }                                                                                                        \
            const __m256i g0 = _mm256_hadd_epi32(_mm256_hadd_epi32(p[0], p[1]), _mm256_hadd_epi32(p[2], p[3]));     \
            const __m256i g1 = _mm256_hadd_epi32(_mm256_hadd_epi32(p[4], p[5]), _mm256_hadd_epi32(p[6], p[7]));     \
            const __m256i s = _mm256_add_epi32(_mm256_permute2x128_si256(g0, g1, 0x20),                              \
                                               _mm256_permute2x128_si256(g0, g1, 0x31));                             \
            const float d0 = scale(w0[i]), d1 = scale(w1[i]);                                                        \
            const __m128 dx = _mm_setr_ps(_cvtsh_ss(x[0][i].d), _cvtsh_ss(x[1][i].d), _cvtsh_ss(x[2][i].d),          \
                                          _cvtsh_ss(x[3][i].d));                                                     \
            const __m256 d = _mm256_mul_ps(_mm256_setr_ps(d0, d0, d0, d0, d1, d1, d1, d1),                          \
                                           _mm256_set_m128(dx, dx));                                                 \
            acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s), d, acc);                                                    \
        }                                                                                                            \
        float lanes[8];                                                                                              \
        _mm256_storeu_ps(lanes, acc);                                                                                \
        for (int c = 0; c < PK_TILE_COLS; c++) {                                                                     \
            out[(size_t)c * os] = lanes[c];                                                                          \
            out[(size_t)c * os + 1] = lanes[4 + c];                                                                  \
        }                                                                                                            \
    }

PK_LUT32_CHAIN_TILE_AVX2(pk_tile_iq4_nl_r8_avx2, pk_block_iq4_nl, pk_kvalues_iq4nl, PK_IQ4_NL_SCALE)
PK_LUT32_CHAIN_TILE_AVX2(pk_tile_mxfp4_r8_avx2, pk_block_mxfp4, pk_kvalues_mxfp4, PK_MXFP4_SCALE)
PK_LUT32_CHAIN_TILE_AVX2(pk_tile_q4_0_r8_avx2, pk_block_q4_0, pk_values_q4_0, PK_IQ4_NL_SCALE)

/// IQ4_XS: Σ (scale_j - 32) * Σ value * activation over one super-block, as 8 int32 lanes (ggml's lanes).
PK_TARGET_AVX2 static inline __m256i iq4_xs_block_sums(const pk_block_iq4_xs *w, const pk_block_q8_K *x) {
    const __m128i values = _mm_loadu_si128((const __m128i *)pk_kvalues_iq4nl);
    __m256i sum1 = _mm256_setzero_si256(), sum2 = _mm256_setzero_si256();
    for (int j = 0; j < PK_QK_K / 32; j += 2) {
        const __m256i p1 = lut4_pairs(lut4_values(values, w->qs + 16 * j), _mm256_loadu_si256((const __m256i *)(x->qs + 32 * j)));
        const __m256i p2 = lut4_pairs(lut4_values(values, w->qs + 16 * j + 16),
                                      _mm256_loadu_si256((const __m256i *)(x->qs + 32 * j + 32)));
        sum1 = _mm256_add_epi32(sum1, _mm256_madd_epi16(p1, _mm256_set1_epi16((short)pk_iq4_xs_scale(w, j))));
        sum2 = _mm256_add_epi32(sum2, _mm256_madd_epi16(p2, _mm256_set1_epi16((short)pk_iq4_xs_scale(w, j + 1))));
    }
    return _mm256_add_epi32(sum1, sum2);
}

PK_TARGET_AVX2 float pk_vec_dot_iq4_xs_q8_K_avx2(int64_t n, const void *vw, const void *vx) {
    const pk_block_iq4_xs *w = vw;
    const pk_block_q8_K *x = vx;
    __m256 acc = _mm256_setzero_ps();
    for (int64_t i = 0; i < n / PK_QK_K; i++)
        acc = _mm256_fmadd_ps(_mm256_set1_ps(_cvtsh_ss(w[i].d) * x[i].d), _mm256_cvtepi32_ps(iq4_xs_block_sums(&w[i], &x[i])), acc);
    return lut4_hsum(acc);
}

/// IQ4_XS as llama.cpp's tiled kernel multiplies it (batches of 8 or more, see quants_q2_K_q3_K.c):
/// acc = fma(d_w * (float)S, d_x, acc) over the super-blocks in order. One row, one input.
PK_TARGET_AVX2 void pk_dot1_iq4_xs_tiled_avx2(int64_t n, const void *vw, size_t ws, const void *vx, size_t xs, float *out,
                                             size_t os) {
    (void)ws; (void)xs; (void)os;
    const pk_block_iq4_xs *w = vw;
    const pk_block_q8_K *x = vx;
    __m128 acc = _mm_setzero_ps();
    for (int64_t i = 0; i < n / PK_QK_K; i++) {
        const __m256i p = iq4_xs_block_sums(&w[i], &x[i]);
        __m128i s = _mm_add_epi32(_mm256_castsi256_si128(p), _mm256_extracti128_si256(p, 1));
        s = _mm_add_epi32(s, _mm_unpackhi_epi64(s, s));
        s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 1));
        const __m128 r = _mm_mul_ss(_mm_set_ss(_cvtsh_ss(w[i].d)), _mm_cvtepi32_ps(s));
        acc = _mm_fmadd_ss(r, _mm_set_ss(x[i].d), acc);
    }
    *out = _mm_cvtss_f32(acc);
}
#endif
