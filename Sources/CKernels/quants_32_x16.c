// Q8_0, Q4_0, Q5_0 and Q4_1 repacked 16 rows at a time, for AVX-512 VNNI (see quants_q4_K_x16.c for the idea:
// a 32-bit lane holds 4 consecutive elements of one row, and vpdpbusd with the 4 activation bytes
// broadcast advances 16 rows at once, with no horizontal sums).
//
// Weights are stored unsigned (Q8_0: w + 128; Q4_0/Q5_0: their q = w + 8 / w + 16), and the arithmetic is
// the file layout's (quants_gemm.c) bit for bit: per 32-element block, 8 int32 lanes (lane j the
// exact dot of elements 4j..4j+3, its offset -OFFSET * (those 4 activations' sum) taken out
// first), each folded into its own float lane with fma(lane, d_w d_x, acc_j), and the 8 lanes
// summed at the end as an _mm256 hsum does, plus 0.0f (Q4_1: plus its chain of fma(m_w, s_x)). Here a unit's 16 rows are one vector, so
// the 8 lanes are 8 vectors and the hsum is 7 vertical adds.
#include "kernels_simd.h"

/// 64 columns (two 32-element blocks) of 16 rows. qs[h][k], lane r: Q8_0 elements 4k..4k+3 of
/// block h (+128); Q4_0 (k < 4) bytes 4k..4k+3 of block h's qs (low nibbles elements 4k.., high
/// nibbles 16+4k..).
typedef struct { uint8_t qs[2][8][64]; pk_half d[2][16]; } pk_chunk_q8_0_x16;
typedef struct { uint8_t qs[2][4][64]; pk_half d[2][16]; } pk_chunk_q4_0_x16;
/// Q5_0: the nibbles as Q4_0's, and qh[h], lane r, byte e: bit k = fifth bit of element 4k+e,
/// bit 4+k = fifth bit of element 16+4k+e (k < 4).
typedef struct { uint8_t qs[2][4][64]; uint8_t qh[2][64]; pk_half d[2][16]; } pk_chunk_q5_0_x16;
/// Q4_1: the nibbles as Q4_0's, then the scales and the mins.
typedef struct { uint8_t qs[2][4][64]; pk_half d[2][16]; pk_half m[2][16]; } pk_chunk_q4_1_x16;

_Static_assert(sizeof(pk_chunk_q8_0_x16) == 16 * 2 * PK_Q8_0_X16_ROW_BYTES, "16 rows of 64 columns");
_Static_assert(sizeof(pk_chunk_q4_0_x16) == 16 * 2 * PK_Q4_0_X16_ROW_BYTES, "16 rows of 64 columns");
_Static_assert(sizeof(pk_chunk_q5_0_x16) == 16 * 2 * PK_Q5_0_X16_ROW_BYTES, "16 rows of 64 columns");
_Static_assert(sizeof(pk_chunk_q4_1_x16) == 16 * 2 * PK_Q4_1_X16_ROW_BYTES, "16 rows of 64 columns");

void pk_repack_q4_1_x16(const void *src, size_t src_row_bytes, int64_t rows, int64_t cols, void *dst) {
    const int64_t nc = cols / 64;
    pk_chunk_q4_1_x16 *out = dst;
    for (int64_t g = 0; g < rows / 16; g++)
        for (int64_t i = 0; i < nc; i++) {
            pk_chunk_q4_1_x16 *o = &out[g * nc + i];
            for (int r = 0; r < 16; r++) {
                const pk_block_q4_1 *b = (const pk_block_q4_1 *)((const char *)src + (size_t)(g * 16 + r) * src_row_bytes) + 2 * i;
                for (int h = 0; h < 2; h++) {
                    o->d[h][r] = b[h].d;
                    o->m[h][r] = b[h].m;
                    for (int k = 0; k < 4; k++) memcpy(&o->qs[h][k][4 * r], b[h].qs + 4 * k, 4);
                }
            }
        }
}

void pk_dequantize_row_q4_1_x16(const void *base, int64_t row, int64_t cols, float *y) {
    const pk_chunk_q4_1_x16 *g = (const pk_chunk_q4_1_x16 *)base + (row / 16) * (cols / 64);
    const int r = (int)(row % 16);
    for (int64_t i = 0; i < cols / 64; i++)
        for (int h = 0; h < 2; h++) {
            pk_block_q4_1 b;
            b.d = g[i].d[h][r];
            b.m = g[i].m[h][r];
            for (int k = 0; k < 4; k++) memcpy(b.qs + 4 * k, &g[i].qs[h][k][4 * r], 4);
            pk_dequantize_row_q4_1(&b, y + 64 * i + 32 * h, 32);
        }
}

void pk_repack_q5_0_x16(const void *src, size_t src_row_bytes, int64_t rows, int64_t cols, void *dst) {
    const int64_t nc = cols / 64;
    pk_chunk_q5_0_x16 *out = dst;
    for (int64_t g = 0; g < rows / 16; g++)
        for (int64_t i = 0; i < nc; i++) {
            pk_chunk_q5_0_x16 *o = &out[g * nc + i];
            for (int r = 0; r < 16; r++) {
                const pk_block_q5_0 *b = (const pk_block_q5_0 *)((const char *)src + (size_t)(g * 16 + r) * src_row_bytes) + 2 * i;
                for (int h = 0; h < 2; h++) {
                    o->d[h][r] = b[h].d;
                    const uint32_t qh = pk_read_u32(b[h].qh);
                    for (int k = 0; k < 4; k++) memcpy(&o->qs[h][k][4 * r], b[h].qs + 4 * k, 4);
                    for (int e = 0; e < 4; e++) {
                        uint8_t bits = 0;
                        for (int k = 0; k < 4; k++)
                            bits |= (uint8_t)((((qh >> (4 * k + e)) & 1) << k) | (((qh >> (16 + 4 * k + e)) & 1) << (4 + k)));
                        o->qh[h][4 * r + e] = bits;
                    }
                }
            }
        }
}

void pk_dequantize_row_q5_0_x16(const void *base, int64_t row, int64_t cols, float *y) {
    const pk_chunk_q5_0_x16 *g = (const pk_chunk_q5_0_x16 *)base + (row / 16) * (cols / 64);
    const int r = (int)(row % 16);
    for (int64_t i = 0; i < cols / 64; i++)
        for (int h = 0; h < 2; h++) {
            pk_block_q5_0 b;
            b.d = g[i].d[h][r];
            uint32_t qh = 0;
            for (int e = 0; e < 4; e++)
                for (int k = 0; k < 4; k++) {
                    const uint32_t bits = g[i].qh[h][4 * r + e];
                    qh |= ((bits >> k) & 1) << (4 * k + e);
                    qh |= ((bits >> (4 + k)) & 1) << (16 + 4 * k + e);
                }
            memcpy(b.qh, &qh, 4);
            for (int k = 0; k < 4; k++) memcpy(b.qs + 4 * k, &g[i].qs[h][k][4 * r], 4);
            pk_dequantize_row_q5_0(&b, y + 64 * i + 32 * h, 32);
        }
}

void pk_repack_q8_0_x16(const void *src, size_t src_row_bytes, int64_t rows, int64_t cols, void *dst) {
    const int64_t nc = cols / 64;
    pk_chunk_q8_0_x16 *out = dst;
    for (int64_t g = 0; g < rows / 16; g++)
        for (int64_t i = 0; i < nc; i++) {
            pk_chunk_q8_0_x16 *o = &out[g * nc + i];
            for (int r = 0; r < 16; r++) {
                const pk_block_q8_0 *b = (const pk_block_q8_0 *)((const char *)src + (size_t)(g * 16 + r) * src_row_bytes) + 2 * i;
                for (int h = 0; h < 2; h++) {
                    o->d[h][r] = b[h].d;
                    for (int k = 0; k < 8; k++) {
                        // + 128 on each of 4 bytes = flipping each byte's top bit
                        const uint32_t u = pk_read_u32((const uint8_t *)b[h].qs + 4 * k) ^ 0x80808080u;
                        memcpy(&o->qs[h][k][4 * r], &u, 4);
                    }
                }
            }
        }
}

void pk_repack_q4_0_x16(const void *src, size_t src_row_bytes, int64_t rows, int64_t cols, void *dst) {
    const int64_t nc = cols / 64;
    pk_chunk_q4_0_x16 *out = dst;
    for (int64_t g = 0; g < rows / 16; g++)
        for (int64_t i = 0; i < nc; i++) {
            pk_chunk_q4_0_x16 *o = &out[g * nc + i];
            for (int r = 0; r < 16; r++) {
                const pk_block_q4_0 *b = (const pk_block_q4_0 *)((const char *)src + (size_t)(g * 16 + r) * src_row_bytes) + 2 * i;
                for (int h = 0; h < 2; h++) {
                    o->d[h][r] = b[h].d;
                    for (int k = 0; k < 4; k++) memcpy(&o->qs[h][k][4 * r], b[h].qs + 4 * k, 4);
                }
            }
        }
}

void pk_dequantize_row_q8_0_x16(const void *base, int64_t row, int64_t cols, float *y) {
    const pk_chunk_q8_0_x16 *g = (const pk_chunk_q8_0_x16 *)base + (row / 16) * (cols / 64);
    const int r = (int)(row % 16);
    for (int64_t i = 0; i < cols / 64; i++)
        for (int h = 0; h < 2; h++) {
            pk_block_q8_0 b;
            b.d = g[i].d[h][r];
            for (int k = 0; k < 8; k++)
                for (int e = 0; e < 4; e++) b.qs[4 * k + e] = (int8_t)(g[i].qs[h][k][4 * r + e] - 128);
            pk_dequantize_row_q8_0(&b, y + 64 * i + 32 * h, 32);
        }
}

void pk_dequantize_row_q4_0_x16(const void *base, int64_t row, int64_t cols, float *y) {
    const pk_chunk_q4_0_x16 *g = (const pk_chunk_q4_0_x16 *)base + (row / 16) * (cols / 64);
    const int r = (int)(row % 16);
    for (int64_t i = 0; i < cols / 64; i++)
        for (int h = 0; h < 2; h++) {
            pk_block_q4_0 b;
            b.d = g[i].d[h][r];
            for (int k = 0; k < 4; k++) memcpy(b.qs + 4 * k, &g[i].qs[h][k][4 * r], 4);
            pk_dequantize_row_q4_0(&b, y + 64 * i + 32 * h, 32);
        }
}

#if PK_X86
#include <immintrin.h>

/// sums[(c * nb + b) * 8 + j] = -offset * (sum of activations 4j..4j+3 of input c's block b).
PK_TARGET_AVX512 void pk_x16_32_sums(int64_t n, const void *vx, size_t xs, int64_t count, int offset, int32_t *sums) {
    const __m256i ones = _mm256_set1_epi8(1), neg = _mm256_set1_epi32(-offset);
    for (int64_t c = 0; c < count; c++) {
        const pk_block_q8_0 *x = (const pk_block_q8_0 *)((const char *)vx + (size_t)c * xs);
        for (int64_t b = 0; b < n / 32; b++) {
            const __m256i s = _mm256_dpbusd_epi32(_mm256_setzero_si256(), ones, _mm256_loadu_si256((const __m256i *)x[b].qs));
            _mm256_storeu_si256((__m256i *)(sums + (c * (n / 32) + b) * 8), _mm256_mullo_epi32(s, neg));
        }
    }
}

#define X16_32_BCAST(xb, o) _mm512_set1_epi32((int)pk_read_u32((const uint8_t *)(xb)->qs + (o)))

/// 16 rows x C inputs.
#define DEFINE_X16_32(NAME, C, CHUNK, Q4, Q5, XB, MIN)                                                             \
    PK_TARGET_AVX512 void NAME(int64_t n, const void *vw, const void *vx, size_t xs, const int32_t *sums,          \
                               float *out, size_t os) {                                                            \
        const CHUNK *w = vw;                                                                                       \
        const XB *x[C];                                                                                            \
        for (int c = 0; c < C; c++) x[c] = (const XB *)((const char *)vx + (size_t)c * xs);                        \
        __m512 acc[C][8], mins[C];                                                                                 \
        for (int c = 0; c < C; c++) {                                                                              \
            mins[c] = _mm512_setzero_ps();                                                                         \
            for (int j = 0; j < 8; j++) acc[c][j] = _mm512_setzero_ps();                                           \
        }                                                                                                          \
        const __m512i m0f = _mm512_set1_epi8(0x0F), m10 = _mm512_set1_epi8(0x10);                                  \
        const int64_t nb = n / 32;                                                                                 \
        for (int64_t i = 0; i < n / 64; i++) {                                                                     \
            for (int h = 0; h < 2; h++) {                                                                          \
                const int64_t blk = 2 * i + h;                                                                     \
                const __m512 dw = _mm512_cvtph_ps(_mm256_load_si256((const __m256i *)w[i].d[h]));                  \
                __m512 dd[C];                                                                                      \
                for (int c = 0; c < C; c++) dd[c] = _mm512_mul_ps(dw, _mm512_set1_ps(_cvtsh_ss(x[c][blk].d)));     \
                if (MIN) { /* Q4_1: + m_w s_x per block, one fused chain per (row, input) */                      \
                    const __m512 mw = _mm512_cvtph_ps(_mm256_load_si256((const __m256i *)((const pk_chunk_q4_1_x16 *)(const void *)&w[i])->m[h])); \
                    for (int c = 0; c < C; c++)                                                                    \
                        mins[c] = _mm512_fmadd_ps(mw, _mm512_set1_ps(_cvtsh_ss(((const pk_block_q8_1 *)(const void *)&x[c][blk])->s)), mins[c]); \
                }                                                                                                  \
                for (int k = 0; k < (Q4 ? 4 : 8); k++) {                                                           \
                    const __m512i z = _mm512_load_si512((const void *)w[i].qs[h][k]);                              \
                    __m512i lo = Q4 ? _mm512_and_si512(z, m0f) : z;                                                \
                    __m512i hi = Q4 ? _mm512_and_si512(_mm512_srli_epi16(z, 4), m0f) : z;                          \
                    if (Q5) { /* fifth bits: bit k -> 0x10 (low units), bit 4+k -> 0x10 (high units) */           \
                        const __m512i qh = _mm512_load_si512((const void *)((const pk_chunk_q5_0_x16 *)(const void *)&w[i])->qh[h]); \
                        lo = _mm512_or_si512(lo, _mm512_and_si512(_mm512_slli_epi16(qh, 4 - k), m10));             \
                        hi = _mm512_or_si512(hi, _mm512_and_si512(_mm512_srli_epi16(qh, k), m10));                 \
                    }                                                                                              \
                    for (int c = 0; c < C; c++) {                                                                  \
                        const int32_t *sb = MIN ? NULL : sums + ((size_t)c * nb + blk) * 8;                        \
                        const __m512i dl = _mm512_dpbusd_epi32(MIN ? _mm512_setzero_si512() : _mm512_set1_epi32(sb[k]), lo, \
                                                               X16_32_BCAST(&x[c][blk], 4 * k));                   \
                        acc[c][k] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dl), dd[c], acc[c][k]);                     \
                        if (Q4) {                                                                                  \
                            const __m512i dh = _mm512_dpbusd_epi32(MIN ? _mm512_setzero_si512() : _mm512_set1_epi32(sb[4 + k]), hi, \
                                                                   X16_32_BCAST(&x[c][blk], 16 + 4 * k));          \
                            acc[c][4 + k] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dh), dd[c], acc[c][4 + k]);         \
                        }                                                                                          \
                    }                                                                                              \
                }                                                                                                  \
            }                                                                                                      \
        }                                                                                                          \
        for (int c = 0; c < C; c++) {                                                                              \
            const __m512 s = _mm512_add_ps(                                                                        \
                _mm512_add_ps(_mm512_add_ps(acc[c][0], acc[c][4]), _mm512_add_ps(acc[c][2], acc[c][6])),          \
                _mm512_add_ps(_mm512_add_ps(acc[c][1], acc[c][5]), _mm512_add_ps(acc[c][3], acc[c][7])));          \
            _mm512_storeu_ps(out + (size_t)c * os, _mm512_add_ps(s, mins[c]));                                    \
        }                                                                                                          \
    }

DEFINE_X16_32(pk_tile_q8_0_x16_avx512, 2, pk_chunk_q8_0_x16, 0, 0, pk_block_q8_0, 0)
DEFINE_X16_32(pk_gemv_q8_0_x16_avx512, 1, pk_chunk_q8_0_x16, 0, 0, pk_block_q8_0, 0)
DEFINE_X16_32(pk_tile_q4_0_x16_avx512, 2, pk_chunk_q4_0_x16, 1, 0, pk_block_q8_0, 0)
DEFINE_X16_32(pk_gemv_q4_0_x16_avx512, 1, pk_chunk_q4_0_x16, 1, 0, pk_block_q8_0, 0)
DEFINE_X16_32(pk_tile_q5_0_x16_avx512, 2, pk_chunk_q5_0_x16, 1, 1, pk_block_q8_0, 0)
DEFINE_X16_32(pk_gemv_q5_0_x16_avx512, 1, pk_chunk_q5_0_x16, 1, 1, pk_block_q8_0, 0)
DEFINE_X16_32(pk_tile_q4_1_x16_avx512, 2, pk_chunk_q4_1_x16, 1, 0, pk_block_q8_1, 1)
DEFINE_X16_32(pk_gemv_q4_1_x16_avx512, 1, pk_chunk_q4_1_x16, 1, 0, pk_block_q8_1, 1)

#endif
