// Prefill tile kernels: ROWS weight rows x 4 activation columns per call.
//
// A decode dot product unpacks each weight block for one input only. In prefill every weight
// block meets many inputs, so these kernels unpack a block once and dot it with 4 columns, and
// load each activation block once for all ROWS rows. The accumulators stay in registers: with
// AVX-512 (32 vector registers) the tile is 4 x 4, with AVX2 (16 registers) 2 x 4.
//
// The arithmetic per block is the one of the single-row kernels (same integer sums, same scale
// products), so the results match them up to float summation order.
#include "kernels_simd.h"

#if PK_X86
#include <immintrin.h>

#define PK_COLS 4
/// Rows per decode group (one input column): independent accumulators and shared activation loads.
#define PK_GEMV_ROWS 4

// MARK: - Helpers, one copy per target (intrinsics must be inlined into same-target code)

#define PK_UNUSED __attribute__((unused))
#define PK_DEFINE_HELPERS(T, P)                                                                                    \
    T PK_UNUSED static inline float P##h2f(pk_half h) { return _cvtsh_ss(h); }                                               \
    T PK_UNUSED static inline float P##hsum(__m256 v) {                                                                      \
        __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));                             \
        s = _mm_add_ps(s, _mm_movehl_ps(s, s));                                                                    \
        s = _mm_add_ss(s, _mm_movehdup_ps(s));                                                                     \
        return _mm_cvtss_f32(s);                                                                                   \
    }                                                                                                              \
    /* low nibbles -> bytes 0..15, high nibbles -> bytes 16..31 (one broadcast load, one shift) */               \
    T PK_UNUSED static inline __m256i P##nibbles(const uint8_t *p) {                                                         \
        const __m256i v = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)p));                        \
        return _mm256_and_si256(_mm256_srlv_epi64(v, _mm256_setr_epi64x(0, 0, 4, 4)), _mm256_set1_epi8(0x0F));     \
    }                                                                                                              \
    T PK_UNUSED static inline __m256i P##bits(uint32_t bits) {                                                               \
        const __m256i spread = _mm256_shuffle_epi8(                                                                \
            _mm256_set1_epi32((int)bits),                                                                          \
            _mm256_set_epi64x(0x0303030303030303LL, 0x0202020202020202LL, 0x0101010101010101LL, 0));               \
        const __m256i select = _mm256_set1_epi64x((long long)0x8040201008040201ULL);                               \
        return _mm256_cmpeq_epi8(_mm256_and_si256(spread, select), select);                                        \
    }                                                                                                              \
    T PK_UNUSED static inline __m256i P##load(const void *p) { return _mm256_loadu_si256((const __m256i *)p); }             \
    /* Σ_j min_j * (activation sum of sub-block j) of a Q4_K/Q5_K block; sm from pk_unpack_k4_scales */               \
    T PK_UNUSED static inline int P##min_dot(const uint32_t sm[4], const int16_t *bsums) {                                   \
        const __m128i mins = _mm_cvtepu8_epi16(_mm_set_epi32(0, 0, (int)sm[3], (int)sm[2]));                       \
        const __m128i b = _mm_hadd_epi16(_mm_loadu_si128((const __m128i *)bsums),                                  \
                                         _mm_loadu_si128((const __m128i *)(bsums + 8)));                           \
        const __m128i p = _mm_madd_epi16(mins, b);                                                                 \
        __m128i s = _mm_add_epi32(p, _mm_unpackhi_epi64(p, p));                                                    \
        s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 1));                                                             \
        return _mm_cvtsi128_si32(s);                                                                               \
    }

PK_DEFINE_HELPERS(PK_TARGET_AVX2, a2_)
PK_DEFINE_HELPERS(PK_TARGET_AVX512, a5_)


// Integer dot of 32 byte pairs into 8 int32 lanes (lane j sums elements 4j..4j+3), added to
// `init`: `u` unsigned weights (< 128 for AVX2's int16 intermediate), `x` signed activations.
#define DOT_AVX2(init, u, x) \
    _mm256_add_epi32((init), _mm256_madd_epi16(_mm256_maddubs_epi16((u), (x)), _mm256_set1_epi16(1)))
#define DOT_AVX512(init, u, x) _mm256_dpbusd_epi32((init), (u), (x))

// Weight unpackers: block -> 32 *unsigned* bytes u in element order, with w = u - OFFSET.
// Signed formats are shifted up instead of sign-flipping the activations per row: the
// -OFFSET * Σx correction is computed once per activation block and seeds the accumulation.
#define U_Q4_0(P, b) P##nibbles((b)->qs)                         /* w = u - 8 */
#define U_Q4_1(P, b) P##nibbles((b)->qs)                         /* w = d u + m */
#define U_Q5_0_AVX2(P, b) \
    _mm256_or_si256(P##nibbles((b)->qs), _mm256_and_si256(P##bits(pk_read_u32((b)->qh)), _mm256_set1_epi8(0x10)))
#define U_Q5_0_AVX512(P, b) \
    _mm256_mask_add_epi8(P##nibbles((b)->qs), (__mmask32)pk_read_u32((b)->qh), P##nibbles((b)->qs), _mm256_set1_epi8(16))
#define U_Q8_0(P, b) _mm256_xor_si256(P##load((b)->qs), _mm256_set1_epi8((char)0x80))  /* w = u - 128 */
/// AVX2 Q8_0 keeps the sign trick: u up to 255 would saturate vpmaddubsw's int16 pair sums.
#define S_Q8_0(P, b) P##load((b)->qs)

// MARK: - 32-element types

/// Defines NAME(n, w, w_stride, xq, x_stride, out, out_stride) for an RT x CT tile.
/// SHIFT: log2 of the weight offset (w = u - 2^SHIFT), 0 for unsigned formats, -1 for the sign
/// trick (u = |w|, x' = sign(x, w)). HASMIN: add m_w * s_x per block (Q4_1/Q5_1 with Q8_1).
#define DEFINE_TILE32(NAME, T, P, DOT, RT, CT, WBLK, XBLK, UNPACK, SHIFT, HASMIN)                                  \
    T void NAME(int64_t n, const void *vw, size_t ws, const void *vx, size_t xs, float *out, size_t os) {          \
        __m256 acc[RT][CT];                                                                                        \
        float mins[RT][CT];                                                                                        \
        for (int r = 0; r < RT; r++)                                                                               \
            for (int c = 0; c < CT; c++) { acc[r][c] = _mm256_setzero_ps(); mins[r][c] = 0.0f; }                   \
        const XBLK *x[CT];                                                                                         \
        for (int c = 0; c < CT; c++) x[c] = (const XBLK *)((const char *)vx + (size_t)c * xs);                     \
        const WBLK *w[RT];                                                                                         \
        for (int r = 0; r < RT; r++) w[r] = (const WBLK *)((const char *)vw + (size_t)r * ws);                     \
        for (int64_t i = 0; i < n / PK_QK; i++) {                                                                  \
            __m256 dx[CT];                                                                                         \
            __m256i xq[CT], seed[CT];                                                                              \
            float sx[CT];                                                                                          \
            for (int c = 0; c < CT; c++) {                                                                         \
                dx[c] = _mm256_set1_ps(P##h2f(x[c][i].d));                                                         \
                xq[c] = P##load(x[c][i].qs);                                                                       \
                seed[c] = _mm256_setzero_si256();                                                                  \
                if (SHIFT > 0) /* -2^SHIFT * (sums of 4 activations), lane for lane with DOT */                    \
                    seed[c] = _mm256_sub_epi32(seed[c], _mm256_slli_epi32(                                         \
                        DOT(_mm256_setzero_si256(), _mm256_set1_epi8(1), xq[c]), SHIFT > 0 ? SHIFT : 0));          \
                if (HASMIN) sx[c] = P##h2f(((const pk_block_q8_1 *)&x[c][i])->s);                                  \
            }                                                                                                      \
            for (int r = 0; r < RT; r++) {                                                                         \
                const WBLK *b = &w[r][i];                                                                          \
                const __m256i q = UNPACK(P, b);                                                                    \
                const __m256i u = SHIFT < 0 ? _mm256_sign_epi8(q, q) : q;                                          \
                const __m256 dw = _mm256_set1_ps(P##h2f(b->d));                                                    \
                for (int c = 0; c < CT; c++) {                                                                     \
                    const __m256i p = DOT(seed[c], u, SHIFT < 0 ? _mm256_sign_epi8(xq[c], q) : xq[c]);             \
                    acc[r][c] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(p), _mm256_mul_ps(dw, dx[c]), acc[r][c]);       \
                }                                                                                                  \
                if (HASMIN) {                                                                                      \
                    const float m = P##h2f(((const pk_block_q4_1 *)b)->m);                                         \
                    for (int c = 0; c < CT; c++) mins[r][c] += m * sx[c];                                          \
                }                                                                                                  \
            }                                                                                                      \
        }                                                                                                          \
        for (int r = 0; r < RT; r++)                                                                               \
            for (int c = 0; c < CT; c++) out[(size_t)c * os + r] = P##hsum(acc[r][c]) + mins[r][c];               \
    }

/// Prefill tiles (RT x PK_COLS), decode row groups (PK_GEMV_ROWS x 1) and single dots (1 x 1) for
/// one type at one level. All three perform the same float operations in the same order for each
/// (row, input) pair, so a result never depends on how a matmul was tiled: a token's logits are
/// bit-identical whether it was evaluated alone, in a batch, or at the ragged edge of a batch.
#define DEFINE_32(TYPE, LEVEL, T, P, DOT, RT, WBLK, XBLK, UNPACK, SHIFT, HASMIN)                                   \
    DEFINE_TILE32(pk_tile_##TYPE##_##LEVEL, T, P, DOT, RT, PK_COLS, WBLK, XBLK, UNPACK, SHIFT, HASMIN)             \
    DEFINE_TILE32(pk_gemv_##TYPE##_##LEVEL, T, P, DOT, PK_GEMV_ROWS, 1, WBLK, XBLK, UNPACK, SHIFT, HASMIN)         \
    DEFINE_TILE32(pk_dot1_##TYPE##_##LEVEL, T, P, DOT, 1, 1, WBLK, XBLK, UNPACK, SHIFT, HASMIN)

DEFINE_32(q4_0, avx2, PK_TARGET_AVX2, a2_, DOT_AVX2, 2, pk_block_q4_0, pk_block_q8_0, U_Q4_0, 3, 0)
DEFINE_32(q4_1, avx2, PK_TARGET_AVX2, a2_, DOT_AVX2, 2, pk_block_q4_1, pk_block_q8_1, U_Q4_1, 0, 1)
DEFINE_32(q5_0, avx2, PK_TARGET_AVX2, a2_, DOT_AVX2, 2, pk_block_q5_0, pk_block_q8_0, U_Q5_0_AVX2, 4, 0)
DEFINE_32(q5_1, avx2, PK_TARGET_AVX2, a2_, DOT_AVX2, 2, pk_block_q5_1, pk_block_q8_1, U_Q5_0_AVX2, 0, 1)
DEFINE_32(q8_0, avx2, PK_TARGET_AVX2, a2_, DOT_AVX2, 2, pk_block_q8_0, pk_block_q8_0, S_Q8_0, -1, 0)

// MARK: - AVX2 tiles over prepared activations

/// With 16 vector registers the 2 x 4 tile above keeps neither its 8 accumulators nor its 4 columns'
/// scales and offset sums in registers: measured on an AMD EPYC (AVX2), its accumulators went to the
/// stack and back every block, and each call recomputed every column's offset sums and scale. The
/// driver (dispatch.c) now prepares each activation block once per batch tile (pk_act32), and these
/// kernels take one weight row against CT inputs, reading the inputs' side from memory operands: each
/// weight block is unpacked once for CT inputs and nothing spills. Per (row, input) the same integer
/// sums, scale products and fma chain as DEFINE_TILE32, so the same bits.
#define DEFINE_TILE32_PREP(NAME, CT, WBLK, UNPACK, SHIFT, HASMIN)                                                  \
    PK_TARGET_AVX2 void NAME(int64_t n, const void *vw, size_t ws, const void *vx, size_t xs, float *out, size_t os) { \
        (void)ws;                                                                                                  \
        __m256 acc[CT];                                                                                            \
        float mins[CT];                                                                                            \
        for (int c = 0; c < CT; c++) { acc[c] = _mm256_setzero_ps(); mins[c] = 0.0f; }                             \
        const WBLK *w = vw;                                                                                        \
        const int64_t nb = n / PK_QK;                                                                              \
        const pk_act32 *x = vx;                                                                                    \
        const size_t step = xs / sizeof(pk_act32);                                                                 \
        for (int64_t i = 0; i < nb; i++) {                                                                         \
            const WBLK *b = &w[i];                                                                                 \
            const __m256i q = UNPACK(a2_, b);                                                                      \
            const __m256i u = SHIFT < 0 ? _mm256_sign_epi8(q, q) : q;                                              \
            const __m256 dw = _mm256_set1_ps(a2_h2f(b->d));                                                        \
            for (int c = 0; c < CT; c++) {                                                                         \
                const pk_act32 *a = &x[(size_t)c * step + (size_t)i];                                              \
                const __m256i p = SHIFT < 0 ? DOT_AVX2(_mm256_setzero_si256(), u, _mm256_sign_epi8(a2_load(a->qs), q)) \
                                  : DOT_AVX2(_mm256_load_si256((const __m256i *)a->seed), u, a2_load(a->qs));      \
                acc[c] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(p), _mm256_mul_ps(dw, _mm256_broadcast_ss(&a->d)), acc[c]); \
            }                                                                                                      \
            if (HASMIN) {                                                                                          \
                const float m = a2_h2f(((const pk_block_q4_1 *)b)->m);                                             \
                for (int c = 0; c < CT; c++) mins[c] += m * x[(size_t)c * step + (size_t)i].s;                     \
            }                                                                                                      \
        }                                                                                                          \
        for (int c = 0; c < CT; c++) out[(size_t)c * os] = a2_hsum(acc[c]) + mins[c];                              \
    }

/// 1 row x PK_PREP_COLS inputs and 1 row x PK_TILE_COLS inputs (the batch's ragged end) over
/// prepared activations.
#define DEFINE_32_PREP(TYPE, WBLK, UNPACK, SHIFT, HASMIN)                                                          \
    DEFINE_TILE32_PREP(pk_prep_tile_##TYPE##_avx2, PK_PREP_COLS, WBLK, UNPACK, SHIFT, HASMIN)                      \
    DEFINE_TILE32_PREP(pk_prep_tile4_##TYPE##_avx2, PK_TILE_COLS, WBLK, UNPACK, SHIFT, HASMIN)

DEFINE_32_PREP(q4_0, pk_block_q4_0, U_Q4_0, 3, 0)
DEFINE_32_PREP(q4_1, pk_block_q4_1, U_Q4_1, 0, 1)
DEFINE_32_PREP(q5_0, pk_block_q5_0, U_Q5_0_AVX2, 4, 0)
DEFINE_32_PREP(q5_1, pk_block_q5_1, U_Q5_0_AVX2, 0, 1)
DEFINE_32_PREP(q8_0, pk_block_q8_0, S_Q8_0, -1, 0)

/// Prepares `count` activation rows (row c at x + c * xs, `n` elements of Q8_0, or Q8_1 when
/// `hasmin`) into `out` (row c at out + c * (n / 32) blocks): the quants, the scale as f32, Q8_1's sum
/// as f32, and for weights offset by 2^shift (shift > 0) the -2^shift * (4-activation sums) seeds.
PK_TARGET_AVX2 void pk_prep_act32_avx2(int64_t n, const void *vx, size_t xs, int64_t count, int shift, int hasmin,
                                       pk_act32 *out) {
    const int64_t nb = n / PK_QK;
    for (int64_t c = 0; c < count; c++) {
        const char *row = (const char *)vx + (size_t)c * xs;
        for (int64_t b = 0; b < nb; b++) {
            pk_act32 *a = &out[c * nb + b];
            const int8_t *qs;
            if (hasmin) {
                const pk_block_q8_1 *x = (const pk_block_q8_1 *)row + b;
                a->d = a2_h2f(x->d);
                a->s = a2_h2f(x->s);
                qs = x->qs;
            } else {
                const pk_block_q8_0 *x = (const pk_block_q8_0 *)row + b;
                a->d = a2_h2f(x->d);
                a->s = 0.0f;
                qs = x->qs;
            }
            const __m256i q = a2_load(qs);
            _mm256_store_si256((__m256i *)a->qs, q);
            __m256i seed = _mm256_setzero_si256();
            if (shift > 0)
                seed = _mm256_sub_epi32(seed, _mm256_slli_epi32(DOT_AVX2(_mm256_setzero_si256(), _mm256_set1_epi8(1), q), shift));
            _mm256_store_si256((__m256i *)a->seed, seed);
        }
    }
}

DEFINE_32(q4_0, avx512, PK_TARGET_AVX512, a5_, DOT_AVX512, 4, pk_block_q4_0, pk_block_q8_0, U_Q4_0, 3, 0)
DEFINE_32(q4_1, avx512, PK_TARGET_AVX512, a5_, DOT_AVX512, 4, pk_block_q4_1, pk_block_q8_1, U_Q4_1, 0, 1)
DEFINE_32(q5_0, avx512, PK_TARGET_AVX512, a5_, DOT_AVX512, 4, pk_block_q5_0, pk_block_q8_0, U_Q5_0_AVX512, 4, 0)
DEFINE_32(q5_1, avx512, PK_TARGET_AVX512, a5_, DOT_AVX512, 4, pk_block_q5_1, pk_block_q8_1, U_Q5_0_AVX512, 0, 1)
DEFINE_32(q8_0, avx512, PK_TARGET_AVX512, a5_, DOT_AVX512, 4, pk_block_q8_0, pk_block_q8_0, U_Q8_0, 7, 0)

// MARK: - K-quants

/// Q4_K (HIGHBIT 0) / Q5_K (HIGHBIT 1) tile. Per 32-value sub-block: vpmaddubsw of the unsigned
/// quants with the int8 activations, vpmaddwd by the 6-bit scale, int32 sums per super-block.
#define DEFINE_TILE_K4(NAME, T, P, RT, WBLK, HIGHBIT)                                                              \
    T void NAME(int64_t n, const void *vw, size_t ws, const void *vx, size_t xs, float *out, size_t os) {          \
        __m256 acc[RT][PK_COLS];                                                                                   \
        float mins[RT][PK_COLS];                                                                                   \
        for (int r = 0; r < RT; r++)                                                                               \
            for (int c = 0; c < PK_COLS; c++) { acc[r][c] = _mm256_setzero_ps(); mins[r][c] = 0.0f; }              \
        const pk_block_q8_K *x[PK_COLS];                                                                           \
        for (int c = 0; c < PK_COLS; c++) x[c] = (const pk_block_q8_K *)((const char *)vx + (size_t)c * xs);       \
        const __m256i low4 = _mm256_set1_epi8(0x0F), one = _mm256_set1_epi8(1);                                    \
        for (int64_t i = 0; i < n / PK_QK_K; i++) {                                                                \
            for (int r = 0; r < RT; r++) {                                                                         \
                const WBLK *b = (const WBLK *)((const char *)vw + (size_t)r * ws) + i;                             \
                uint32_t sm[4];                                                                                    \
                pk_unpack_k4_scales(b->scales, sm);                                                                          \
                const uint8_t *sc = (const uint8_t *)sm;                                                           \
                __m256i isum[PK_COLS];                                                                             \
                for (int c = 0; c < PK_COLS; c++) isum[c] = _mm256_setzero_si256();                                \
                for (int j = 0; j < 4; j++) {                                                                      \
                    const __m256i q4 = P##load(b->qs + 32 * j);                                                    \
                    __m256i lo = _mm256_and_si256(q4, low4);                                                       \
                    __m256i hi = _mm256_and_si256(_mm256_srli_epi16(q4, 4), low4);                                 \
                    if (HIGHBIT) {                                                                                 \
                        const __m256i qh = P##load(((const pk_block_q5_K *)b)->qh);                                \
                        lo = _mm256_or_si256(lo, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2 * j), one), 4));     \
                        hi = _mm256_or_si256(hi, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2 * j + 1), one), 4)); \
                    }                                                                                              \
                    const __m256i slo = _mm256_set1_epi16(sc[2 * j]), shi = _mm256_set1_epi16(sc[2 * j + 1]);       \
                    for (int c = 0; c < PK_COLS; c++) {                                                            \
                        const __m256i plo = _mm256_maddubs_epi16(lo, P##load(x[c][i].qs + 64 * j));                \
                        const __m256i phi = _mm256_maddubs_epi16(hi, P##load(x[c][i].qs + 64 * j + 32));           \
                        isum[c] = _mm256_add_epi32(isum[c], _mm256_add_epi32(_mm256_madd_epi16(plo, slo),          \
                                                                             _mm256_madd_epi16(phi, shi)));        \
                    }                                                                                              \
                }                                                                                                  \
                const float d = P##h2f(b->d), dmin = P##h2f(b->dmin);                                              \
                for (int c = 0; c < PK_COLS; c++) {                                                                \
                    acc[r][c] = _mm256_fmadd_ps(_mm256_set1_ps(x[c][i].d * d), _mm256_cvtepi32_ps(isum[c]), acc[r][c]); \
                    mins[r][c] += x[c][i].d * dmin * (float)P##min_dot(sm, x[c][i].bsums);                         \
                }                                                                                                  \
            }                                                                                                      \
        }                                                                                                          \
        for (int r = 0; r < RT; r++)                                                                               \
            for (int c = 0; c < PK_COLS; c++) out[(size_t)c * os + r] = P##hsum(acc[r][c]) - mins[r][c];          \
    }

DEFINE_TILE_K4(pk_tile_q4_K_avx2, PK_TARGET_AVX2, a2_, 2, pk_block_q4_K, 0)
DEFINE_TILE_K4(pk_tile_q5_K_avx2, PK_TARGET_AVX2, a2_, 2, pk_block_q5_K, 1)
DEFINE_TILE_K4(pk_tile_q4_K_avx512, PK_TARGET_AVX512, a5_, 4, pk_block_q4_K, 0)
DEFINE_TILE_K4(pk_tile_q5_K_avx512, PK_TARGET_AVX512, a5_, 4, pk_block_q5_K, 1)

/// Q6_K tile: unsigned 6-bit quants (0..63) through vpmaddubsw, the -32 offset removed once per
/// super-block from the activation block sums.
#define DEFINE_TILE_Q6_K(NAME, T, P, RT)                                                                           \
    T void NAME(int64_t n, const void *vw, size_t ws, const void *vx, size_t xs, float *out, size_t os) {          \
        __m256 acc[RT][PK_COLS];                                                                                   \
        for (int r = 0; r < RT; r++)                                                                               \
            for (int c = 0; c < PK_COLS; c++) acc[r][c] = _mm256_setzero_ps();                                     \
        const pk_block_q8_K *x[PK_COLS];                                                                           \
        for (int c = 0; c < PK_COLS; c++) x[c] = (const pk_block_q8_K *)((const char *)vx + (size_t)c * xs);       \
        const __m256i low4 = _mm256_set1_epi8(0x0F), three = _mm256_set1_epi8(3);                                  \
        for (int64_t i = 0; i < n / PK_QK_K; i++) {                                                                \
            for (int r = 0; r < RT; r++) {                                                                         \
                const pk_block_q6_K *b = (const pk_block_q6_K *)((const char *)vw + (size_t)r * ws) + i;           \
                __m256i isum[PK_COLS];                                                                             \
                const __m256i sc16 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)b->scales));           \
                for (int c = 0; c < PK_COLS; c++)                                                                  \
                    isum[c] = _mm256_sub_epi32(_mm256_setzero_si256(),                                             \
                        _mm256_slli_epi32(_mm256_madd_epi16(sc16, P##load(x[c][i].bsums)), 5));                    \
                for (int h = 0; h < 2; h++) {                                                                      \
                    const uint8_t *ql = b->ql + 64 * h;                                                            \
                    const __m256i qh = P##load(b->qh + 32 * h);                                                    \
                    const __m256i l0 = P##load(ql), l1 = P##load(ql + 32);                                         \
                    __m256i q[4];                                                                                  \
                    q[0] = _mm256_or_si256(_mm256_and_si256(l0, low4), _mm256_slli_epi16(_mm256_and_si256(qh, three), 4)); \
                    q[1] = _mm256_or_si256(_mm256_and_si256(l1, low4),                                             \
                        _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2), three), 4));                  \
                    q[2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l0, 4), low4),                       \
                        _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 4), three), 4));                  \
                    q[3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l1, 4), low4),                       \
                        _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 6), three), 4));                  \
                    for (int k = 0; k < 4; k++) {                                                                  \
                        const __m256i s = _mm256_setr_m128i(_mm_set1_epi16(b->scales[8 * h + 2 * k]),              \
                                                            _mm_set1_epi16(b->scales[8 * h + 2 * k + 1]));         \
                        for (int c = 0; c < PK_COLS; c++) {                                                        \
                            const __m256i p = _mm256_maddubs_epi16(q[k], P##load(x[c][i].qs + 128 * h + 32 * k));  \
                            isum[c] = _mm256_add_epi32(isum[c], _mm256_madd_epi16(p, s));                          \
                        }                                                                                          \
                    }                                                                                              \
                }                                                                                                  \
                const float d = P##h2f(b->d);                                                                      \
                for (int c = 0; c < PK_COLS; c++)                                                                  \
                    acc[r][c] = _mm256_fmadd_ps(_mm256_set1_ps(x[c][i].d * d), _mm256_cvtepi32_ps(isum[c]), acc[r][c]); \
            }                                                                                                      \
        }                                                                                                          \
        for (int r = 0; r < RT; r++)                                                                               \
            for (int c = 0; c < PK_COLS; c++) out[(size_t)c * os + r] = P##hsum(acc[r][c]);                        \
    }

DEFINE_TILE_Q6_K(pk_tile_q6_K_avx2, PK_TARGET_AVX2, a2_, 2)
DEFINE_TILE_Q6_K(pk_tile_q6_K_avx512, PK_TARGET_AVX512, a5_, 4)

#endif
