// SwiGLU as ggml_vec_swiglu_f32 computes it in ggml's AVX-512 and AVX2 builds (see activation.h).
//
// ggml evaluates e^x there with a minimax polynomial (from Arm's optimized routines), not with
// libm's expf, and its two x86 builds finish the polynomial differently: AVX-512 adds the 1 inside
// the last fused multiply-add and scales by 2^n with vscalefps; AVX2 leaves the 1 out and computes
// 2^n + p * 2^n with one more fused multiply-add. The last bit differs between the two, so each
// level reproduces its own build's arithmetic operation for operation (the AVX-512 path and the
// portable path, which performs the same fused multiply-adds per element; the AVX2 path, 8 lanes
// at a time with the scalar tail as ggml's).
#include <math.h>

#include "activation.h"
#include "expf_ggml.h"
#include "internal.h"

#if PK_X86
#include <immintrin.h>
#endif


static void swiglu_portable(float *y, const float *gate, const float *up, int64_t n) {
    int64_t i = 0;
    for (; i + 15 < n; i += 16) {
        for (int l = 0; l < 16; l++) {
            const float x = gate[i + l];
            y[i + l] = (x / (1.0f + pk_expf_lane(0.0f - x))) * up[i + l];
        }
    }
    for (; i < n; i++) y[i] = (gate[i] / (1.0f + expf(-gate[i]))) * up[i];
}

#if PK_X86
PK_TARGET_AVX512 static inline __m512 ggml_expf_avx512(__m512 x) {
    const __m512 r = _mm512_set1_ps(0x1.8p23f);
    const __m512 z = _mm512_fmadd_ps(x, _mm512_set1_ps(0x1.715476p+0f), r);
    const __m512 n = _mm512_sub_ps(z, r);
    const __m512 b = _mm512_fnmadd_ps(n, _mm512_set1_ps(0x1.7f7d1cp-20f),
                                      _mm512_fnmadd_ps(n, _mm512_set1_ps(0x1.62e4p-1f), x));
    const __mmask16 d = _mm512_cmp_ps_mask(_mm512_abs_ps(n), _mm512_set1_ps(192), _CMP_GT_OQ);
    const __m512 u = _mm512_mul_ps(b, b);
    const __m512 j = _mm512_fmadd_ps(
        _mm512_fmadd_ps(_mm512_fmadd_ps(_mm512_set1_ps(0x1.0e4020p-7f), b, _mm512_set1_ps(0x1.573e2ep-5f)), u,
                        _mm512_fmadd_ps(_mm512_set1_ps(0x1.555e66p-3f), b, _mm512_set1_ps(0x1.fffdb6p-2f))),
        u, _mm512_fmadd_ps(_mm512_set1_ps(0x1.ffffecp-1f), b, _mm512_set1_ps(1.0F)));
    const __m512 res = _mm512_scalef_ps(j, n);
    if (_mm512_kortestz(d, d)) return res;
    const __m512 alt = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(n, _mm512_setzero_ps(), _CMP_LE_OQ),
                                            _mm512_set1_ps(INFINITY), _mm512_setzero_ps());
    return _mm512_mask_blend_ps(d, res, alt);
}

PK_TARGET_AVX2 static void swiglu_avx2(float *y, const float *gate, const float *up, int64_t n) {
    int64_t i = 0;
    const __m256 one = _mm256_set1_ps(1);
    for (; i + 7 < n; i += 8) {
        const __m256 x = _mm256_loadu_ps(gate + i);
        const __m256 e = pk_ggml_expf_avx2(_mm256_sub_ps(_mm256_setzero_ps(), x));
        const __m256 silu = _mm256_div_ps(x, _mm256_add_ps(one, e));
        _mm256_storeu_ps(y + i, _mm256_mul_ps(silu, _mm256_loadu_ps(up + i)));
    }
    for (; i < n; i++) y[i] = (gate[i] / (1.0f + expf(-gate[i]))) * up[i];
}

PK_TARGET_AVX512 static void swiglu_avx512(float *y, const float *gate, const float *up, int64_t n) {
    int64_t i = 0;
    const __m512 one = _mm512_set1_ps(1);
    for (; i + 15 < n; i += 16) {
        const __m512 x = _mm512_loadu_ps(gate + i);
        const __m512 e = ggml_expf_avx512(_mm512_sub_ps(_mm512_setzero_ps(), x));
        const __m512 silu = _mm512_div_ps(x, _mm512_add_ps(one, e));
        _mm512_storeu_ps(y + i, _mm512_mul_ps(silu, _mm512_loadu_ps(up + i)));
    }
    for (; i < n; i++) y[i] = (gate[i] / (1.0f + expf(-gate[i]))) * up[i];
}
#endif

void pk_swiglu_ggml(int isa, float *y, const float *gate, const float *up, int64_t n) {
#if PK_X86
    if (isa >= PK_ISA_AVX512) {
        swiglu_avx512(y, gate, up, n);
        return;
    }
    if (isa >= PK_ISA_AVX2) {
        swiglu_avx2(y, gate, up, n);
        return;
    }
#endif
    (void)isa;
    swiglu_portable(y, gate, up, n);
}
