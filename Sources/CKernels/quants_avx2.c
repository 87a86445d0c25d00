// AVX2 + FMA + F16C kernels: activation quantizers and weight-row dot products.
//
// Each block's integer dot product is exact (int8 x int8 pairs summed in int16 by vpmaddubsw,
// then in int32 by vpmaddwd); only the per-block float scaling differs from the scalar reference
// in summation order. vpmaddubsw multiplies unsigned by signed bytes, so signed weights are
// first made unsigned with their sign moved onto the activation (|w| * sign(w) * x).
#include "kernels_simd.h"

#if PK_X86
#include <immintrin.h>

// MARK: - Helpers

PK_TARGET_AVX2 static inline float h2f(pk_half h) { return _cvtsh_ss(h); }

PK_TARGET_AVX2 static inline float hsum_ps(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

PK_TARGET_AVX2 static inline int hsum_epi32(__m256i v) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_unpackhi_epi64(s, s));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 1));
    return _mm_cvtsi128_si32(s);
}

/// 16 packed bytes -> 32 nibbles: low nibbles in bytes 0..15, high nibbles in bytes 16..31
/// (the element order of the 32-element types).
PK_TARGET_AVX2 static inline __m256i nibbles32(const uint8_t *p) {
    const __m128i v = _mm_loadu_si128((const __m128i *)p);
    const __m256i both = _mm256_inserti128_si256(_mm256_castsi128_si256(v), _mm_srli_epi16(v, 4), 1);
    return _mm256_and_si256(both, _mm256_set1_epi8(0x0F));
}

/// 32 bits -> 32 bytes, 0xFF where the bit is set (byte i <- bit i).
PK_TARGET_AVX2 static inline __m256i bits_to_bytes32(uint32_t bits) {
    const __m256i spread = _mm256_shuffle_epi8(
        _mm256_set1_epi32((int)bits),
        _mm256_set_epi64x(0x0303030303030303LL, 0x0202020202020202LL, 0x0101010101010101LL, 0));
    const __m256i select = _mm256_set1_epi64x((long long)0x8040201008040201ULL);
    return _mm256_cmpeq_epi8(_mm256_and_si256(spread, select), select);
}

/// Σ x*y over 32 signed byte pairs -> 8 int32 partial sums.
PK_TARGET_AVX2 static inline __m256i dot_i8(__m256i x, __m256i y) {
    const __m256i p16 = _mm256_maddubs_epi16(_mm256_sign_epi8(x, x), _mm256_sign_epi8(y, x));
    return _mm256_madd_epi16(p16, _mm256_set1_epi16(1));
}

/// Σ x*y over 32 pairs, x unsigned (< 128), y signed -> 8 int32 partial sums.
PK_TARGET_AVX2 static inline __m256i dot_u8i8(__m256i x, __m256i y) {
    return _mm256_madd_epi16(_mm256_maddubs_epi16(x, y), _mm256_set1_epi16(1));
}

// MARK: - Activation quantizers (bit-identical to the generic versions)

/// Rounds 32 floats (times id) to int8 with round-half-even and stores them in order.
PK_TARGET_AVX2 static inline __m256i round_pack32(const float *x, __m256 id) {
    const __m256i i0 = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(_mm256_loadu_ps(x), id), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
    const __m256i i1 = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(_mm256_loadu_ps(x + 8), id), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
    const __m256i i2 = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(_mm256_loadu_ps(x + 16), id), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
    const __m256i i3 = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(_mm256_loadu_ps(x + 24), id), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
    // packs work per 128-bit lane: fix the order with a final dword permutation.
    const __m256i p = _mm256_packs_epi16(_mm256_packs_epi32(i0, i1), _mm256_packs_epi32(i2, i3));
    return _mm256_permutevar8x32_epi32(p, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

PK_TARGET_AVX2 static inline float amax32(const float *x) {
    const __m256 sign = _mm256_set1_ps(-0.0f);
    __m256 m = _mm256_andnot_ps(sign, _mm256_loadu_ps(x));
    m = _mm256_max_ps(m, _mm256_andnot_ps(sign, _mm256_loadu_ps(x + 8)));
    m = _mm256_max_ps(m, _mm256_andnot_ps(sign, _mm256_loadu_ps(x + 16)));
    m = _mm256_max_ps(m, _mm256_andnot_ps(sign, _mm256_loadu_ps(x + 24)));
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    s = _mm_max_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

PK_TARGET_AVX2 void pk_quantize_row_q8_0_avx2(const float *x, void *vy, int64_t n) {
    pk_block_q8_0 *y = vy;
    for (int64_t i = 0; i < n / PK_QK; i++, x += PK_QK) {
        const float amax = amax32(x);
        const float id = amax != 0.0f ? 127.0f / amax : 0.0f;
        y[i].d = pk_float_to_half(amax / 127.0f);
        _mm256_storeu_si256((__m256i *)y[i].qs, round_pack32(x, _mm256_set1_ps(id)));
    }
}

PK_TARGET_AVX2 void pk_quantize_row_q8_1_avx2(const float *x, void *vy, int64_t n) {
    pk_block_q8_1 *y = vy;
    for (int64_t i = 0; i < n / PK_QK; i++, x += PK_QK) {
        const float amax = amax32(x);
        const float d = amax / 127.0f;
        const float id = amax != 0.0f ? 127.0f / amax : 0.0f;
        const __m256i q = round_pack32(x, _mm256_set1_ps(id));
        _mm256_storeu_si256((__m256i *)y[i].qs, q);
        const int sum = hsum_epi32(_mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_set1_epi8(1), q), _mm256_set1_epi16(1)));
        y[i].d = pk_float_to_half(d);
        y[i].s = pk_float_to_half(d * (float)sum);
    }
}

PK_TARGET_AVX2 void pk_quantize_row_q8_K_avx2(const float *x, void *vy, int64_t n) {
    pk_block_q8_K *y = vy;
    const __m256 sign = _mm256_set1_ps(-0.0f);
    for (int64_t i = 0; i < n / PK_QK_K; i++, x += PK_QK_K) {
        __m256 m = _mm256_setzero_ps();
        for (int j = 0; j < PK_QK_K; j += 8) m = _mm256_max_ps(m, _mm256_andnot_ps(sign, _mm256_loadu_ps(x + j)));
        __m128 s = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
        s = _mm_max_ps(s, _mm_movehl_ps(s, s));
        s = _mm_max_ss(s, _mm_movehdup_ps(s));
        const float amax = _mm_cvtss_f32(s);
        if (amax == 0.0f) {
            memset(&y[i], 0, sizeof(y[i]));
            continue;
        }
        float max = 0.0f;  // the first value whose magnitude is amax, with its sign
        for (int j = 0; j < PK_QK_K; j++) if (x[j] == amax || x[j] == -amax) { max = x[j]; break; }
        const float iscale = -127.0f / max;
        const __m256 vs = _mm256_set1_ps(iscale);
        for (int j = 0; j < PK_QK_K; j += 32) {
            // round_pack32 saturates to [-128, 127]; values are within [-127, 127.5] -> clamp to 127.
            __m256i q = round_pack32(x + j, vs);
            q = _mm256_min_epi8(q, _mm256_set1_epi8(127));
            _mm256_storeu_si256((__m256i *)(y[i].qs + j), q);
            // bsums of the two 16-value groups
            const __m256i s16 = _mm256_maddubs_epi16(_mm256_set1_epi8(1), q);          // 16 pair sums
            const __m256i s32 = _mm256_madd_epi16(s16, _mm256_set1_epi16(1));          // 8 quad sums
            const __m128i h = _mm_add_epi32(_mm256_castsi256_si128(s32), _mm_setzero_si128());
            const __m128i g = _mm256_extracti128_si256(s32, 1);
            const __m128i a = _mm_hadd_epi32(h, g);                                    // 4 sums of 8
            const __m128i b = _mm_hadd_epi32(a, a);                                    // sums of 16
            y[i].bsums[j / 16] = (int16_t)_mm_cvtsi128_si32(b);
            y[i].bsums[j / 16 + 1] = (int16_t)_mm_extract_epi32(b, 1);
        }
        y[i].d = 1.0f / iscale;
    }
}

PK_TARGET_AVX2 void pk_quantize_row_f16_avx2(const float *x, void *vy, int64_t n) {
    pk_half *y = vy;
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) _mm_storeu_si128((__m128i *)(y + i), _mm256_cvtps_ph(_mm256_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT));
    for (; i < n; i++) y[i] = pk_float_to_half(x[i]);
}

// MARK: - Dot products, 32-element types

PK_TARGET_AVX2 float pk_vec_dot_q4_0_q8_0_avx2(int64_t n, const void *vw, const void *vx) {
    const pk_block_q4_0 *w = vw;
    const pk_block_q8_0 *x = vx;
    __m256 acc = _mm256_setzero_ps();
    for (int64_t i = 0; i < n / PK_QK; i++) {
        const __m256i qw = _mm256_sub_epi8(nibbles32(w[i].qs), _mm256_set1_epi8(8));
        const __m256i p = dot_i8(qw, _mm256_loadu_si256((const __m256i *)x[i].qs));
        acc = _mm256_fmadd_ps(_mm256_set1_ps(h2f(w[i].d) * h2f(x[i].d)), _mm256_cvtepi32_ps(p), acc);
    }
    return hsum_ps(acc);
}

PK_TARGET_AVX2 float pk_vec_dot_q4_1_q8_1_avx2(int64_t n, const void *vw, const void *vx) {
    const pk_block_q4_1 *w = vw;
    const pk_block_q8_1 *x = vx;
    __m256 acc = _mm256_setzero_ps();
    float mins = 0.0f;
    for (int64_t i = 0; i < n / PK_QK; i++) {
        const __m256i p = dot_u8i8(nibbles32(w[i].qs), _mm256_loadu_si256((const __m256i *)x[i].qs));
        acc = _mm256_fmadd_ps(_mm256_set1_ps(h2f(w[i].d) * h2f(x[i].d)), _mm256_cvtepi32_ps(p), acc);
        mins += h2f(w[i].m) * h2f(x[i].s);
    }
    return hsum_ps(acc) + mins;
}

PK_TARGET_AVX2 float pk_vec_dot_q5_0_q8_0_avx2(int64_t n, const void *vw, const void *vx) {
    const pk_block_q5_0 *w = vw;
    const pk_block_q8_0 *x = vx;
    __m256 acc = _mm256_setzero_ps();
    for (int64_t i = 0; i < n / PK_QK; i++) {
        // OR 0xF0 into the nibble where the 5th bit is 0: that byte reads as (q - 16) in int8.
        const __m256i hi = _mm256_andnot_si256(bits_to_bytes32(pk_read_u32(w[i].qh)), _mm256_set1_epi8((char)0xF0));
        const __m256i qw = _mm256_or_si256(nibbles32(w[i].qs), hi);
        const __m256i p = dot_i8(qw, _mm256_loadu_si256((const __m256i *)x[i].qs));
        acc = _mm256_fmadd_ps(_mm256_set1_ps(h2f(w[i].d) * h2f(x[i].d)), _mm256_cvtepi32_ps(p), acc);
    }
    return hsum_ps(acc);
}

PK_TARGET_AVX2 float pk_vec_dot_q5_1_q8_1_avx2(int64_t n, const void *vw, const void *vx) {
    const pk_block_q5_1 *w = vw;
    const pk_block_q8_1 *x = vx;
    __m256 acc = _mm256_setzero_ps();
    float mins = 0.0f;
    for (int64_t i = 0; i < n / PK_QK; i++) {
        const __m256i hi = _mm256_and_si256(bits_to_bytes32(pk_read_u32(w[i].qh)), _mm256_set1_epi8(0x10));
        const __m256i qw = _mm256_or_si256(nibbles32(w[i].qs), hi);
        const __m256i p = dot_u8i8(qw, _mm256_loadu_si256((const __m256i *)x[i].qs));
        acc = _mm256_fmadd_ps(_mm256_set1_ps(h2f(w[i].d) * h2f(x[i].d)), _mm256_cvtepi32_ps(p), acc);
        mins += h2f(w[i].m) * h2f(x[i].s);
    }
    return hsum_ps(acc) + mins;
}

PK_TARGET_AVX2 float pk_vec_dot_q8_0_q8_0_avx2(int64_t n, const void *vw, const void *vx) {
    const pk_block_q8_0 *w = vw;
    const pk_block_q8_0 *x = vx;
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    int64_t i = 0;
    const int64_t nb = n / PK_QK;
    for (; i + 1 < nb; i += 2) {
        const __m256i p0 = dot_i8(_mm256_loadu_si256((const __m256i *)w[i].qs), _mm256_loadu_si256((const __m256i *)x[i].qs));
        const __m256i p1 = dot_i8(_mm256_loadu_si256((const __m256i *)w[i + 1].qs), _mm256_loadu_si256((const __m256i *)x[i + 1].qs));
        acc0 = _mm256_fmadd_ps(_mm256_set1_ps(h2f(w[i].d) * h2f(x[i].d)), _mm256_cvtepi32_ps(p0), acc0);
        acc1 = _mm256_fmadd_ps(_mm256_set1_ps(h2f(w[i + 1].d) * h2f(x[i + 1].d)), _mm256_cvtepi32_ps(p1), acc1);
    }
    for (; i < nb; i++) {
        const __m256i p = dot_i8(_mm256_loadu_si256((const __m256i *)w[i].qs), _mm256_loadu_si256((const __m256i *)x[i].qs));
        acc0 = _mm256_fmadd_ps(_mm256_set1_ps(h2f(w[i].d) * h2f(x[i].d)), _mm256_cvtepi32_ps(p), acc0);
    }
    return hsum_ps(_mm256_add_ps(acc0, acc1));
}

// MARK: - Dot products, K-quants


/// Σ_j min_j * (sum of activations of sub-block j), from the Q8_K block sums.
PK_TARGET_AVX2 static inline int k4_min_dot(const uint32_t sm[4], const int16_t *bsums) {
    const __m128i mins = _mm_cvtepu8_epi16(_mm_set_epi32(0, 0, (int)sm[3], (int)sm[2]));
    const __m128i b = _mm_hadd_epi16(_mm_loadu_si128((const __m128i *)bsums), _mm_loadu_si128((const __m128i *)(bsums + 8)));
    const __m128i p = _mm_madd_epi16(mins, b);
    __m128i s = _mm_add_epi32(p, _mm_unpackhi_epi64(p, p));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 1));
    return _mm_cvtsi128_si32(s);
}

PK_TARGET_AVX2 float pk_vec_dot_q4_K_q8_K_avx2(int64_t n, const void *vw, const void *vx) {
    const pk_block_q4_K *w = vw;
    const pk_block_q8_K *x = vx;
    __m256 acc = _mm256_setzero_ps();
    float mins = 0.0f;
    const __m256i low4 = _mm256_set1_epi8(0x0F);
    for (int64_t i = 0; i < n / PK_QK_K; i++) {
        uint32_t sm[4];
        pk_unpack_k4_scales(w[i].scales, sm);
        const uint8_t *sc = (const uint8_t *)sm;
        __m256i sumi = _mm256_setzero_si256();
        for (int c = 0; c < 4; c++) {
            const __m256i q4 = _mm256_loadu_si256((const __m256i *)(w[i].qs + 32 * c));
            const __m256i lo = _mm256_and_si256(q4, low4);
            const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(q4, 4), low4);
            const __m256i plo = _mm256_maddubs_epi16(lo, _mm256_loadu_si256((const __m256i *)(x[i].qs + 64 * c)));
            const __m256i phi = _mm256_maddubs_epi16(hi, _mm256_loadu_si256((const __m256i *)(x[i].qs + 64 * c + 32)));
            sumi = _mm256_add_epi32(sumi, _mm256_madd_epi16(plo, _mm256_set1_epi16(sc[2 * c])));
            sumi = _mm256_add_epi32(sumi, _mm256_madd_epi16(phi, _mm256_set1_epi16(sc[2 * c + 1])));
        }
        acc = _mm256_fmadd_ps(_mm256_set1_ps(x[i].d * h2f(w[i].d)), _mm256_cvtepi32_ps(sumi), acc);
        mins += x[i].d * h2f(w[i].dmin) * (float)k4_min_dot(sm, x[i].bsums);
    }
    return hsum_ps(acc) - mins;
}

PK_TARGET_AVX2 float pk_vec_dot_q5_K_q8_K_avx2(int64_t n, const void *vw, const void *vx) {
    const pk_block_q5_K *w = vw;
    const pk_block_q8_K *x = vx;
    __m256 acc = _mm256_setzero_ps();
    float mins = 0.0f;
    const __m256i low4 = _mm256_set1_epi8(0x0F), one = _mm256_set1_epi8(1);
    for (int64_t i = 0; i < n / PK_QK_K; i++) {
        uint32_t sm[4];
        pk_unpack_k4_scales(w[i].scales, sm);
        const uint8_t *sc = (const uint8_t *)sm;
        const __m256i qh = _mm256_loadu_si256((const __m256i *)w[i].qh);
        __m256i sumi = _mm256_setzero_si256();
        for (int c = 0; c < 4; c++) {
            const __m256i q4 = _mm256_loadu_si256((const __m256i *)(w[i].qs + 32 * c));
            const __m256i hlo = _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2 * c), one), 4);
            const __m256i hhi = _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2 * c + 1), one), 4);
            const __m256i lo = _mm256_or_si256(_mm256_and_si256(q4, low4), hlo);
            const __m256i hi = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(q4, 4), low4), hhi);
            const __m256i plo = _mm256_maddubs_epi16(lo, _mm256_loadu_si256((const __m256i *)(x[i].qs + 64 * c)));
            const __m256i phi = _mm256_maddubs_epi16(hi, _mm256_loadu_si256((const __m256i *)(x[i].qs + 64 * c + 32)));
            sumi = _mm256_add_epi32(sumi, _mm256_madd_epi16(plo, _mm256_set1_epi16(sc[2 * c])));
            sumi = _mm256_add_epi32(sumi, _mm256_madd_epi16(phi, _mm256_set1_epi16(sc[2 * c + 1])));
        }
        acc = _mm256_fmadd_ps(_mm256_set1_ps(x[i].d * h2f(w[i].d)), _mm256_cvtepi32_ps(sumi), acc);
        mins += x[i].d * h2f(w[i].dmin) * (float)k4_min_dot(sm, x[i].bsums);
    }
    return hsum_ps(acc) - mins;
}

PK_TARGET_AVX2 float pk_vec_dot_q6_K_q8_K_avx2(int64_t n, const void *vw, const void *vx) {
    const pk_block_q6_K *w = vw;
    const pk_block_q8_K *x = vx;
    __m256 acc = _mm256_setzero_ps();
    const __m256i low4 = _mm256_set1_epi8(0x0F), three = _mm256_set1_epi8(3);
    for (int64_t i = 0; i < n / PK_QK_K; i++) {
        const int8_t *sc = w[i].scales;
        __m256i sumi = _mm256_setzero_si256();
        for (int h = 0; h < 2; h++) {
            const uint8_t *ql = w[i].ql + 64 * h;
            const __m256i qh = _mm256_loadu_si256((const __m256i *)(w[i].qh + 32 * h));
            const __m256i l0 = _mm256_loadu_si256((const __m256i *)ql);
            const __m256i l1 = _mm256_loadu_si256((const __m256i *)(ql + 32));
            __m256i q[4];
            q[0] = _mm256_or_si256(_mm256_and_si256(l0, low4), _mm256_slli_epi16(_mm256_and_si256(qh, three), 4));
            q[1] = _mm256_or_si256(_mm256_and_si256(l1, low4),
                                   _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2), three), 4));
            q[2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l0, 4), low4),
                                   _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 4), three), 4));
            q[3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l1, 4), low4),
                                   _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 6), three), 4));
            for (int k = 0; k < 4; k++) {
                const __m256i a = _mm256_loadu_si256((const __m256i *)(x[i].qs + 128 * h + 32 * k));
                const __m256i p = _mm256_maddubs_epi16(q[k], a);  // unsigned q (0..63), bias removed below
                const __m256i s = _mm256_setr_m128i(_mm_set1_epi16(sc[8 * h + 2 * k]), _mm_set1_epi16(sc[8 * h + 2 * k + 1]));
                sumi = _mm256_add_epi32(sumi, _mm256_madd_epi16(p, s));
            }
        }
        // The -32 offset: 32 * Σ_k scale_k * (sum of the 16 activations of sub-block k).
        const __m256i sc16 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)sc));
        const __m256i bias = _mm256_madd_epi16(sc16, _mm256_loadu_si256((const __m256i *)x[i].bsums));
        sumi = _mm256_sub_epi32(sumi, _mm256_slli_epi32(bias, 5));
        acc = _mm256_fmadd_ps(_mm256_set1_ps(x[i].d * h2f(w[i].d)), _mm256_cvtepi32_ps(sumi), acc);
    }
    return hsum_ps(acc);
}

// MARK: - Dot products, float types

PK_TARGET_AVX2 float pk_vec_dot_f16_f16_avx2(int64_t n, const void *vw, const void *vx) {
    const pk_half *w = vw, *x = vx;
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        a0 = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(w + i))),
                             _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(x + i))), a0);
        a1 = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(w + i + 8))),
                             _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(x + i + 8))), a1);
    }
    float s = hsum_ps(_mm256_add_ps(a0, a1));
    for (; i < n; i++) s += h2f(w[i]) * h2f(x[i]);
    return s;
}

PK_TARGET_AVX2 static inline __m256 bf16x8(const uint16_t *p) {
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)p)), 16));
}

PK_TARGET_AVX2 float pk_vec_dot_bf16_bf16_avx2(int64_t n, const void *vw, const void *vx) {
    const uint16_t *w = vw, *x = vx;
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        a0 = _mm256_fmadd_ps(bf16x8(w + i), bf16x8(x + i), a0);
        a1 = _mm256_fmadd_ps(bf16x8(w + i + 8), bf16x8(x + i + 8), a1);
    }
    float s = hsum_ps(_mm256_add_ps(a0, a1));
    for (; i < n; i++) s += pk_bf16_to_float(w[i]) * pk_bf16_to_float(x[i]);
    return s;
}

PK_TARGET_AVX2 float pk_vec_dot_f32_f32_avx2(int64_t n, const void *vw, const void *vx) {
    const float *w = vw, *x = vx;
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 32 <= n; i += 32) {
        a0 = _mm256_fmadd_ps(_mm256_loadu_ps(w + i), _mm256_loadu_ps(x + i), a0);
        a1 = _mm256_fmadd_ps(_mm256_loadu_ps(w + i + 8), _mm256_loadu_ps(x + i + 8), a1);
        a2 = _mm256_fmadd_ps(_mm256_loadu_ps(w + i + 16), _mm256_loadu_ps(x + i + 16), a2);
        a3 = _mm256_fmadd_ps(_mm256_loadu_ps(w + i + 24), _mm256_loadu_ps(x + i + 24), a3);
    }
    for (; i + 8 <= n; i += 8) a0 = _mm256_fmadd_ps(_mm256_loadu_ps(w + i), _mm256_loadu_ps(x + i), a0);
    float s = hsum_ps(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
    for (; i < n; i++) s += w[i] * x[i];
    return s;
}

#endif
