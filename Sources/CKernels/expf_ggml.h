// ggml's vectorized e^x (ggml_v_expf) as its AVX2 build computes it, shared by the kernels that
// must round as llama.cpp does on an AVX2 machine (SwiGLU, the tiled attention's softmax). The
// AVX-512 build's variant, which finishes the polynomial differently, lives beside its users.
#pragma once
#include "internal.h"

#if PK_X86
#include <immintrin.h>

/// e^x as ggml_v_expf in ggml's AVX2 build: for |n| <= 126, 2^n + p * 2^n with 2^n built from the
/// exponent bits; beyond, the two-factor scaling ggml uses to avoid overflow; beyond 192, 0 or inf.
PK_TARGET_AVX2 static inline __m256 pk_ggml_expf_avx2(__m256 x) {
    const __m256 r = _mm256_set1_ps(0x1.8p23f);
    const __m256 z = _mm256_fmadd_ps(x, _mm256_set1_ps(0x1.715476p+0f), r);
    const __m256 n = _mm256_sub_ps(z, r);
    const __m256 b = _mm256_fnmadd_ps(n, _mm256_set1_ps(0x1.7f7d1cp-20f),
                                      _mm256_fnmadd_ps(n, _mm256_set1_ps(0x1.62e4p-1f), x));
    const __m256i e = _mm256_slli_epi32(_mm256_castps_si256(z), 23);
    const __m256 k = _mm256_castsi256_ps(_mm256_add_epi32(e, _mm256_castps_si256(_mm256_set1_ps(1))));
    const __m256 magnitude = _mm256_andnot_ps(_mm256_set1_ps(-0.f), n);
    const __m256 large = _mm256_cmp_ps(magnitude, _mm256_set1_ps(126), _CMP_GT_OQ);
    const __m256 u = _mm256_mul_ps(b, b);
    const __m256 p = _mm256_fmadd_ps(
        _mm256_fmadd_ps(_mm256_fmadd_ps(_mm256_set1_ps(0x1.0e4020p-7f), b, _mm256_set1_ps(0x1.573e2ep-5f)), u,
                        _mm256_fmadd_ps(_mm256_set1_ps(0x1.555e66p-3f), b, _mm256_set1_ps(0x1.fffdb6p-2f))),
        u, _mm256_mul_ps(_mm256_set1_ps(0x1.ffffecp-1f), b));
    if (!_mm256_movemask_ps(large)) return _mm256_fmadd_ps(p, k, k);
    const __m256i g = _mm256_and_si256(_mm256_castps_si256(_mm256_cmp_ps(n, _mm256_setzero_ps(), _CMP_LE_OQ)),
                                       _mm256_set1_epi32((int)0x82000000u));
    const __m256 s1 = _mm256_castsi256_ps(_mm256_add_epi32(g, _mm256_set1_epi32(0x7f000000)));
    const __m256 s2 = _mm256_castsi256_ps(_mm256_sub_epi32(e, g));
    const __m256 huge = _mm256_cmp_ps(magnitude, _mm256_set1_ps(192), _CMP_GT_OQ);
    const __m256 scaled = _mm256_mul_ps(_mm256_fmadd_ps(s2, p, s2), s1);
    const __m256 ordinary = _mm256_fmadd_ps(k, p, k);
    return _mm256_or_ps(_mm256_and_ps(huge, _mm256_mul_ps(s1, s1)),
                        _mm256_andnot_ps(huge, _mm256_or_ps(_mm256_and_ps(large, scaled),
                                                            _mm256_andnot_ps(large, ordinary))));
}
#endif
