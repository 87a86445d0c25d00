// Q6_K repacked 16 rows at a time, for AVX-512 VNNI: llama.cpp's two Q6_K arithmetics, bit for
// bit, in a layout where one 512-bit instruction advances 16 rows (see quants_q4_K_x16.c).
//
// A 32-bit lane holds 4 consecutive elements ("a unit") of one row, so vpdpbusd / vpmaddubsw with
// the unit's 4 activation bytes broadcast to all lanes give 16 rows' unit dot products at once.
// The 6-bit quants are kept at 6 bits: a nibble plane (two units per byte, from the sub-blocks
// 2s and 2s+1) and a 2-bit plane (four units per byte).
//
// - Tiled (batches of 8 or more, quants_q6_K_tiled.c): per (row, input, block) the exact int32
//   S = Σ_s scale_s (dot_s - 32 bsum_s), then acc = fma((float)S * d_w, d_x, acc).
// - vec_dot (smaller batches and decode, quants_avx2.c): 8 int32 partial lanes per block, lane L
//   collecting the units u = L (mod 8) times their sub-block's scale minus 32 (scale_2L bsum_2L +
//   scale_2L+1 bsum_2L+1); acc_L = fma(d_x d_w, (float)lane_L, acc_L); then the 8 lanes summed
//   as _mm256 hsum does: ((a0+a4)+(a2+a6)) + ((a1+a5)+(a3+a7)). Here the 8 lanes are 8 vectors
//   (one lane per row), so that sum is 7 vertical adds.
#include "kernels_simd.h"

/// One super-block of 16 rows, padded to whole cache lines. Unit (s, e) is elements 16s + 4e ..+3.
/// ql[t][e], lane r: low nibbles unit (2t, e), high nibbles unit (2t+1, e), 4 bits each;
/// qh[t][f], lane r: bits 0-1 unit (2t, 2f), 2-3 unit (2t+1, 2f), 4-5 unit (2t, 2f+1),
/// 6-7 unit (2t+1, 2f+1), the upper 2 bits of each element.
typedef struct {
    uint8_t ql[8][4][64];
    uint8_t qh[8][2][64];
    int8_t scales[16][16];  // [sub-block][row]
    pk_half d[16];
    uint8_t pad[32];
} pk_block_q6_K_x16;

_Static_assert(sizeof(pk_block_q6_K_x16) == 16 * PK_Q6_K_X16_ROW_BYTES, "16 rows of one super-block");

static inline void q6_store(pk_block_q6_K *b, int e, int v) {
    const int h = e / 128, k = (e % 128) / 32, l = e % 32;
    uint8_t *ql = &b->ql[64 * h + l + 32 * (k & 1)];
    *ql = (uint8_t)(k >= 2 ? (*ql & 0x0F) | ((v & 0x0F) << 4) : (*ql & 0xF0) | (v & 0x0F));
    uint8_t *qh = &b->qh[32 * h + l];
    *qh = (uint8_t)((*qh & ~(3 << (2 * k))) | (((v >> 4) & 3) << (2 * k)));
}

void pk_repack_q6_K_x16(const void *src, size_t src_row_bytes, int64_t rows, int64_t cols, void *dst) {
    const int64_t nb = cols / PK_QK_K;
    pk_block_q6_K_x16 *out = dst;
    for (int64_t g = 0; g < rows / 16; g++) {
        for (int64_t i = 0; i < nb; i++) {
            pk_block_q6_K_x16 *o = &out[g * nb + i];
            memset(o, 0, sizeof *o);
            for (int r = 0; r < 16; r++) {
                const pk_block_q6_K *b = (const pk_block_q6_K *)((const char *)src + (size_t)(g * 16 + r) * src_row_bytes) + i;
                o->d[r] = b->d;
                for (int s = 0; s < 16; s++) o->scales[s][r] = b->scales[s];
                // The block's 256 unsigned six-bit values in element order (ggml's
                // dequantize_row_q6_K: element 128h + 32k + l takes ql[64h + l + 32(k & 1)], its low
                // nibble for k < 2, and bits 2k, 2k+1 of qh[32h + l]), then scattered into the
                // 16-row layout.
                uint8_t q[PK_QK_K];
                for (int h = 0; h < 2; h++) {
                    for (int l = 0; l < 32; l++) {
                        const uint8_t a = b->ql[64 * h + l], c = b->ql[64 * h + l + 32], hb = b->qh[32 * h + l];
                        q[128 * h + l] = (uint8_t)((a & 0x0F) | ((hb & 3) << 4));
                        q[128 * h + l + 32] = (uint8_t)((c & 0x0F) | (((hb >> 2) & 3) << 4));
                        q[128 * h + l + 64] = (uint8_t)((a >> 4) | (((hb >> 4) & 3) << 4));
                        q[128 * h + l + 96] = (uint8_t)((c >> 4) | (((hb >> 6) & 3) << 4));
                    }
                }
                for (int s = 0; s < 16; s++) {
                    const int t = s / 2, half = s % 2;
                    for (int e = 0; e < 4; e++) {
                        for (int k = 0; k < 4; k++) {
                            const int v = q[16 * s + 4 * e + k];
                            o->ql[t][e][4 * r + k] |= (uint8_t)((v & 0x0F) << (4 * half));
                            o->qh[t][e / 2][4 * r + k] |= (uint8_t)((v >> 4) << (4 * (e % 2) + 2 * half));
                        }
                    }
                }
            }
        }
    }
}

void pk_dequantize_row_q6_K_x16(const void *base, int64_t row, int64_t cols, float *y) {
    const int64_t nb = cols / PK_QK_K;
    const pk_block_q6_K_x16 *g = (const pk_block_q6_K_x16 *)base + (row / 16) * nb;
    const int r = (int)(row % 16);
    for (int64_t i = 0; i < nb; i++) {
        const pk_block_q6_K_x16 *o = &g[i];
        pk_block_q6_K b;
        memset(&b, 0, sizeof b);
        b.d = o->d[r];
        for (int s = 0; s < 16; s++) b.scales[s] = o->scales[s][r];
        for (int s = 0; s < 16; s++) {
            const int t = s / 2, half = s % 2;
            for (int e = 0; e < 4; e++)
                for (int k = 0; k < 4; k++) {
                    const int low = (o->ql[t][e][4 * r + k] >> (4 * half)) & 0x0F;
                    const int high = (o->qh[t][e / 2][4 * r + k] >> (4 * (e % 2) + 2 * half)) & 3;
                    q6_store(&b, 16 * s + 4 * e + k, low | (high << 4));
                }
        }
        pk_dequantize_row_q6_K(&b, y + i * PK_QK_K, PK_QK_K);
    }
}

#if PK_X86
#include <immintrin.h>

/// The two units of ql[t][e] as unsigned bytes (0..63): *lo from sub-block 2t, *hi from 2t+1.
#define Q6X16_UNPACK(b, t, e, lo, hi)                                                                              \
    do {                                                                                                           \
        const __m512i n_ = _mm512_load_si512((const void *)(b)->ql[t][e]);                                         \
        __m512i h_ = _mm512_load_si512((const void *)(b)->qh[t][(e) / 2]);                                         \
        if ((e) % 2) h_ = _mm512_srli_epi16(h_, 4);                                                                \
        /* (a & b) | c, imm 0xEA: low nibble from n_, bits 4-5 from h_ */                                          \
        (lo) = _mm512_ternarylogic_epi32(n_, m0f, _mm512_and_si512(_mm512_slli_epi16(h_, 4), m30), 0xEA);          \
        (hi) = _mm512_ternarylogic_epi32(_mm512_srli_epi16(n_, 4), m0f, _mm512_and_si512(_mm512_slli_epi16(h_, 2), m30), 0xEA); \
    } while (0)

/// The 4 activation bytes of unit (s, e) in every lane.
#define Q6X16_BCAST(x, s, e) _mm512_set1_epi32((int)pk_read_u32((const uint8_t *)(x)->qs + 16 * (s) + 4 * (e)))

/// Tiled arithmetic, 16 rows x C inputs (C = PK_TILE_COLS for tiles, 1 for ragged inputs).
#define DEFINE_Q6X16_TILED(NAME, C)                                                                                \
    PK_TARGET_AVX512 void NAME(int64_t n, const void *vw, size_t ws, const void *vx, size_t xs, float *out,         \
                               size_t os) {                                                                        \
        (void)ws;                                                                                                  \
        const pk_block_q6_K_x16 *w = vw;                                                                           \
        const pk_block_q8_K *x[C];                                                                                 \
        for (int c = 0; c < C; c++) x[c] = (const pk_block_q8_K *)((const char *)vx + (size_t)c * xs);             \
        __m512 acc[C];                                                                                             \
        for (int c = 0; c < C; c++) acc[c] = _mm512_setzero_ps();                                                  \
        const __m512i m0f = _mm512_set1_epi8(0x0F), m30 = _mm512_set1_epi8(0x30);                                  \
        for (int64_t i = 0; i < n / PK_QK_K; i++) {                                                                \
            const pk_block_q6_K_x16 *b = &w[i];                                                                    \
            __m512i isum[C];                                                                                       \
            for (int c = 0; c < C; c++) isum[c] = _mm512_setzero_si512();                                          \
            for (int t = 0; t < 8; t++) {                                                                          \
                __m512i dlo[C], dhi[C];                                                                            \
                for (int c = 0; c < C; c++) {                                                                      \
                    /* the -32 offset, exact: dot - 32 * (sum of the sub-block's 16 activations) */                \
                    dlo[c] = _mm512_set1_epi32(-32 * x[c][i].bsums[2 * t]);                                        \
                    dhi[c] = _mm512_set1_epi32(-32 * x[c][i].bsums[2 * t + 1]);                                    \
                }                                                                                                  \
                for (int e = 0; e < 4; e++) {                                                                      \
                    __m512i lo, hi;                                                                                \
                    Q6X16_UNPACK(b, t, e, lo, hi);                                                                 \
                    for (int c = 0; c < C; c++) {                                                                  \
                        dlo[c] = _mm512_dpbusd_epi32(dlo[c], lo, Q6X16_BCAST(&x[c][i], 2 * t, e));                 \
                        dhi[c] = _mm512_dpbusd_epi32(dhi[c], hi, Q6X16_BCAST(&x[c][i], 2 * t + 1, e));             \
                    }                                                                                              \
                }                                                                                                  \
                const __m512i slo = _mm512_cvtepi8_epi32(_mm_load_si128((const __m128i *)b->scales[2 * t]));        \
                const __m512i shi = _mm512_cvtepi8_epi32(_mm_load_si128((const __m128i *)b->scales[2 * t + 1]));    \
                for (int c = 0; c < C; c++)                                                                        \
                    isum[c] = _mm512_add_epi32(isum[c], _mm512_add_epi32(_mm512_mullo_epi32(dlo[c], slo),          \
                                                                         _mm512_mullo_epi32(dhi[c], shi)));        \
            }                                                                                                      \
            const __m512 dw = _mm512_cvtph_ps(_mm256_load_si256((const __m256i *)b->d));                           \
            for (int c = 0; c < C; c++)                                                                            \
                acc[c] = _mm512_fmadd_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(isum[c]), dw), _mm512_set1_ps(x[c][i].d), acc[c]); \
        }                                                                                                          \
        for (int c = 0; c < C; c++) _mm512_storeu_ps(out + (size_t)c * os, acc[c]);                                \
    }

DEFINE_Q6X16_TILED(pk_tile_q6_K_x16_avx512, PK_TILE_COLS)
DEFINE_Q6X16_TILED(pk_tile1_q6_K_x16_avx512, 1)

/// vec_dot arithmetic, 16 rows x 1 input; the block `ws` bytes on is prefetched meanwhile.
PK_TARGET_AVX512 void pk_gemv_q6_K_x16_avx512(int64_t n, const void *vw, size_t ws, const void *vx, size_t xs,
                                             float *out, size_t os) {
    (void)xs; (void)os;
    enum { LINES = (sizeof(pk_block_q6_K_x16) + 63) / 64 };
    const pk_block_q6_K_x16 *w = vw;
    const pk_block_q8_K *x = vx;
    __m512 acc[8];
    for (int l = 0; l < 8; l++) acc[l] = _mm512_setzero_ps();
    const __m512i m0f = _mm512_set1_epi8(0x0F), m30 = _mm512_set1_epi8(0x30), low16 = _mm512_set1_epi32(0xFFFF);
    for (int64_t i = 0; i < n / PK_QK_K; i++) {
        const pk_block_q6_K_x16 *b = &w[i];
        __m512i lane[8];
        // The -32 offset of lane L: 32 (scale_2L bsum_2L + scale_2L+1 bsum_2L+1), subtracted first.
        for (int l = 0; l < 8; l++) {
            const __m512i s0 = _mm512_cvtepi8_epi32(_mm_load_si128((const __m128i *)b->scales[2 * l]));
            const __m512i s1 = _mm512_cvtepi8_epi32(_mm_load_si128((const __m128i *)b->scales[2 * l + 1]));
            lane[l] = _mm512_sub_epi32(_mm512_setzero_si512(),
                                       _mm512_add_epi32(_mm512_mullo_epi32(s0, _mm512_set1_epi32(32 * x[i].bsums[2 * l])),
                                                        _mm512_mullo_epi32(s1, _mm512_set1_epi32(32 * x[i].bsums[2 * l + 1]))));
        }
        for (int t = 0; t < 8; t++) {
            if (ws)
                for (int l = t * LINES / 8; l < (t + 1) * LINES / 8; l++) _mm_prefetch((const char *)b + ws + 64 * l, _MM_HINT_T0);
            // (scale, scale) as two int16 per row, for vpmaddwd after vpmaddubsw's pair sums.
            const __m512i s0 = _mm512_cvtepi8_epi32(_mm_load_si128((const __m128i *)b->scales[2 * t]));
            const __m512i s1 = _mm512_cvtepi8_epi32(_mm_load_si128((const __m128i *)b->scales[2 * t + 1]));
            const __m512i p0 = _mm512_or_si512(_mm512_and_si512(s0, low16), _mm512_slli_epi32(s0, 16));
            const __m512i p1 = _mm512_or_si512(_mm512_and_si512(s1, low16), _mm512_slli_epi32(s1, 16));
            for (int e = 0; e < 4; e++) {
                __m512i lo, hi;
                Q6X16_UNPACK(b, t, e, lo, hi);
                // unit (2t, e) is unit 8t + e: lane e; unit (2t+1, e) is 8t + 4 + e: lane 4 + e.
                lane[e] = _mm512_add_epi32(lane[e], _mm512_madd_epi16(_mm512_maddubs_epi16(lo, Q6X16_BCAST(x + i, 2 * t, e)), p0));
                lane[4 + e] = _mm512_add_epi32(lane[4 + e],
                                               _mm512_madd_epi16(_mm512_maddubs_epi16(hi, Q6X16_BCAST(x + i, 2 * t + 1, e)), p1));
            }
        }
        const __m512 dd = _mm512_mul_ps(_mm512_set1_ps(x[i].d), _mm512_cvtph_ps(_mm256_load_si256((const __m256i *)b->d)));
        for (int l = 0; l < 8; l++) acc[l] = _mm512_fmadd_ps(dd, _mm512_cvtepi32_ps(lane[l]), acc[l]);
    }
    const __m512 s = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(acc[0], acc[4]), _mm512_add_ps(acc[2], acc[6])),
                                   _mm512_add_ps(_mm512_add_ps(acc[1], acc[5]), _mm512_add_ps(acc[3], acc[7])));
    _mm512_storeu_ps(out, s);
}

// MARK: - AVX2 (no VNNI)

// The same layout and arithmetics with AVX2, 8 rows (a 32-byte half) at a time: vpmaddubsw's int16
// pair sums of two units are added in int16 (|sum| <= 2 * 2 * 63 * 128 < 2^15) and vpmaddwd by
// (scale, scale) gives scale * dot in int32. Integers do not round, so only the float steps must
// match, and they are the ones above.

/// The two units of ql[t][e], rows 8h..8h+7, as unsigned bytes (0..63): *lo from sub-block 2t, *hi from 2t+1.
#define Q6X8_UNPACK(b, t, e, h, lo, hi)                                                                            \
    do {                                                                                                           \
        const __m256i n_ = _mm256_load_si256((const __m256i *)((b)->ql[t][e] + 32 * (h)));                         \
        __m256i h_ = _mm256_load_si256((const __m256i *)((b)->qh[t][(e) / 2] + 32 * (h)));                         \
        if ((e) % 2) h_ = _mm256_srli_epi16(h_, 4);                                                                \
        (lo) = _mm256_or_si256(_mm256_and_si256(n_, m0f), _mm256_and_si256(_mm256_slli_epi16(h_, 4), m30));       \
        (hi) = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(n_, 4), m0f), _mm256_and_si256(_mm256_slli_epi16(h_, 2), m30)); \
    } while (0)
#define Q6X8_BCAST(x, s, e) _mm256_set1_epi32((int)pk_read_u32((const uint8_t *)(x)->qs + 16 * (s) + 4 * (e)))
/// Signed scales of sub-block s, rows 8h.., as int16 pairs (scale, scale).
#define Q6X8_SCALES(b, s, h)                                                                                       \
    _mm256_or_si256(_mm256_and_si256(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)((b)->scales[s] + 8 * (h)))), _mm256_set1_epi32(0xFFFF)), \
                    _mm256_slli_epi32(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)((b)->scales[s] + 8 * (h)))), 16))
/// Scales of sub-blocks s and s+1, rows 8h.., as int16 pairs (scale_s, scale_s+1).
#define Q6X8_SCALE_PAIR(b, s, h)                                                                                   \
    _mm256_or_si256(_mm256_and_si256(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)((b)->scales[s] + 8 * (h)))), _mm256_set1_epi32(0xFFFF)), \
                    _mm256_slli_epi32(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)((b)->scales[(s) + 1] + 8 * (h)))), 16))
/// (bsum_s, bsum_s+1) of an input in every lane.
#define Q6X8_BSUM_PAIR(x, s) _mm256_set1_epi32((int)(((uint32_t)(uint16_t)(x)->bsums[s]) | ((uint32_t)(uint16_t)(x)->bsums[(s) + 1] << 16)))

/// Tiled arithmetic, 16 rows x C inputs (8 rows and 2 inputs at a time).
#define DEFINE_Q6X16_TILED_AVX2(NAME, C)                                                                           \
    PK_TARGET_AVX2 void NAME(int64_t n, const void *vw, size_t ws, const void *vx, size_t xs, float *out, size_t os) { \
        (void)ws;                                                                                                  \
        const pk_block_q6_K_x16 *w = vw;                                                                           \
        const __m256i m0f = _mm256_set1_epi8(0x0F), m30 = _mm256_set1_epi8(0x30);                                  \
        for (int h = 0; h < 2; h++)                                                                                \
            for (int c0 = 0; c0 < (C); c0 += 2) {                                                                  \
                const int cn = (C) - c0 < 2 ? (C) - c0 : 2;                                                        \
                const pk_block_q8_K *x[2];                                                                         \
                for (int c = 0; c < 2; c++) x[c] = (const pk_block_q8_K *)((const char *)vx + (size_t)(c0 + (c < cn ? c : 0)) * xs); \
                __m256 acc[2] = {_mm256_setzero_ps(), _mm256_setzero_ps()};                                        \
                for (int64_t i = 0; i < n / PK_QK_K; i++) {                                                        \
                    const pk_block_q6_K_x16 *b = &w[i];                                                            \
                    __m256i isum[2], off[2];                                                                       \
                    for (int c = 0; c < 2; c++) { isum[c] = _mm256_setzero_si256(); off[c] = _mm256_setzero_si256(); } \
                    for (int t = 0; t < 8; t++) {                                                                  \
                        const __m256i slo = Q6X8_SCALES(b, 2 * t, h), shi = Q6X8_SCALES(b, 2 * t + 1, h);          \
                        const __m256i sp = Q6X8_SCALE_PAIR(b, 2 * t, h);                                           \
                        for (int c = 0; c < 2; c++) off[c] = _mm256_add_epi32(off[c], _mm256_madd_epi16(sp, Q6X8_BSUM_PAIR(&x[c][i], 2 * t))); \
                        for (int e0 = 0; e0 < 4; e0 += 2) {                                                        \
                            __m256i alo[2], ahi[2];                                                                \
                            for (int c = 0; c < 2; c++) { alo[c] = _mm256_setzero_si256(); ahi[c] = _mm256_setzero_si256(); } \
                            for (int e = e0; e < e0 + 2; e++) {                                                    \
                                __m256i lo, hi;                                                                    \
                                Q6X8_UNPACK(b, t, e, h, lo, hi);                                                   \
                                for (int c = 0; c < 2; c++) {                                                      \
                                    alo[c] = _mm256_add_epi16(alo[c], _mm256_maddubs_epi16(lo, Q6X8_BCAST(&x[c][i], 2 * t, e)));     \
                                    ahi[c] = _mm256_add_epi16(ahi[c], _mm256_maddubs_epi16(hi, Q6X8_BCAST(&x[c][i], 2 * t + 1, e))); \
                                }                                                                                  \
                            }                                                                                      \
                            for (int c = 0; c < 2; c++)                                                            \
                                isum[c] = _mm256_add_epi32(isum[c], _mm256_add_epi32(_mm256_madd_epi16(alo[c], slo), \
                                                                                     _mm256_madd_epi16(ahi[c], shi))); \
                        }                                                                                          \
                    }                                                                                              \
                    const __m256 dw = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(b->d + 8 * h)));           \
                    for (int c = 0; c < 2; c++) {                                                                  \
                        /* S = sum scale (dot - 32 bsum), exact in int32 */                                        \
                        const __m256i S = _mm256_sub_epi32(isum[c], _mm256_slli_epi32(off[c], 5));                 \
                        acc[c] = _mm256_fmadd_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(S), dw), _mm256_set1_ps(x[c][i].d), acc[c]); \
                    }                                                                                              \
                }                                                                                                  \
                for (int c = 0; c < cn; c++) _mm256_storeu_ps(out + (size_t)(c0 + c) * os + 8 * h, acc[c]);       \
            }                                                                                                      \
    }

DEFINE_Q6X16_TILED_AVX2(pk_tile_q6_K_x16_avx2, PK_TILE_COLS)
DEFINE_Q6X16_TILED_AVX2(pk_tile1_q6_K_x16_avx2, 1)

/// vec_dot arithmetic, 16 rows x 1 input (8 rows at a time); the block `ws` bytes on is prefetched meanwhile.
PK_TARGET_AVX2 void pk_gemv_q6_K_x16_avx2(int64_t n, const void *vw, size_t ws, const void *vx, size_t xs,
                                         float *out, size_t os) {
    (void)xs; (void)os;
    enum { LINES = (sizeof(pk_block_q6_K_x16) + 63) / 64 };
    const pk_block_q6_K_x16 *w = vw;
    const pk_block_q8_K *x = vx;
    __m256 acc[2][8];
    for (int h = 0; h < 2; h++)
        for (int l = 0; l < 8; l++) acc[h][l] = _mm256_setzero_ps();
    const __m256i m0f = _mm256_set1_epi8(0x0F), m30 = _mm256_set1_epi8(0x30);
    for (int64_t i = 0; i < n / PK_QK_K; i++) {
        const pk_block_q6_K_x16 *b = &w[i];
        if (ws)
            for (int l = 0; l < LINES; l++) _mm_prefetch((const char *)b + ws + 64 * l, _MM_HINT_T0);
        const __m256 dd = _mm256_mul_ps(_mm256_set1_ps(x[i].d), _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(b->d))));
        const __m256 dd1 = _mm256_mul_ps(_mm256_set1_ps(x[i].d), _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(b->d + 8))));
        for (int h = 0; h < 2; h++) {
            __m256i lane[8];
            // The -32 offset of lane L: 32 (scale_2L bsum_2L + scale_2L+1 bsum_2L+1), subtracted first.
            for (int l = 0; l < 8; l++)
                lane[l] = _mm256_sub_epi32(_mm256_setzero_si256(),
                                           _mm256_slli_epi32(_mm256_madd_epi16(Q6X8_SCALE_PAIR(b, 2 * l, h), Q6X8_BSUM_PAIR(x + i, 2 * l)), 5));
            for (int t = 0; t < 8; t++) {
                const __m256i p0 = Q6X8_SCALES(b, 2 * t, h), p1 = Q6X8_SCALES(b, 2 * t + 1, h);
                for (int e = 0; e < 4; e++) {
                    __m256i lo, hi;
                    Q6X8_UNPACK(b, t, e, h, lo, hi);
                    // unit (2t, e) is unit 8t + e: lane e; unit (2t+1, e) is 8t + 4 + e: lane 4 + e.
                    lane[e] = _mm256_add_epi32(lane[e], _mm256_madd_epi16(_mm256_maddubs_epi16(lo, Q6X8_BCAST(x + i, 2 * t, e)), p0));
                    lane[4 + e] = _mm256_add_epi32(lane[4 + e], _mm256_madd_epi16(_mm256_maddubs_epi16(hi, Q6X8_BCAST(x + i, 2 * t + 1, e)), p1));
                }
            }
            const __m256 d = h ? dd1 : dd;
            for (int l = 0; l < 8; l++) acc[h][l] = _mm256_fmadd_ps(d, _mm256_cvtepi32_ps(lane[l]), acc[h][l]);
        }
    }
    for (int h = 0; h < 2; h++) {
        const __m256 s = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(acc[h][0], acc[h][4]), _mm256_add_ps(acc[h][2], acc[h][6])),
                                       _mm256_add_ps(_mm256_add_ps(acc[h][1], acc[h][5]), _mm256_add_ps(acc[h][3], acc[h][7])));
        _mm256_storeu_ps(out + 8 * h, s);
    }
}

#endif
