// Q6_K with the arithmetic of llama.cpp's tiled K-quant matmul (ggml-cpu/tiled).
//
// llama.cpp multiplies a K-quant matrix that is not repacked (on x86: Q6_K, and Q4_K/Q5_K
// matrices whose row count is not a multiple of 8) by a batch of 8 or more inputs with its tiled
// kernel instead of vec_dot. Per (row, input) and 256-value block it forms the exact int32 sum
// S = Σ_sub-blocks scale * Σ (q - 32) x, then rounds twice and fuses once:
//
//     acc = fma((float)S * d_w, d_x, acc)        (blocks in order, acc from 0)
//
// (its AVX-512 VNNI microkernel multiplies by d_w in the epilogue and GCC contracts the add of
// `result * d_x` into the output buffer; checked to the bit against llama.cpp's ffn_down
// products of Gemma 3). vec_dot instead accumulates 8 partial lanes. The kernels here give every
// (row, input) pair of such a batch that chain; the dispatch uses them for batches of >= 8.
#include "kernels_simd.h"

#if PK_X86
#include <immintrin.h>
#include <math.h>

/// Integer Σ scale * (q - 32) * x over one Q6_K block and one Q8_K block, as 8 int32 lanes whose
/// sum is the exact block sum.
#define Q6K_TILED_BLOCK_SUMS(CT, b, x, i, isum)                                                                    \
    do {                                                                                                           \
        const __m256i low4_ = _mm256_set1_epi8(0x0F), three_ = _mm256_set1_epi8(3);                                \
        const __m256i sc16_ = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(b)->scales));                \
        for (int c = 0; c < CT; c++) /* the -32 offset: 32 * Σ scale_k * (sum of the 16 x of sub-block k) */        \
            (isum)[c] = _mm256_sub_epi32(_mm256_setzero_si256(), _mm256_slli_epi32(_mm256_madd_epi16(sc16_,        \
                _mm256_loadu_si256((const __m256i *)(x)[c][i].bsums)), 5));                                        \
        for (int h = 0; h < 2; h++) {                                                                              \
            const uint8_t *ql = (b)->ql + 64 * h;                                                                  \
            const __m256i qh = _mm256_loadu_si256((const __m256i *)((b)->qh + 32 * h));                            \
            const __m256i l0 = _mm256_loadu_si256((const __m256i *)ql);                                            \
            const __m256i l1 = _mm256_loadu_si256((const __m256i *)(ql + 32));                                     \
            __m256i q[4];                                                                                          \
            q[0] = _mm256_or_si256(_mm256_and_si256(l0, low4_), _mm256_slli_epi16(_mm256_and_si256(qh, three_), 4)); \
            q[1] = _mm256_or_si256(_mm256_and_si256(l1, low4_),                                                    \
                _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2), three_), 4));                         \
            q[2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l0, 4), low4_),                              \
                _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 4), three_), 4));                         \
            q[3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l1, 4), low4_),                              \
                _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 6), three_), 4));                         \
            for (int k = 0; k < 4; k++) {                                                                          \
                const __m256i s = _mm256_setr_m128i(_mm_set1_epi16((b)->scales[8 * h + 2 * k]),                    \
                                                    _mm_set1_epi16((b)->scales[8 * h + 2 * k + 1]));               \
                for (int c = 0; c < CT; c++) {                                                                     \
                    const __m256i p = _mm256_maddubs_epi16(q[k],                                                   \
                        _mm256_loadu_si256((const __m256i *)((x)[c][i].qs + 128 * h + 32 * k)));                   \
                    (isum)[c] = _mm256_add_epi32((isum)[c], _mm256_madd_epi16(p, s));                              \
                }                                                                                                  \
            }                                                                                                      \
        }                                                                                                          \
    } while (0)

/// RT weight rows x 4 inputs: the 4 inputs' block sums are reduced together into 4 lanes, so one
/// multiply and one 4-lane fused multiply-add advance the 4 (row, input) chains of a row.
#define DEFINE_Q6K_TILED_TILE(NAME, T, RT)                                                                         \
    T void NAME(int64_t n, const void *vw, size_t ws, const void *vx, size_t xs, float *out, size_t os) {          \
        __m128 acc[RT];                                                                                            \
        for (int r = 0; r < RT; r++) acc[r] = _mm_setzero_ps();                                                    \
        const pk_block_q8_K *x[4];                                                                                 \
        for (int c = 0; c < 4; c++) x[c] = (const pk_block_q8_K *)((const char *)vx + (size_t)c * xs);             \
        for (int64_t i = 0; i < n / PK_QK_K; i++) {                                                                \
            const __m128 xd = _mm_setr_ps(x[0][i].d, x[1][i].d, x[2][i].d, x[3][i].d);                             \
            for (int r = 0; r < RT; r++) {                                                                         \
                const pk_block_q6_K *b = (const pk_block_q6_K *)((const char *)vw + (size_t)r * ws) + i;           \
                __m256i isum[4];                                                                                   \
                Q6K_TILED_BLOCK_SUMS(4, b, x, i, isum);                                                            \
                const __m256i h = _mm256_hadd_epi32(_mm256_hadd_epi32(isum[0], isum[1]),                           \
                                                    _mm256_hadd_epi32(isum[2], isum[3]));                          \
                const __m128i s4 = _mm_add_epi32(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));       \
                const __m128 t = _mm_mul_ps(_mm_cvtepi32_ps(s4), _mm_set1_ps(_cvtsh_ss(b->d)));                    \
                acc[r] = _mm_fmadd_ps(t, xd, acc[r]);                                                              \
            }                                                                                                      \
        }                                                                                                          \
        for (int r = 0; r < RT; r++) {                                                                             \
            float res[4];                                                                                          \
            _mm_storeu_ps(res, acc[r]);                                                                            \
            for (int c = 0; c < 4; c++) out[(size_t)c * os + r] = res[c];                                          \
        }                                                                                                          \
    }

/// One (row, input) pair (ragged edges of a batch).
#define DEFINE_Q6K_TILED_DOT1(NAME, T)                                                                             \
    T void NAME(int64_t n, const void *vw, size_t ws, const void *vx, size_t xs, float *out, size_t os) {          \
        (void)ws; (void)xs; (void)os;                                                                              \
        float acc = 0.0f;                                                                                          \
        const pk_block_q8_K *x[1] = {(const pk_block_q8_K *)vx};                                                   \
        for (int64_t i = 0; i < n / PK_QK_K; i++) {                                                                \
            const pk_block_q6_K *b = (const pk_block_q6_K *)vw + i;                                                \
            __m256i isum[1];                                                                                       \
            Q6K_TILED_BLOCK_SUMS(1, b, x, i, isum);                                                                \
            __m128i s = _mm_add_epi32(_mm256_castsi256_si128(isum[0]), _mm256_extracti128_si256(isum[0], 1));      \
            s = _mm_hadd_epi32(s, s);                                                                              \
            s = _mm_hadd_epi32(s, s);                                                                              \
            acc = fmaf((float)_mm_cvtsi128_si32(s) * _cvtsh_ss(b->d), x[0][i].d, acc);                             \
        }                                                                                                          \
        *out = acc;                                                                                                \
    }

DEFINE_Q6K_TILED_TILE(pk_tile_q6_K_tiled_avx2, PK_TARGET_AVX2, 2)
DEFINE_Q6K_TILED_TILE(pk_tile_q6_K_tiled_avx512, PK_TARGET_AVX512, 4)
DEFINE_Q6K_TILED_DOT1(pk_dot1_q6_K_tiled_avx2, PK_TARGET_AVX2)
DEFINE_Q6K_TILED_DOT1(pk_dot1_q6_K_tiled_avx512, PK_TARGET_AVX512)

#endif
