// Q4_K repacked 16 rows at a time, for AVX-512 VNNI: the same arithmetic as quants_q4_K_r8.c
// (llama.cpp's repacked q4_K_8x8 kernels, bit for bit), in a layout where one 512-bit vpdpbusd
// advances 16 rows at once.
//
// In the file's layout a vector holds consecutive elements of one row, so every dot product ends
// in a horizontal sum, and a weight block unpacked once serves only the few inputs of a tile. Here
// a 64-byte vector holds 4 consecutive elements of 16 rows (one 32-bit lane per row); the 4
// matching activation bytes are broadcast to all lanes, so each vpdpbusd is 64 useful
// multiply-adds with no reduction afterwards, and a weight vector is unpacked once per tile of
// inputs. Each lane's integer sums are exactly those of the r8 kernels (integers do not round),
// and the float operations per (row, input) pair are the same ones in the same order:
//
// - gemm (inputs in groups of 4): per sub-block pair p, s = sc_2p dot_2p + sc_2p+1 dot_2p+1 and
//   m = min_2p bsum_2p + min_2p+1 bsum_2p+1, then acc = fma(s, d_w d_x, acc) and
//   accm = fma(m, dmin_w d_x, accm). s and m are built in float here, exactly: |dot| <= 32*15*128,
//   so every product and sum stays below 2^24.
// - gemv (decode, the last batch % 4 inputs): one int32 sum per super-block for the scales and
//   one for the mins, each folded in with one fma.
//
// The high nibbles are not shifted down: vpdpbusd multiplies (q & 0xF0) = 16 q, and the 16 is
// taken out afterwards (exactly: a power of two in float, a shift of a multiple of 16 in int).
#include "kernels_simd.h"

/// One super-block (256 columns) of 16 rows. `qs[p][k]` holds, in 32-bit lane r, bytes
/// 4k..4k+3 of row r's qs[32p ..< 32p+32]: low nibbles are elements 64p + 4k + (0..3) (sub-block
/// 2p), high nibbles elements 64p + 32 + 4k + (0..3) (sub-block 2p+1).
typedef struct {
    pk_half d[16];
    pk_half dmin[16];
    uint8_t scales[8][16];   // [sub-block][row], six-bit
    uint8_t mins[8][16];
    uint8_t qs[4][8][64];
} pk_block_q4_K_x16;

_Static_assert(sizeof(pk_block_q4_K_x16) == 16 * PK_Q4_K_X16_ROW_BYTES, "16 rows of one super-block");

void pk_repack_q4_K_x16(const void *src, size_t src_row_bytes, int64_t rows, int64_t cols, void *dst) {
    const int64_t nb = cols / PK_QK_K;
    pk_block_q4_K_x16 *out = dst;
    for (int64_t g = 0; g < rows / 16; g++) {
        for (int64_t i = 0; i < nb; i++) {
            pk_block_q4_K_x16 *o = &out[g * nb + i];
            for (int r = 0; r < 16; r++) {
                const pk_block_q4_K *b = (const pk_block_q4_K *)((const char *)src + (size_t)(g * 16 + r) * src_row_bytes) + i;
                o->d[r] = b->d;
                o->dmin[r] = b->dmin;
                uint32_t sm[4];
                pk_unpack_k4_scales(b->scales, sm);
                const uint8_t *sc = (const uint8_t *)sm;
                for (int j = 0; j < 8; j++) {
                    o->scales[j][r] = sc[j];
                    o->mins[j][r] = sc[8 + j];
                }
                for (int p = 0; p < 4; p++)
                    for (int k = 0; k < 8; k++) memcpy(&o->qs[p][k][4 * r], b->qs + 32 * p + 4 * k, 4);
            }
        }
    }
}

void pk_dequantize_row_q4_K_x16(const void *base, int64_t row, int64_t cols, float *y) {
    const int64_t nb = cols / PK_QK_K;
    const pk_block_q4_K_x16 *g = (const pk_block_q4_K_x16 *)base + (row / 16) * nb;
    const int r = (int)(row % 16);
    for (int64_t i = 0; i < nb; i++) {
        const pk_block_q4_K_x16 *o = &g[i];
        pk_block_q4_K b;
        b.d = o->d[r];
        b.dmin = o->dmin[r];
        uint8_t sc[8], m[8];
        for (int j = 0; j < 8; j++) { sc[j] = o->scales[j][r]; m[j] = o->mins[j][r]; }
        // ggml's 12-byte packing of eight six-bit scales and mins (the inverse of get_scale_min_k4).
        for (int j = 0; j < 4; j++) {
            b.scales[j] = (uint8_t)(sc[j] | ((sc[j + 4] >> 4) << 6));
            b.scales[j + 4] = (uint8_t)(m[j] | ((m[j + 4] >> 4) << 6));
            b.scales[j + 8] = (uint8_t)((sc[j + 4] & 0x0F) | ((m[j + 4] & 0x0F) << 4));
        }
        for (int p = 0; p < 4; p++)
            for (int k = 0; k < 8; k++) memcpy(b.qs + 32 * p + 4 * k, &o->qs[p][k][4 * r], 4);
        pk_dequantize_row_q4_K(&b, y + i * PK_QK_K, PK_QK_K);
    }
}

#if PK_X86
#include <immintrin.h>

/// The activation bytes that meet qs[p][k]: 4 of sub-block 2p (lo) or 2p+1 (hi), in every lane.
#define X16_BCAST(x, p, k, hi) _mm512_set1_epi32((int)pk_read_u32((const uint8_t *)(x)->qs + 64 * (p) + 32 * (hi) + 4 * (k)))

/// Sub-block activation sums (32 elements each) of one Q8_K block, as floats (exact: |sum| <= 4096).
#define X16_BSUMS(xb, f)                                                                                           \
    _mm256_storeu_ps((f), _mm256_cvtepi32_ps(_mm256_cvtepi16_epi32(_mm_hadd_epi16(                                  \
                              _mm_loadu_si128((const __m128i *)(xb)->bsums), _mm_loadu_si128((const __m128i *)((xb)->bsums + 8))))))

/// 16 rows x 4 inputs with the gemm arithmetic: out[c * os + r].
PK_TARGET_AVX512 void pk_tile_q4_K_x16_avx512(int64_t n, const void *vw, size_t ws, const void *vx, size_t xs,
                                             float *out, size_t os) {
    (void)ws;
    enum { C = PK_TILE_COLS };
    const pk_block_q4_K_x16 *w = vw;
    const pk_block_q8_K *x[C];
    for (int c = 0; c < C; c++) x[c] = (const pk_block_q8_K *)((const char *)vx + (size_t)c * xs);
    __m512 acc[C], accm[C];
    for (int c = 0; c < C; c++) { acc[c] = _mm512_setzero_ps(); accm[c] = _mm512_setzero_ps(); }
    const __m512i low = _mm512_set1_epi8(0x0F), high = _mm512_set1_epi8((char)0xF0);
    const __m512 sixteenth = _mm512_set1_ps(1.0f / 16.0f);
    for (int64_t i = 0; i < n / PK_QK_K; i++) {
        const pk_block_q4_K_x16 *b = &w[i];
        // Per input: d_w d_x and dmin_w d_x (16 rows each), and the sub-block activation sums.
        __m512 ds[C], dm[C];
        float bs[C][8];
        {
            const __m512 dw = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)b->d));
            const __m512 dmw = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)b->dmin));
            for (int c = 0; c < C; c++) {
                const __m512 xd = _mm512_set1_ps(x[c][i].d);
                ds[c] = _mm512_mul_ps(dw, xd);
                dm[c] = _mm512_mul_ps(dmw, xd);
                X16_BSUMS(&x[c][i], bs[c]);
            }
        }
        for (int p = 0; p < 4; p++) {
            __m512i lo[C], hi[C];
            for (int c = 0; c < C; c++) { lo[c] = _mm512_setzero_si512(); hi[c] = _mm512_setzero_si512(); }
            for (int k = 0; k < 8; k++) {
                const __m512i z = _mm512_load_si512((const void *)b->qs[p][k]);
                const __m512i wl = _mm512_and_si512(z, low), wh = _mm512_and_si512(z, high);
                for (int c = 0; c < C; c++) {
                    lo[c] = _mm512_dpbusd_epi32(lo[c], wl, X16_BCAST(&x[c][i], p, k, 0));
                    hi[c] = _mm512_dpbusd_epi32(hi[c], wh, X16_BCAST(&x[c][i], p, k, 1));
                }
            }
            const __m512 slo = _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(_mm_load_si128((const __m128i *)b->scales[2 * p])));
            const __m512 shi = _mm512_mul_ps(
                _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(_mm_load_si128((const __m128i *)b->scales[2 * p + 1]))), sixteenth);
            const __m512 mlo = _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(_mm_load_si128((const __m128i *)b->mins[2 * p])));
            const __m512 mhi = _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(_mm_load_si128((const __m128i *)b->mins[2 * p + 1])));
            for (int c = 0; c < C; c++) {
                const __m512 s = _mm512_fmadd_ps(_mm512_cvtepi32_ps(hi[c]), shi, _mm512_mul_ps(_mm512_cvtepi32_ps(lo[c]), slo));
                acc[c] = _mm512_fmadd_ps(s, ds[c], acc[c]);
                const __m512 m = _mm512_fmadd_ps(mhi, _mm512_set1_ps(bs[c][2 * p + 1]), _mm512_mul_ps(mlo, _mm512_set1_ps(bs[c][2 * p])));
                accm[c] = _mm512_fmadd_ps(m, dm[c], accm[c]);
            }
        }
    }
    for (int c = 0; c < C; c++) _mm512_storeu_ps(out + (size_t)c * os, _mm512_sub_ps(acc[c], accm[c]));
}

/// 16 rows x 1 input with the gemv arithmetic: out[0..15]; the block `ws` bytes on is prefetched meanwhile.
PK_TARGET_AVX512 void pk_gemv_q4_K_x16_avx512(int64_t n, const void *vw, size_t ws, const void *vx, size_t xs,
                                             float *out, size_t os) {
    (void)xs; (void)os;
    const pk_block_q4_K_x16 *w = vw;
    const pk_block_q8_K *x = vx;
    __m512 acc = _mm512_setzero_ps(), accm = _mm512_setzero_ps();
    const __m512i low = _mm512_set1_epi8(0x0F), high = _mm512_set1_epi8((char)0xF0);
    enum { LINES = (sizeof(pk_block_q4_K_x16) + 63) / 64 };
    for (int64_t i = 0; i < n / PK_QK_K; i++) {
        const pk_block_q4_K_x16 *b = &w[i];
        __m512i lo[4], hi[4];  // 8 independent chains hide vpdpbusd's latency
        for (int p = 0; p < 4; p++) { lo[p] = _mm512_setzero_si512(); hi[p] = _mm512_setzero_si512(); }
        for (int k = 0; k < 8; k++) {
            if (ws)
                for (int l = k * LINES / 8; l < (k + 1) * LINES / 8; l++) _mm_prefetch((const char *)b + ws + 64 * l, _MM_HINT_T0);
            for (int p = 0; p < 4; p++) {
                const __m512i z = _mm512_load_si512((const void *)b->qs[p][k]);
                lo[p] = _mm512_dpbusd_epi32(lo[p], _mm512_and_si512(z, low), X16_BCAST(&x[i], p, k, 0));
                hi[p] = _mm512_dpbusd_epi32(hi[p], _mm512_and_si512(z, high), X16_BCAST(&x[i], p, k, 1));
            }
        }
        // Whole-block integer sums, exact in int32: |sum sc dot| <= 8 * 63 * 61440; the high
        // half carries a factor 16 until the shift (4 * 63 * 16 * 61440 < 2^31).
        __m512i slo = _mm512_setzero_si512(), shi = _mm512_setzero_si512();
        for (int p = 0; p < 4; p++) {
            slo = _mm512_add_epi32(slo, _mm512_mullo_epi32(lo[p], _mm512_cvtepu8_epi32(_mm_load_si128((const __m128i *)b->scales[2 * p]))));
            shi = _mm512_add_epi32(shi, _mm512_mullo_epi32(hi[p], _mm512_cvtepu8_epi32(_mm_load_si128((const __m128i *)b->scales[2 * p + 1]))));
        }
        const __m512i isum = _mm512_add_epi32(slo, _mm512_srai_epi32(shi, 4));
        // The mins' sum in float is exact (8 * 63 * 4096 < 2^24), whatever the order.
        float bs[8];
        X16_BSUMS(&x[i], bs);
        __m512 msum = _mm512_setzero_ps();
        for (int j = 0; j < 8; j++)
            msum = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(_mm_load_si128((const __m128i *)b->mins[j]))),
                                   _mm512_set1_ps(bs[j]), msum);
        const __m512 xd = _mm512_set1_ps(x[i].d);
        acc = _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum),
                              _mm512_mul_ps(_mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)b->d)), xd), acc);
        accm = _mm512_fmadd_ps(msum, _mm512_mul_ps(_mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)b->dmin)), xd), accm);
    }
    _mm512_storeu_ps(out, _mm512_sub_ps(acc, accm));
}

// MARK: - AVX2 (no VNNI)

// The same layout and the same arithmetic per (row, input) with AVX2: a 32-byte half of a 64-byte
// vector holds 8 rows. Without vpdpbusd, vpmaddubsw gives two int16 sums per lane; the 8 groups of
// a sub-block are added in int16 (|sum| <= 8 * 2 * 15 * 128 < 2^15, high nibbles shifted down
// first) and vpmaddwd by the sub-block's scale, as the pair (sc, sc), gives sc * dot in int32: one
// int32 multiply per 32 elements instead of the horizontal sums the file layout needs.

/// The six-bit values `v` of 8 rows as int16 pairs (v, v), one row per 32-bit lane.
#define X8_PAIRS(v) _mm256_or_si256(_mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(v))), \
                                    _mm256_slli_epi32(_mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(v))), 16))
#define X8_BCAST(x, p, k, hi) _mm256_set1_epi32((int)pk_read_u32((const uint8_t *)(x)->qs + 64 * (p) + 32 * (hi) + 4 * (k)))

/// 16 rows x 4 inputs with the gemm arithmetic (8 rows at a time): out[c * os + r].
PK_TARGET_AVX2 void pk_tile_q4_K_x16_avx2(int64_t n, const void *vw, size_t ws, const void *vx, size_t xs,
                                         float *out, size_t os) {
    (void)ws;
    enum { C = PK_TILE_COLS };
    const pk_block_q4_K_x16 *w = vw;
    const pk_block_q8_K *x[C];
    for (int c = 0; c < C; c++) x[c] = (const pk_block_q8_K *)((const char *)vx + (size_t)c * xs);
    const __m256i low = _mm256_set1_epi8(0x0F);
    for (int h = 0; h < 2; h++) {
        __m256 acc[C], accm[C];
        for (int c = 0; c < C; c++) { acc[c] = _mm256_setzero_ps(); accm[c] = _mm256_setzero_ps(); }
        for (int64_t i = 0; i < n / PK_QK_K; i++) {
            const pk_block_q4_K_x16 *b = &w[i];
            const __m256 dw = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(b->d + 8 * h)));
            const __m256 dmw = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(b->dmin + 8 * h)));
            float bs[C][8];
            for (int c = 0; c < C; c++) X16_BSUMS(&x[c][i], bs[c]);
            for (int p = 0; p < 4; p++) {
                __m256i s[C];
                for (int hi = 0; hi < 2; hi++) {
                    __m256i a[C];
                    for (int c = 0; c < C; c++) a[c] = _mm256_setzero_si256();
                    for (int k = 0; k < 8; k++) {
                        const __m256i z = _mm256_load_si256((const __m256i *)(b->qs[p][k] + 32 * h));
                        const __m256i u = hi ? _mm256_and_si256(_mm256_srli_epi16(z, 4), low) : _mm256_and_si256(z, low);
                        for (int c = 0; c < C; c++)
                            a[c] = _mm256_add_epi16(a[c], _mm256_maddubs_epi16(u, X8_BCAST(&x[c][i], p, k, hi)));
                    }
                    const __m256i sc = X8_PAIRS(b->scales[2 * p + hi] + 8 * h);
                    for (int c = 0; c < C; c++) {
                        const __m256i t = _mm256_madd_epi16(a[c], sc);
                        s[c] = hi ? _mm256_add_epi32(s[c], t) : t;
                    }
                }
                const __m256 mlo = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(b->mins[2 * p] + 8 * h))));
                const __m256 mhi = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(b->mins[2 * p + 1] + 8 * h))));
                for (int c = 0; c < C; c++) {
                    const __m256 xd = _mm256_set1_ps(x[c][i].d);
                    acc[c] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s[c]), _mm256_mul_ps(dw, xd), acc[c]);
                    const __m256 m = _mm256_fmadd_ps(mhi, _mm256_set1_ps(bs[c][2 * p + 1]), _mm256_mul_ps(mlo, _mm256_set1_ps(bs[c][2 * p])));
                    accm[c] = _mm256_fmadd_ps(m, _mm256_mul_ps(dmw, xd), accm[c]);
                }
            }
        }
        for (int c = 0; c < C; c++) _mm256_storeu_ps(out + (size_t)c * os + 8 * h, _mm256_sub_ps(acc[c], accm[c]));
    }
}

/// 16 rows x 1 input with the gemv arithmetic: out[0..15]; the block `ws` bytes on is prefetched meanwhile.
PK_TARGET_AVX2 void pk_gemv_q4_K_x16_avx2(int64_t n, const void *vw, size_t ws, const void *vx, size_t xs,
                                         float *out, size_t os) {
    (void)xs; (void)os;
    const pk_block_q4_K_x16 *w = vw;
    const pk_block_q8_K *x = vx;
    __m256 acc[2] = {_mm256_setzero_ps(), _mm256_setzero_ps()}, accm[2] = {_mm256_setzero_ps(), _mm256_setzero_ps()};
    const __m256i low = _mm256_set1_epi8(0x0F);
    enum { LINES = (sizeof(pk_block_q4_K_x16) + 63) / 64 };
    for (int64_t i = 0; i < n / PK_QK_K; i++) {
        const pk_block_q4_K_x16 *b = &w[i];
        __m256i isum[2] = {_mm256_setzero_si256(), _mm256_setzero_si256()};
        for (int j = 0; j < 8; j++) {
            const int p = j / 2, hi = j % 2;
            if (ws)
                for (int l = j * LINES / 8; l < (j + 1) * LINES / 8; l++) _mm_prefetch((const char *)b + ws + 64 * l, _MM_HINT_T0);
            __m256i a[2] = {_mm256_setzero_si256(), _mm256_setzero_si256()};
            for (int k = 0; k < 8; k++) {
                const __m256i xb = X8_BCAST(&x[i], p, k, hi);
                for (int h = 0; h < 2; h++) {
                    const __m256i z = _mm256_load_si256((const __m256i *)(b->qs[p][k] + 32 * h));
                    const __m256i u = hi ? _mm256_and_si256(_mm256_srli_epi16(z, 4), low) : _mm256_and_si256(z, low);
                    a[h] = _mm256_add_epi16(a[h], _mm256_maddubs_epi16(u, xb));
                }
            }
            for (int h = 0; h < 2; h++) isum[h] = _mm256_add_epi32(isum[h], _mm256_madd_epi16(a[h], X8_PAIRS(b->scales[j] + 8 * h)));
        }
        float bs[8];
        X16_BSUMS(&x[i], bs);
        const __m256 xd = _mm256_set1_ps(x[i].d);
        for (int h = 0; h < 2; h++) {
            // The mins' sum in float is exact (8 * 63 * 4096 < 2^24), whatever the order.
            __m256 msum = _mm256_setzero_ps();
            for (int j = 0; j < 8; j++)
                msum = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(b->mins[j] + 8 * h)))),
                                       _mm256_set1_ps(bs[j]), msum);
            acc[h] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum[h]),
                                     _mm256_mul_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(b->d + 8 * h))), xd), acc[h]);
            accm[h] = _mm256_fmadd_ps(msum, _mm256_mul_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(b->dmin + 8 * h))), xd), accm[h]);
        }
    }
    for (int h = 0; h < 2; h++) _mm256_storeu_ps(out + 8 * h, _mm256_sub_ps(acc[h], accm[h]));
}

#endif
