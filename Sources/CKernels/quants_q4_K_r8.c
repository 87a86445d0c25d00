// Q4_K with the arithmetic of llama.cpp's repacked q4_K_8x8 kernels.
//
// On an AVX2 machine llama.cpp's CPU backend repacks every Q4_K matrix whose row count is a
// multiple of 8 at load time (the "CPU_REPACK" buffer type) and multiplies it with
// ggml_gemv_q4_K_8x8_q8_K / ggml_gemm_q4_K_8x8_q8_K instead of vec_dot_q4_K_q8_K. The integer
// sums are the same; what differs is where they meet floating point, and that decides the last
// bits of every result (and, through Gemma's large activations, whole tokens):
//
// - gemv (decode, and the last batch % 4 inputs of a prefill): per super-block one int32 sum of
//   scale_j * dot_j over the 8 sub-blocks and one of min_j * sum(x of sub-block j), each folded
//   into a float accumulator with one fused multiply-add by d_w * d_x (resp. dmin_w * d_x);
//   the result is acc - acc_min.
// - gemm (prefill inputs in groups of 4): the same, but one fused multiply-add per *pair* of
//   sub-blocks (4 per super-block), in sub-block order.
//
// Every output element is one scalar accumulation chain, so the kernels here reproduce it per
// (row, input) pair whatever the tile shape: RT weight rows x CT inputs, PER_PAIR selecting the
// gemm (1) or gemv (0) arithmetic. The matmul driver picks them (dispatch.c).
#include "kernels_simd.h"

#if PK_X86
#include <immintrin.h>
#include <math.h>



/// The integer sums of one Q4_K block (row r) against CT Q8_K blocks, per pair of sub-blocks:
/// after it, lane j of the 128-bit sum of v[c]'s halves is scale_2j dot_2j + scale_2j+1 dot_2j+1
/// for input c (exact in int32).
#define Q4K_R8_PAIR_SUMS(CT, b, x, i, v)                                                                           \
    do {                                                                                                           \
        __m256i pairs_[CT];                                                                                        \
        const __m256i low4_ = _mm256_set1_epi8(0x0F);                                                              \
        for (int j = 0; j < 4; j++) {                                                                              \
            const __m256i q4 = _mm256_loadu_si256((const __m256i *)((b)->qs + 32 * j));                            \
            const __m256i lo = _mm256_and_si256(q4, low4_);                                                        \
            const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(q4, 4), low4_);                                  \
            const __m256i slo = _mm256_set1_epi16(sc[2 * j]), shi = _mm256_set1_epi16(sc[2 * j + 1]);               \
            for (int c = 0; c < CT; c++) {                                                                         \
                const __m256i plo = _mm256_maddubs_epi16(lo, _mm256_loadu_si256((const __m256i *)((x)[c][i].qs + 64 * j)));      \
                const __m256i phi = _mm256_maddubs_epi16(hi, _mm256_loadu_si256((const __m256i *)((x)[c][i].qs + 64 * j + 32))); \
                const __m256i t = _mm256_add_epi32(_mm256_madd_epi16(plo, slo), _mm256_madd_epi16(phi, shi));      \
                if (j == 0 || j == 2) (v)[c] = t;                                                                  \
                else if (j == 1) pairs_[c] = _mm256_hadd_epi32((v)[c], t);                                         \
                else (v)[c] = _mm256_hadd_epi32(pairs_[c], _mm256_hadd_epi32((v)[c], t));                          \
            }                                                                                                      \
        }                                                                                                          \
    } while (0)

/// gemm arithmetic, RT weight rows x 4 inputs: per row, the 4 inputs' pair sums are transposed so
/// that one 4-lane fused multiply-add per pair advances the 4 (row, input) chains at once.
#define DEFINE_Q4K_R8_GEMM(NAME, T, RT)                                                                            \
    T void NAME(int64_t n, const void *vw, size_t ws, const void *vx, size_t xs, float *out, size_t os) {          \
        __m128 acc[RT], accm[RT];                                                                                  \
        for (int r = 0; r < RT; r++) { acc[r] = _mm_setzero_ps(); accm[r] = _mm_setzero_ps(); }                    \
        const pk_block_q8_K *x[4];                                                                                 \
        for (int c = 0; c < 4; c++) x[c] = (const pk_block_q8_K *)((const char *)vx + (size_t)c * xs);             \
        for (int64_t i = 0; i < n / PK_QK_K; i++) {                                                                \
            __m128i bsum32[4]; /* activation sums of the 8 sub-blocks of 32, per input */                          \
            for (int c = 0; c < 4; c++)                                                                            \
                bsum32[c] = _mm_hadd_epi16(_mm_loadu_si128((const __m128i *)x[c][i].bsums),                        \
                                           _mm_loadu_si128((const __m128i *)(x[c][i].bsums + 8)));                 \
            const __m128 xd = _mm_setr_ps(x[0][i].d, x[1][i].d, x[2][i].d, x[3][i].d);                             \
            for (int r = 0; r < RT; r++) {                                                                         \
                const pk_block_q4_K *b = (const pk_block_q4_K *)((const char *)vw + (size_t)r * ws) + i;           \
                uint32_t sm[4];                                                                                    \
                pk_unpack_k4_scales(b->scales, sm);                                                                   \
                const uint8_t *sc = (const uint8_t *)sm;                                                           \
                const __m128i mins16 = _mm_cvtepu8_epi16(_mm_set_epi32(0, 0, (int)sm[3], (int)sm[2]));             \
                __m256i v[4];                                                                                      \
                Q4K_R8_PAIR_SUMS(4, b, x, i, v);                                                                   \
                __m128 s[4], m[4];                                                                                 \
                for (int c = 0; c < 4; c++) {                                                                      \
                    s[c] = _mm_cvtepi32_ps(_mm_add_epi32(_mm256_castsi256_si128(v[c]), _mm256_extracti128_si256(v[c], 1))); \
                    m[c] = _mm_cvtepi32_ps(_mm_madd_epi16(mins16, bsum32[c]));                                     \
                }                                                                                                  \
                _MM_TRANSPOSE4_PS(s[0], s[1], s[2], s[3]); /* s[k]: pair k of inputs 0..3 */                       \
                _MM_TRANSPOSE4_PS(m[0], m[1], m[2], m[3]);                                                         \
                const __m128 ds = _mm_mul_ps(_mm_set1_ps(_cvtsh_ss(b->d)), xd);                                    \
                const __m128 dm = _mm_mul_ps(_mm_set1_ps(_cvtsh_ss(b->dmin)), xd);                                 \
                for (int k = 0; k < 4; k++) {                                                                      \
                    acc[r] = _mm_fmadd_ps(s[k], ds, acc[r]);                                                       \
                    accm[r] = _mm_fmadd_ps(m[k], dm, accm[r]);                                                     \
                }                                                                                                  \
            }                                                                                                      \
        }                                                                                                          \
        for (int r = 0; r < RT; r++) {                                                                             \
            float res[4];                                                                                          \
            _mm_storeu_ps(res, _mm_sub_ps(acc[r], accm[r]));                                                       \
            for (int c = 0; c < 4; c++) out[(size_t)c * os + r] = res[c];                                          \
        }                                                                                                          \
    }

/// gemv arithmetic for one (row, input) pair (ragged edges).
#define DEFINE_Q4K_R8_DOT1(NAME, T)                                                                                \
    T void NAME(int64_t n, const void *vw, size_t ws, const void *vx, size_t xs, float *out, size_t os) {          \
        (void)ws; (void)xs; (void)os;                                                                              \
        float acc = 0.0f, accm = 0.0f;                                                                             \
        const pk_block_q8_K *x[1] = {(const pk_block_q8_K *)vx};                                                   \
        for (int64_t i = 0; i < n / PK_QK_K; i++) {                                                                \
            const pk_block_q4_K *b = (const pk_block_q4_K *)vw + i;                                                \
            uint32_t sm[4];                                                                                        \
            pk_unpack_k4_scales(b->scales, sm);                                                                       \
            const uint8_t *sc = (const uint8_t *)sm;                                                               \
            const __m128i bsum32 = _mm_hadd_epi16(_mm_loadu_si128((const __m128i *)x[0][i].bsums),                 \
                                                  _mm_loadu_si128((const __m128i *)(x[0][i].bsums + 8)));          \
            const __m128i m4 = _mm_madd_epi16(_mm_cvtepu8_epi16(_mm_set_epi32(0, 0, (int)sm[3], (int)sm[2])), bsum32); \
            __m256i v[1];                                                                                          \
            Q4K_R8_PAIR_SUMS(1, b, x, i, v);                                                                       \
            const __m128i s4 = _mm_add_epi32(_mm256_castsi256_si128(v[0]), _mm256_extracti128_si256(v[0], 1));    \
            __m128i t = _mm_hadd_epi32(s4, m4);  /* whole-block sums: lane 0 scales, lane 1 mins */                \
            t = _mm_hadd_epi32(t, t);                                                                              \
            acc = fmaf((float)_mm_cvtsi128_si32(t), _cvtsh_ss(b->d) * x[0][i].d, acc);                             \
            accm = fmaf((float)_mm_extract_epi32(t, 1), _cvtsh_ss(b->dmin) * x[0][i].d, accm);                     \
        }                                                                                                          \
        *out = acc - accm;                                                                                         \
    }

/// Decode: 4 weight rows x 1 input with the gemv arithmetic, the 4 rows' block sums reduced
/// together and folded into 4 float lanes at once (each lane is still one row's chain).
#define DEFINE_Q4K_R8_GEMV4(NAME, T)                                                                               \
    T void NAME(int64_t n, const void *vw, size_t ws, const void *vx, size_t xs, float *out, size_t os) {          \
        (void)xs;                                                                                                  \
        __m128 acc = _mm_setzero_ps(), accm = _mm_setzero_ps();                                                    \
        const pk_block_q8_K *x = (const pk_block_q8_K *)vx;                                                        \
        const __m256i low4 = _mm256_set1_epi8(0x0F);                                                               \
        for (int64_t i = 0; i < n / PK_QK_K; i++) {                                                                \
            const __m128i bsum32 = _mm_hadd_epi16(_mm_loadu_si128((const __m128i *)x[i].bsums),                    \
                                                  _mm_loadu_si128((const __m128i *)(x[i].bsums + 8)));             \
            __m256i isum[4];                                                                                       \
            __m128i msum[4];                                                                                       \
            float dw[4], mw[4];                                                                                    \
            for (int r = 0; r < 4; r++) {                                                                          \
                const pk_block_q4_K *b = (const pk_block_q4_K *)((const char *)vw + (size_t)r * ws) + i;           \
                uint32_t sm[4];                                                                                    \
                pk_unpack_k4_scales(b->scales, sm);                                                                   \
                const uint8_t *sc = (const uint8_t *)sm;                                                           \
                msum[r] = _mm_madd_epi16(_mm_cvtepu8_epi16(_mm_set_epi32(0, 0, (int)sm[3], (int)sm[2])), bsum32);  \
                dw[r] = _cvtsh_ss(b->d);                                                                           \
                mw[r] = _cvtsh_ss(b->dmin);                                                                        \
                __m256i sum = _mm256_setzero_si256();                                                              \
                for (int j = 0; j < 4; j++) {                                                                      \
                    const __m256i q4 = _mm256_loadu_si256((const __m256i *)(b->qs + 32 * j));                      \
                    const __m256i plo = _mm256_maddubs_epi16(_mm256_and_si256(q4, low4),                           \
                        _mm256_loadu_si256((const __m256i *)(x[i].qs + 64 * j)));                                  \
                    const __m256i phi = _mm256_maddubs_epi16(_mm256_and_si256(_mm256_srli_epi16(q4, 4), low4),     \
                        _mm256_loadu_si256((const __m256i *)(x[i].qs + 64 * j + 32)));                             \
                    sum = _mm256_add_epi32(sum, _mm256_add_epi32(_mm256_madd_epi16(plo, _mm256_set1_epi16(sc[2 * j])), \
                                                                 _mm256_madd_epi16(phi, _mm256_set1_epi16(sc[2 * j + 1])))); \
                }                                                                                                  \
                isum[r] = sum;                                                                                     \
            }                                                                                                      \
            /* lane r: row r's integer block sum (scales) and min sum, exact in int32 */                           \
            const __m256i h = _mm256_hadd_epi32(_mm256_hadd_epi32(isum[0], isum[1]), _mm256_hadd_epi32(isum[2], isum[3])); \
            const __m128i s4 = _mm_add_epi32(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));           \
            const __m128i m4 = _mm_hadd_epi32(_mm_hadd_epi32(msum[0], msum[1]), _mm_hadd_epi32(msum[2], msum[3])); \
            const __m128 xd = _mm_set1_ps(x[i].d);                                                                 \
            acc = _mm_fmadd_ps(_mm_cvtepi32_ps(s4), _mm_mul_ps(_mm_loadu_ps(dw), xd), acc);                        \
            accm = _mm_fmadd_ps(_mm_cvtepi32_ps(m4), _mm_mul_ps(_mm_loadu_ps(mw), xd), accm);                      \
        }                                                                                                          \
        float res[4];                                                                                              \
        _mm_storeu_ps(res, _mm_sub_ps(acc, accm));                                                                 \
        for (int r = 0; r < 4; r++) out[r] = res[r]; /* one input: os is unused */                           \
        (void)os;                                                                                                  \
    }

// gemm arithmetic: prefill tiles, and 1-row tiles for the ragged rows of a full input group.
DEFINE_Q4K_R8_GEMM(pk_tile_q4_K_r8_avx2, PK_TARGET_AVX2, 2)
DEFINE_Q4K_R8_GEMM(pk_tile_q4_K_r8_avx512, PK_TARGET_AVX512, 4)
DEFINE_Q4K_R8_GEMM(pk_tile1_q4_K_r8_avx2, PK_TARGET_AVX2, 1)
DEFINE_Q4K_R8_GEMM(pk_tile1_q4_K_r8_avx512, PK_TARGET_AVX512, 1)
// gemv arithmetic: decode row groups and single (row, input) pairs.
DEFINE_Q4K_R8_GEMV4(pk_gemv_q4_K_r8_avx2, PK_TARGET_AVX2)
DEFINE_Q4K_R8_GEMV4(pk_gemv_q4_K_r8_avx512, PK_TARGET_AVX512)
DEFINE_Q4K_R8_DOT1(pk_dot1_q4_K_r8_avx2, PK_TARGET_AVX2)
DEFINE_Q4K_R8_DOT1(pk_dot1_q4_K_r8_avx512, PK_TARGET_AVX512)

#endif
