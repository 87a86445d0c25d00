// Float-vector helpers of the forward pass: dot, axpy, scale, RMSNorm, softmax, SiLU, GELU,
// element-wise mul/add. Each has a scalar version (libm, double accumulators) and an AVX2
// version; the AVX2 exp is a range-reduced polynomial accurate to about 1 ulp.
#include <math.h>
#include <pthread.h>
#include "internal.h"

#if PK_X86
#include <immintrin.h>
#endif

// MARK: - Scalar

static float dot_generic(const float *a, const float *b, int64_t n) {
    double s = 0.0;
    for (int64_t i = 0; i < n; i++) s += (double)a[i] * (double)b[i];
    return (float)s;
}

static double sum_squares_generic(const float *x, int64_t n) {
    double s = 0.0;
    for (int64_t i = 0; i < n; i++) s += (double)(x[i] * x[i]);
    return s;
}

static double softmax_generic(float *x, int64_t n) {
    float max = -INFINITY;
    for (int64_t i = 0; i < n; i++) max = fmaxf(max, x[i]);
    double sum = 0.0;
    for (int64_t i = 0; i < n; i++) {
        const float e = expf(x[i] - max);
        x[i] = e;
        sum += (double)e;
    }
    const float inv = (float)(1.0 / sum);
    for (int64_t i = 0; i < n; i++) x[i] *= inv;
    return sum;
}

static inline float silu_scalar(float x) { return x / (1.0f + expf(-x)); }

static inline float gelu_scalar(float x) {
    const float c = 0.79788456080286535587989211986876f;  // sqrt(2/pi)
    return 0.5f * x * (1.0f + tanhf(c * x * (1.0f + 0.044715f * x * x)));
}

// MARK: - AVX2

#if PK_X86
PK_TARGET_AVX2 static inline float hsum_avx2(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

/// e^x for 8 lanes: x = n ln2 + r, |r| <= ln2/2, e^r by a degree-7 Taylor polynomial (truncation
/// < 6e-9 relative), scaled by 2^n through the exponent bits. x < -87.3 gives 0, x > 88.7 gives inf.
PK_TARGET_AVX2 static inline __m256 exp_avx2(__m256 x) {
    const __m256 hi = _mm256_set1_ps(88.7f), lo = _mm256_set1_ps(-87.3f);
    const __m256 under = _mm256_cmp_ps(x, lo, _CMP_LT_OQ);
    const __m256 over = _mm256_cmp_ps(x, hi, _CMP_GT_OQ);
    x = _mm256_min_ps(_mm256_max_ps(x, lo), hi);
    const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                     _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693145751953125f), x);  // ln2 high part (exact n*hi)
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(1.42860682030941723212e-6f), r);  // ln2 low part
    __m256 p = _mm256_set1_ps(1.0f / 5040.0f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 720.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 120.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 24.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 6.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    // 2^n in two halves so n = 128 (x near 88.7) does not overflow the exponent field.
    const __m256i ni = _mm256_cvtps_epi32(n);
    const __m256i n1 = _mm256_srai_epi32(ni, 1), n2 = _mm256_sub_epi32(ni, n1);
    const __m256 s1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n1, _mm256_set1_epi32(127)), 23));
    const __m256 s2 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n2, _mm256_set1_epi32(127)), 23));
    __m256 y = _mm256_mul_ps(_mm256_mul_ps(p, s1), s2);
    y = _mm256_andnot_ps(under, y);
    return _mm256_blendv_ps(y, _mm256_set1_ps(INFINITY), over);
}

PK_TARGET_AVX2 static float dot_avx2(const float *a, const float *b, int64_t n) {
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps(), s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 32 <= n; i += 32) {
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
        s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), s1);
        s2 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16), s2);
        s3 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24), s3);
    }
    for (; i + 8 <= n; i += 8) s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
    float s = hsum_avx2(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
    for (; i < n; i++) s += a[i] * b[i];
    return s;
}

PK_TARGET_AVX2 static double sum_squares_avx2(const float *x, int64_t n) {
    __m256d s0 = _mm256_setzero_pd(), s1 = _mm256_setzero_pd();
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 v = _mm256_loadu_ps(x + i);
        const __m256 sq = _mm256_mul_ps(v, v);
        s0 = _mm256_add_pd(s0, _mm256_cvtps_pd(_mm256_castps256_ps128(sq)));
        s1 = _mm256_add_pd(s1, _mm256_cvtps_pd(_mm256_extractf128_ps(sq, 1)));
    }
    double t[4];
    _mm256_storeu_pd(t, _mm256_add_pd(s0, s1));
    double s = (t[0] + t[1]) + (t[2] + t[3]);
    for (; i < n; i++) s += (double)(x[i] * x[i]);
    return s;
}

PK_TARGET_AVX2 static double softmax_avx2(float *x, int64_t n) {
    __m256 vmax = _mm256_set1_ps(-INFINITY);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) vmax = _mm256_max_ps(vmax, _mm256_loadu_ps(x + i));
    float t[8];
    _mm256_storeu_ps(t, vmax);
    float max = -INFINITY;
    for (int k = 0; k < 8; k++) max = fmaxf(max, t[k]);
    for (; i < n; i++) max = fmaxf(max, x[i]);
    const __m256 m = _mm256_set1_ps(max);
    __m256d s0 = _mm256_setzero_pd(), s1 = _mm256_setzero_pd();
    for (i = 0; i + 8 <= n; i += 8) {
        const __m256 e = exp_avx2(_mm256_sub_ps(_mm256_loadu_ps(x + i), m));
        _mm256_storeu_ps(x + i, e);
        s0 = _mm256_add_pd(s0, _mm256_cvtps_pd(_mm256_castps256_ps128(e)));
        s1 = _mm256_add_pd(s1, _mm256_cvtps_pd(_mm256_extractf128_ps(e, 1)));
    }
    double d[4];
    _mm256_storeu_pd(d, _mm256_add_pd(s0, s1));
    double sum = (d[0] + d[1]) + (d[2] + d[3]);
    for (; i < n; i++) {
        const float e = expf(x[i] - max);
        x[i] = e;
        sum += (double)e;
    }
    const __m256 inv = _mm256_set1_ps((float)(1.0 / sum));
    for (i = 0; i + 8 <= n; i += 8) _mm256_storeu_ps(x + i, _mm256_mul_ps(_mm256_loadu_ps(x + i), inv));
    for (; i < n; i++) x[i] *= (float)(1.0 / sum);
    return sum;
}

PK_TARGET_AVX2 static inline __m256 silu8_avx2(__m256 x) {
    const __m256 e = exp_avx2(_mm256_sub_ps(_mm256_setzero_ps(), x));
    return _mm256_div_ps(x, _mm256_add_ps(_mm256_set1_ps(1.0f), e));
}

/// 0.5 x (1 + tanh(u)) = x / (1 + e^(-2u)): no cancellation near u = 0.
PK_TARGET_AVX2 static inline __m256 gelu8_avx2(__m256 x) {
    const __m256 x2 = _mm256_mul_ps(x, x);
    const __m256 inner = _mm256_fmadd_ps(_mm256_set1_ps(0.044715f), x2, _mm256_set1_ps(1.0f));
    const __m256 u2 = _mm256_mul_ps(_mm256_mul_ps(_mm256_set1_ps(-2.0f * 0.79788456080286535587989211986876f), x),
                                    inner);
    return _mm256_div_ps(x, _mm256_add_ps(_mm256_set1_ps(1.0f), exp_avx2(u2)));
}

PK_TARGET_AVX2 static void silu_avx2(float *y, const float *x, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, silu8_avx2(_mm256_loadu_ps(x + i)));
    for (; i < n; i++) y[i] = silu_scalar(x[i]);
}

PK_TARGET_AVX2 static void gelu_avx2(float *y, const float *x, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, gelu8_avx2(_mm256_loadu_ps(x + i)));
    for (; i < n; i++) y[i] = gelu_scalar(x[i]);
}

PK_TARGET_AVX2 static void swiglu_avx2(float *y, const float *g, const float *u, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, _mm256_mul_ps(silu8_avx2(_mm256_loadu_ps(g + i)), _mm256_loadu_ps(u + i)));
    for (; i < n; i++) y[i] = silu_scalar(g[i]) * u[i];
}

PK_TARGET_AVX2 static void axpy_avx2(float *y, float a, const float *x, int64_t n) {
    const __m256 va = _mm256_set1_ps(a);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, _mm256_fmadd_ps(va, _mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i)));
    for (; i < n; i++) y[i] += a * x[i];
}

PK_TARGET_AVX2 static void scale_avx2(float *x, float s, int64_t n) {
    const __m256 vs = _mm256_set1_ps(s);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(x + i, _mm256_mul_ps(_mm256_loadu_ps(x + i), vs));
    for (; i < n; i++) x[i] *= s;
}

PK_TARGET_AVX2 static void mul_avx2(float *y, const float *a, const float *b, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _mm256_mul_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i)));
    for (; i < n; i++) y[i] = a[i] * b[i];
}

PK_TARGET_AVX2 static void add_avx2(float *y, const float *a, const float *b, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _mm256_add_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i)));
    for (; i < n; i++) y[i] = a[i] + b[i];
}

PK_TARGET_AVX2 static void rms_apply_avx2(float *out, const float *x, const float *w, float scale, int64_t n) {
    const __m256 vs = _mm256_set1_ps(scale);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 v = _mm256_mul_ps(_mm256_loadu_ps(x + i), vs);
        _mm256_storeu_ps(out + i, w ? _mm256_mul_ps(v, _mm256_loadu_ps(w + i)) : v);
    }
    for (; i < n; i++) out[i] = w ? (x[i] * scale) * w[i] : x[i] * scale;
}
#endif

static int use_avx2(int isa) { return PK_X86 && isa >= PK_ISA_AVX2 && pk_isa_supported(PK_ISA_AVX2); }

// MARK: - Entry points

float pk_dot_f32(int isa, const float *a, const float *b, int64_t n) {
#if PK_X86
    if (use_avx2(isa)) return dot_avx2(a, b, n);
#endif
    return dot_generic(a, b, n);
}

void pk_axpy_f32(int isa, float *y, float a, const float *x, int64_t n) {
#if PK_X86
    if (use_avx2(isa)) { axpy_avx2(y, a, x, n); return; }
#endif
    for (int64_t i = 0; i < n; i++) y[i] += a * x[i];
}

void pk_scale_f32(int isa, float *x, float s, int64_t n) {
#if PK_X86
    if (use_avx2(isa)) { scale_avx2(x, s, n); return; }
#endif
    for (int64_t i = 0; i < n; i++) x[i] *= s;
}

void pk_rms_norm_f32(int isa, float *out, const float *x, const float *w, int64_t n, float eps) {
    double ss;
#if PK_X86
    if (use_avx2(isa)) ss = sum_squares_avx2(x, n); else
#endif
    ss = sum_squares_generic(x, n);
    const float mean = (float)(ss / (double)n);
    const float scale = 1.0f / sqrtf(mean + eps);
#if PK_X86
    if (use_avx2(isa)) { rms_apply_avx2(out, x, w, scale, n); return; }
#endif
    for (int64_t i = 0; i < n; i++) out[i] = w ? (x[i] * scale) * w[i] : x[i] * scale;
}

double pk_softmax_f32(int isa, float *x, int64_t n) {
#if PK_X86
    if (use_avx2(isa)) return softmax_avx2(x, n);
#endif
    return softmax_generic(x, n);
}

void pk_silu_f32(int isa, float *y, const float *x, int64_t n) {
#if PK_X86
    if (use_avx2(isa)) { silu_avx2(y, x, n); return; }
#endif
    for (int64_t i = 0; i < n; i++) y[i] = silu_scalar(x[i]);
}

void pk_gelu_tanh_f32(int isa, float *y, const float *x, int64_t n) {
#if PK_X86
    if (use_avx2(isa)) { gelu_avx2(y, x, n); return; }
#endif
    for (int64_t i = 0; i < n; i++) y[i] = gelu_scalar(x[i]);
}

void pk_swiglu_f32(int isa, float *y, const float *gate, const float *up, int64_t n) {
#if PK_X86
    if (use_avx2(isa)) { swiglu_avx2(y, gate, up, n); return; }
#endif
    for (int64_t i = 0; i < n; i++) y[i] = silu_scalar(gate[i]) * up[i];
}

void pk_mul_f32(int isa, float *y, const float *a, const float *b, int64_t n) {
#if PK_X86
    if (use_avx2(isa)) { mul_avx2(y, a, b, n); return; }
#endif
    for (int64_t i = 0; i < n; i++) y[i] = a[i] * b[i];
}

void pk_add_f32(int isa, float *y, const float *a, const float *b, int64_t n) {
#if PK_X86
    if (use_avx2(isa)) { add_avx2(y, a, b, n); return; }
#endif
    for (int64_t i = 0; i < n; i++) y[i] = a[i] + b[i];
}

int64_t pk_argmax_f32(const float *x, int64_t n, float *max_out) {
    int64_t best = 0;
    for (int64_t i = 1; i < n; i++) if (x[i] > x[best]) best = i;
    if (max_out) *max_out = n > 0 ? x[best] : -INFINITY;
    return best;
}

// MARK: - ggml-compatible GELU table

static pk_half gelu_table[1 << 16];
static pthread_once_t gelu_table_once = PTHREAD_ONCE_INIT;

/// GELU-tanh as ggml's table initialisation computes it: llama.cpp is built with GCC, which
/// contracts `1 + a x x` into fma(a x, x, 1) (-ffp-contract=fast); without the fused add one
/// entry in 65536 (x = -1.999) rounds to another f16 and Gemma's activations part from
/// llama.cpp's. With it the table equals ggml_table_gelu_f16 entry for entry (checked against
/// libggml-cpu's exported table).
static float gelu_ggml_table_value(float x) {
    const float c = 0.79788456080286535587989211986876f;  // sqrt(2/pi)
    return 0.5f * x * (1.0f + tanhf(c * x * fmaf(0.044715f * x, x, 1.0f)));
}

static void gelu_table_init(void) {
    for (uint32_t i = 0; i < (1u << 16); i++)
        gelu_table[i] = pk_float_to_half(gelu_ggml_table_value(pk_half_to_float((pk_half)i)));
}

void pk_gelu_tanh_f16_table_f32(float *y, const float *x, int64_t n) {
    pthread_once(&gelu_table_once, gelu_table_init);
    for (int64_t i = 0; i < n; i++) {
        if (x[i] <= -10.0f) y[i] = 0.0f;
        else if (x[i] >= 10.0f) y[i] = x[i];
        else y[i] = pk_half_to_float(gelu_table[pk_float_to_half(x[i])]);
    }
}
