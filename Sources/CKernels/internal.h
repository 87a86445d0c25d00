// Declarations shared between the CKernels translation units (not part of the module's API).
#pragma once

#include "blocks.h"
#include "kernels.h"

#include <math.h>
#include <string.h>

/// Q4_K/Q5_K's 12 scale bytes -> out[0..1] = the 8 six-bit scales, out[2..3] = the 8 six-bit mins
/// (ggml's get_scale_min_k4, four bytes at a time). Shared by the decode, tile and repacked kernels.
static inline void pk_unpack_k4_scales(const uint8_t *scales, uint32_t out[4]) {
    const uint32_t m6 = 0x3f3f3f3f, m4 = 0x0f0f0f0f, m2 = 0x03030303;
    uint32_t a[3];
    memcpy(a, scales, 12);
    out[0] = a[0] & m6;
    out[1] = (a[2] & m4) | (((a[0] >> 6) & m2) << 4);
    out[2] = a[1] & m6;
    out[3] = ((a[2] >> 4) & m4) | (((a[1] >> 6) & m2) << 4);
}

/// One lane of ggml's vectorized expf (ggml_v_expf, AVX-512 build) as scalar code: the same
/// operations in the same order, so the same bits. SwiGLU and the tiled attention's softmax use it.
static inline float pk_expf_lane(float x) {
    const float r = 0x1.8p23f;
    const float z = fmaf(x, 0x1.715476p+0f, r);
    const float n = z - r;
    const float b = fmaf(-n, 0x1.7f7d1cp-20f, fmaf(-n, 0x1.62e4p-1f, x));
    const float u = b * b;
    const float j = fmaf(fmaf(fmaf(0x1.0e4020p-7f, b, 0x1.573e2ep-5f), u, fmaf(0x1.555e66p-3f, b, 0x1.fffdb6p-2f)), u,
                         fmaf(0x1.ffffecp-1f, b, 1.0f));
    if (fabsf(n) > 192.0f) return n <= 0.0f ? 0.0f : INFINITY;
    return ldexpf(j, (int)n);
}

// ggml type ids used inside the C code.
enum {
    PK_F32 = 0, PK_F16 = 1, PK_Q4_0 = 2, PK_Q4_1 = 3, PK_Q5_0 = 6, PK_Q5_1 = 7, PK_Q8_0 = 8, PK_Q8_1 = 9,
    PK_Q4_K = 12, PK_Q5_K = 13, PK_Q6_K = 14, PK_Q8_K = 15, PK_BF16 = 30,
    PK_Q2_K = 10, PK_Q3_K = 11, PK_IQ4_NL = 20, PK_IQ4_XS = 23, PK_MXFP4 = 39,
    /// Not a ggml type: Q4_K with the kernels of llama.cpp's repacked layout (dispatch.c).
    PK_Q4_K_R8 = 1012,
    /// Not a ggml type: Q6_K with the kernels of llama.cpp's tiled matmul (dispatch.c).
    PK_Q6_K_TILED = 1014,
    /// Not ggml types: IQ4_NL and MXFP4 with the arithmetic of llama.cpp's repacked 8x8 layout (dispatch.c).
    PK_IQ4_NL_R8 = 1020,
    /// Not a ggml type: Q4_0 with those kernels (llama.cpp repacks it as IQ4_NL with Q4_0's values).
    PK_Q4_0_R8 = 1002,
    PK_MXFP4_R8 = 1039,
    /// Not ggml types: Q2_K, Q3_K and IQ4_XS with the arithmetic of llama.cpp's tiled matmul (dispatch.c).
    PK_Q2_K_TILED = 1010,
    PK_Q3_K_TILED = 1011,
    PK_IQ4_XS_TILED = 1023,
    /// Not ggml types: Q4_K and Q6_K repacked 16 rows at a time (kernels.h, quants_*_x16.c).
    PK_Q4_K_X16 = PK_PACKED_Q4_K_X16,
    PK_Q6_K_X16 = PK_PACKED_Q6_K_X16,
    PK_Q8_0_X16 = PK_PACKED_Q8_0_X16,
    PK_Q4_0_X16 = PK_PACKED_Q4_0_X16,
    PK_Q5_0_X16 = PK_PACKED_Q5_0_X16,
    PK_Q4_1_X16 = PK_PACKED_Q4_1_X16,
};

#define PK_TARGET_AVX2 __attribute__((target("avx2,fma,f16c")))
#define PK_TARGET_AVX512 __attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni,avx512dq")))

#if defined(__x86_64__) || defined(__i386__)
#define PK_X86 1
#else
#define PK_X86 0
#endif

/// dot(weight row, activation row) over n elements.
typedef float (*pk_vec_dot_fn)(int64_t n, const void *w, const void *xq);
/// A prefill tile: out[c * out_stride + r] = dot(weight row r at w + r * w_stride, activation row c at
/// xq + c * xq_stride) for r < the kernel's row count and c < PK_TILE_COLS (quants_gemm.c).
typedef void (*pk_tile_fn)(int64_t n, const void *w, size_t w_stride, const void *xq, size_t xq_stride,
                           float *out, size_t out_stride);

/// Activation columns per prefill tile.
#define PK_TILE_COLS 4

/// One Q8_0/Q8_1 activation block prepared once per batch tile for the AVX2 tiles of the 32-element
/// weight types (quants_gemm.c): the quants, the scale (and Q8_1's sum) as f32, and the offset seeds
/// -2^shift * (sums of 4 activations) of weights stored with an unsigned offset.
typedef struct {
    int8_t qs[32];
    int32_t seed[8];
    float d, s;
    uint8_t pad[24];
} __attribute__((aligned(32))) pk_act32;
/// Inputs per AVX2 prepared-activation tile (one weight row each).
#define PK_PREP_COLS 8

// Repacking (quants_q4_K_x16.c, quants_q6_K_x16.c).
void pk_repack_q4_K_x16(const void *src, size_t src_row_bytes, int64_t rows, int64_t cols, void *dst);
void pk_dequantize_row_q4_K_x16(const void *base, int64_t row, int64_t cols, float *dst);
void pk_repack_q6_K_x16(const void *src, size_t src_row_bytes, int64_t rows, int64_t cols, void *dst);
void pk_dequantize_row_q6_K_x16(const void *base, int64_t row, int64_t cols, float *dst);
void pk_repack_q8_0_x16(const void *src, size_t src_row_bytes, int64_t rows, int64_t cols, void *dst);
void pk_dequantize_row_q8_0_x16(const void *base, int64_t row, int64_t cols, float *dst);
void pk_repack_q4_0_x16(const void *src, size_t src_row_bytes, int64_t rows, int64_t cols, void *dst);
void pk_dequantize_row_q4_0_x16(const void *base, int64_t row, int64_t cols, float *dst);
void pk_repack_q5_0_x16(const void *src, size_t src_row_bytes, int64_t rows, int64_t cols, void *dst);
void pk_dequantize_row_q5_0_x16(const void *base, int64_t row, int64_t cols, float *dst);
void pk_repack_q4_1_x16(const void *src, size_t src_row_bytes, int64_t rows, int64_t cols, void *dst);
void pk_dequantize_row_q4_1_x16(const void *base, int64_t row, int64_t cols, float *dst);

// Portable references (quants_generic.c).
void pk_dequantize_row_q4_0(const void *src, float *y, int64_t n);
void pk_dequantize_row_q4_1(const void *src, float *y, int64_t n);
void pk_dequantize_row_q5_0(const void *src, float *y, int64_t n);
void pk_dequantize_row_q5_1(const void *src, float *y, int64_t n);
void pk_dequantize_row_q8_0(const void *src, float *y, int64_t n);
void pk_dequantize_row_q4_K(const void *src, float *y, int64_t n);
void pk_dequantize_row_q5_K(const void *src, float *y, int64_t n);
void pk_dequantize_row_q6_K(const void *src, float *y, int64_t n);
void pk_dequantize_row_f16(const void *src, float *y, int64_t n);
void pk_dequantize_row_bf16(const void *src, float *y, int64_t n);
// Q2_K, Q3_K (quants_q2_K_q3_K.c); IQ4_NL, IQ4_XS, MXFP4 (quants_lut4.c).
void pk_dequantize_row_q2_K(const void *src, float *y, int64_t n);
void pk_dequantize_row_q3_K(const void *src, float *y, int64_t n);
void pk_dequantize_row_iq4_nl(const void *src, float *y, int64_t n);
void pk_dequantize_row_iq4_xs(const void *src, float *y, int64_t n);
void pk_dequantize_row_mxfp4(const void *src, float *y, int64_t n);

void pk_quantize_row_q8_0_generic(const float *x, void *y, int64_t n);
void pk_quantize_row_q8_1_generic(const float *x, void *y, int64_t n);
void pk_quantize_row_q8_K_generic(const float *x, void *y, int64_t n);
void pk_quantize_row_f16_generic(const float *x, void *y, int64_t n);
void pk_quantize_row_bf16_generic(const float *x, void *y, int64_t n);

float pk_vec_dot_q4_0_q8_0_generic(int64_t n, const void *w, const void *xq);
float pk_vec_dot_q4_1_q8_1_generic(int64_t n, const void *w, const void *xq);
float pk_vec_dot_q5_0_q8_0_generic(int64_t n, const void *w, const void *xq);
float pk_vec_dot_q5_1_q8_1_generic(int64_t n, const void *w, const void *xq);
float pk_vec_dot_q8_0_q8_0_generic(int64_t n, const void *w, const void *xq);
float pk_vec_dot_q4_K_q8_K_generic(int64_t n, const void *w, const void *xq);
float pk_vec_dot_q5_K_q8_K_generic(int64_t n, const void *w, const void *xq);
float pk_vec_dot_q6_K_q8_K_generic(int64_t n, const void *w, const void *xq);
float pk_vec_dot_f16_f16_generic(int64_t n, const void *w, const void *xq);
float pk_vec_dot_bf16_bf16_generic(int64_t n, const void *w, const void *xq);
float pk_vec_dot_f32_f32_generic(int64_t n, const void *w, const void *xq);
float pk_vec_dot_q2_K_q8_K_generic(int64_t n, const void *w, const void *xq);
float pk_vec_dot_q3_K_q8_K_generic(int64_t n, const void *w, const void *xq);
float pk_vec_dot_iq4_nl_q8_0_generic(int64_t n, const void *w, const void *xq);
float pk_vec_dot_iq4_xs_q8_K_generic(int64_t n, const void *w, const void *xq);
float pk_vec_dot_mxfp4_q8_0_generic(int64_t n, const void *w, const void *xq);
