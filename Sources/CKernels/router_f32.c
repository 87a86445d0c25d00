// pk_router_matmul_f32 (include/router.h): an F32 × F32 matmul in llama.cpp's AVX2 orders. The
// lanes are written out as arrays of 8 so that the portable level adds exactly as the AVX2 one.
#include <math.h>
#include "expf_ggml.h"
#include "internal.h"
#include "router.h"

#if PK_X86
#include <immintrin.h>
#endif

// MARK: - Portable (the AVX2 lanes, one by one)

/// hsum of 8 lanes as tinyBLAS: (hi + lo) 4 lanes, then movehl, then movehdup.
static float sgemm_hsum(const float v[8]) {
    float q[4];
    for (int i = 0; i < 4; i++) q[i] = v[4 + i] + v[i];
    const float a = q[0] + q[2], b = q[1] + q[3];
    return a + b;
}

static float sgemm_dot_portable(const float *w, const float *x, int64_t n) {
    float acc[8] = {0};
    int64_t l = 0;
    for (; l + 8 <= n; l += 8)
        for (int i = 0; i < 8; i++) acc[i] = fmaf(w[l + i], x[l + i], acc[i]);
    for (int i = 0; l + i < n; i++) acc[i] = fmaf(w[l + i], x[l + i], acc[i]);
    return sgemm_hsum(acc);
}

static float vec_dot_portable(const float *w, const float *x, int64_t n) {
    float sum[4][8] = {{0}};
    const int64_t np = n & ~(int64_t)31;
    for (int64_t i = 0; i < np; i += 32)
        for (int j = 0; j < 4; j++)
            for (int k = 0; k < 8; k++) sum[j][k] = fmaf(w[i + j * 8 + k], x[i + j * 8 + k], sum[j][k]);
    for (int k = 0; k < 8; k++) {
        sum[0][k] += sum[2][k];
        sum[1][k] += sum[3][k];
    }
    for (int k = 0; k < 8; k++) sum[0][k] += sum[1][k];
    // (lo + hi) 4 lanes, then hadd twice: (t0 + t1) + (t2 + t3).
    float t[4];
    for (int k = 0; k < 4; k++) t[k] = sum[0][k] + sum[0][4 + k];
    float s = (t[0] + t[1]) + (t[2] + t[3]);
    for (int64_t i = np; i < n; i++) s = fmaf(w[i], x[i], s);
    return s;
}

// MARK: - AVX2

#if PK_X86
PK_TARGET_AVX2 static float sgemm_dot_avx2(const float *w, const float *x, int64_t n) {
    __m256 acc = _mm256_setzero_ps();
    int64_t l = 0;
    for (; l + 8 <= n; l += 8) acc = _mm256_fmadd_ps(_mm256_loadu_ps(w + l), _mm256_loadu_ps(x + l), acc);
    if (l < n) {
        float a[8] = {0}, b[8] = {0};
        for (int i = 0; l + i < n; i++) { a[i] = w[l + i]; b[i] = x[l + i]; }
        acc = _mm256_fmadd_ps(_mm256_loadu_ps(a), _mm256_loadu_ps(b), acc);
    }
    __m128 q = _mm_add_ps(_mm256_extractf128_ps(acc, 1), _mm256_castps256_ps128(acc));
    q = _mm_add_ps(q, _mm_movehl_ps(q, q));
    q = _mm_add_ss(q, _mm_movehdup_ps(q));
    return _mm_cvtss_f32(q);
}

PK_TARGET_AVX2 static float vec_dot_avx2(const float *w, const float *x, int64_t n) {
    __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    const int64_t np = n & ~(int64_t)31;
    for (int64_t i = 0; i < np; i += 32) {
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(w + i), _mm256_loadu_ps(x + i), s0);
        s1 = _mm256_fmadd_ps(_mm256_loadu_ps(w + i + 8), _mm256_loadu_ps(x + i + 8), s1);
        s2 = _mm256_fmadd_ps(_mm256_loadu_ps(w + i + 16), _mm256_loadu_ps(x + i + 16), s2);
        s3 = _mm256_fmadd_ps(_mm256_loadu_ps(w + i + 24), _mm256_loadu_ps(x + i + 24), s3);
    }
    s0 = _mm256_add_ps(s0, s2);
    s1 = _mm256_add_ps(s1, s3);
    s0 = _mm256_add_ps(s0, s1);
    const __m128 t0 = _mm_add_ps(_mm256_castps256_ps128(s0), _mm256_extractf128_ps(s0, 1));
    const __m128 t1 = _mm_hadd_ps(t0, t0);
    float s = _mm_cvtss_f32(_mm_hadd_ps(t1, t1));
    for (int64_t i = np; i < n; i++) s = fmaf(w[i], x[i], s);
    return s;
}

PK_TARGET_AVX2 static void pk_router_exp8_avx2(const float *x, float max, float *out) {
    _mm256_storeu_ps(out, pk_ggml_expf_avx2(_mm256_sub_ps(_mm256_loadu_ps(x), _mm256_set1_ps(max))));
}
#endif

void pk_router_matmul_f32(int isa, const float *w, int64_t rows, int64_t cols, const float *x, int64_t batch,
                          int sgemm, float *out) {
    const int tiled = sgemm != 0;
    for (int64_t b = 0; b < batch; b++) {
        for (int64_t r = 0; r < rows; r++) {
            const float *wr = w + r * cols, *xb = x + b * cols;
            float s;
#if PK_X86
            if (isa >= PK_ISA_AVX2) s = tiled ? sgemm_dot_avx2(wr, xb, cols) : vec_dot_avx2(wr, xb, cols);
            else
#endif
                s = tiled ? sgemm_dot_portable(wr, xb, cols) : vec_dot_portable(wr, xb, cols);
            out[b * rows + r] = s;
        }
    }
    (void)isa;
}

// MARK: - Softmax

void pk_router_softmax_f32(int isa, float *x, int64_t n) {
    float max = -INFINITY;
    for (int64_t i = 0; i < n; i++) max = x[i] > max ? x[i] : max;
    double sum = 0.0;
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        float e[8];
#if PK_X86
        if (isa >= PK_ISA_AVX2) {
            pk_router_exp8_avx2(x + i, max, e);
        } else
#endif
            for (int k = 0; k < 8; k++) e[k] = pk_expf_lane(x[i + k] - max);
        for (int k = 0; k < 8; k++) x[i + k] = e[k];
        sum += (double)sgemm_hsum(e);
    }
    for (; i < n; i++) {
        x[i] = expf(x[i] - max);
        sum += (double)x[i];
    }
    const float scale = (float)(1.0 / sum);
    for (i = 0; i < n; i++) x[i] *= scale;
}
