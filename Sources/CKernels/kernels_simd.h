// Declarations of the SIMD kernels (quants_avx2.c, quants_avx512.c) and the table helpers that
// name them only where they are compiled.
#pragma once
#include "internal.h"

#if PK_X86
/// A kernel's AVX2 entry for the dispatch table.
#define PK_AVX2(name) name##_avx2
/// A kernel's AVX-512 entry for the dispatch table.
#define PK_AVX512(name) name##_avx512
#else
#define PK_AVX2(name) NULL
#define PK_AVX512(name) NULL
#endif

#if PK_X86
void pk_quantize_row_q8_0_avx2(const float *x, void *y, int64_t n);
void pk_quantize_row_q8_1_avx2(const float *x, void *y, int64_t n);
void pk_quantize_row_q8_K_avx2(const float *x, void *y, int64_t n);
void pk_quantize_row_f16_avx2(const float *x, void *y, int64_t n);

float pk_vec_dot_q4_0_q8_0_avx2(int64_t n, const void *w, const void *xq);
float pk_vec_dot_q4_1_q8_1_avx2(int64_t n, const void *w, const void *xq);
float pk_vec_dot_q5_0_q8_0_avx2(int64_t n, const void *w, const void *xq);
float pk_vec_dot_q5_1_q8_1_avx2(int64_t n, const void *w, const void *xq);
float pk_vec_dot_q8_0_q8_0_avx2(int64_t n, const void *w, const void *xq);
float pk_vec_dot_q4_K_q8_K_avx2(int64_t n, const void *w, const void *xq);
float pk_vec_dot_q5_K_q8_K_avx2(int64_t n, const void *w, const void *xq);
float pk_vec_dot_q6_K_q8_K_avx2(int64_t n, const void *w, const void *xq);
float pk_vec_dot_f16_f16_avx2(int64_t n, const void *w, const void *xq);
float pk_vec_dot_bf16_bf16_avx2(int64_t n, const void *w, const void *xq);
float pk_vec_dot_f32_f32_avx2(int64_t n, const void *w, const void *xq);
float pk_vec_dot_q2_K_q8_K_avx2(int64_t n, const void *w, const void *xq);
float pk_vec_dot_q3_K_q8_K_avx2(int64_t n, const void *w, const void *xq);
float pk_vec_dot_iq4_nl_q8_0_avx2(int64_t n, const void *w, const void *xq);
float pk_vec_dot_iq4_xs_q8_K_avx2(int64_t n, const void *w, const void *xq);
float pk_vec_dot_mxfp4_q8_0_avx2(int64_t n, const void *w, const void *xq);

float pk_vec_dot_q4_0_q8_0_avx512(int64_t n, const void *w, const void *xq);
float pk_vec_dot_q4_1_q8_1_avx512(int64_t n, const void *w, const void *xq);
float pk_vec_dot_q5_0_q8_0_avx512(int64_t n, const void *w, const void *xq);
float pk_vec_dot_q5_1_q8_1_avx512(int64_t n, const void *w, const void *xq);
float pk_vec_dot_q8_0_q8_0_avx512(int64_t n, const void *w, const void *xq);

void pk_prep_act32_avx2(int64_t n, const void *x, size_t xs, int64_t count, int shift, int hasmin, pk_act32 *out);
void pk_prep_tile_q4_0_avx2(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_prep_tile_q4_1_avx2(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_prep_tile_q5_0_avx2(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_prep_tile_q5_1_avx2(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_prep_tile_q8_0_avx2(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_prep_tile4_q4_0_avx2(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_prep_tile4_q4_1_avx2(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_prep_tile4_q5_0_avx2(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_prep_tile4_q5_1_avx2(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_prep_tile4_q8_0_avx2(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_tile_q4_0_avx2(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_tile_q4_1_avx2(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_tile_q5_0_avx2(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_tile_q5_1_avx2(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_tile_q8_0_avx2(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_tile_q4_K_avx2(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_tile_q5_K_avx2(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_tile_q6_K_avx2(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_tile_q4_0_avx512(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_tile_q4_1_avx512(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_tile_q5_0_avx512(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_tile_q5_1_avx512(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_tile_q8_0_avx512(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_tile_q4_K_avx512(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_tile_q5_K_avx512(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_tile_q6_K_avx512(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_gemv_q4_0_avx2(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_gemv_q4_1_avx2(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_gemv_q5_0_avx2(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_gemv_q5_1_avx2(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_gemv_q8_0_avx2(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_gemv_q4_0_avx512(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_gemv_q4_1_avx512(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_gemv_q5_0_avx512(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_gemv_q5_1_avx512(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_gemv_q8_0_avx512(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_dot1_q4_0_avx2(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_dot1_q4_1_avx2(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_dot1_q5_0_avx2(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_dot1_q5_1_avx2(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_dot1_q8_0_avx2(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_dot1_q4_0_avx512(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_dot1_q4_1_avx512(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_dot1_q5_0_avx512(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_dot1_q5_1_avx512(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_dot1_q8_0_avx512(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
/// Q4_K with llama.cpp's repacked q4_K_8x8 arithmetic (quants_q4_K_r8.c).
void pk_tile_q4_K_r8_avx2(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_tile_q4_K_r8_avx512(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_tile1_q4_K_r8_avx2(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_tile1_q4_K_r8_avx512(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_gemv_q4_K_r8_avx2(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_gemv_q4_K_r8_avx512(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_dot1_q4_K_r8_avx2(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_dot1_q4_K_r8_avx512(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
/// IQ4_NL and MXFP4 with llama.cpp's repacked 8x8 arithmetic, 1 row x 1 input (quants_lut4.c).
void pk_dot1_iq4_nl_r8_avx2(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_dot1_mxfp4_r8_avx2(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_gemv_iq4_nl_r8_avx2(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_gemv_mxfp4_r8_avx2(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_tile_iq4_nl_r8_avx2(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_tile_q4_0_r8_avx2(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_gemv_q4_0_r8_avx2(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_dot1_q4_0_r8_avx2(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_tile_mxfp4_r8_avx2(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
/// Q2_K, Q3_K (quants_q2_K_q3_K.c) and IQ4_XS (quants_lut4.c) with llama.cpp's tiled arithmetic, 1 row x 1 input.
void pk_dot1_q2_K_tiled_avx2(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_dot1_q3_K_tiled_avx2(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_dot1_iq4_xs_tiled_avx2(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
/// Q6_K with llama.cpp's tiled-matmul arithmetic (quants_q6_K_tiled.c).
void pk_tile_q6_K_tiled_avx2(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_tile_q6_K_tiled_avx512(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_dot1_q6_K_tiled_avx2(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_dot1_q6_K_tiled_avx512(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
/// Q4_K repacked 16 rows at a time (quants_q4_K_x16.c): 16 rows x PK_TILE_COLS inputs, 16 rows x 1 input.
/// A group's rows are interleaved, so `ws` is no stride in these layouts: the gemv kernels take it as
/// the distance to weights to prefetch meanwhile, a share per step (the next group; 0 for none).
void pk_tile_q6_K_x16_avx2(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_tile1_q6_K_x16_avx2(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_gemv_q6_K_x16_avx2(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_tile_q4_K_x16_avx2(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_gemv_q4_K_x16_avx2(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_tile_q4_K_x16_avx512(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_gemv_q4_K_x16_avx512(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
/// Q6_K repacked 16 rows at a time (quants_q6_K_x16.c): tiled arithmetic (16 x PK_TILE_COLS, 16 x 1),
/// vec_dot arithmetic (16 x 1).
void pk_tile_q6_K_x16_avx512(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_tile1_q6_K_x16_avx512(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
void pk_gemv_q6_K_x16_avx512(int64_t n, const void *w, size_t ws, const void *xq, size_t xs, float *out, size_t os);
/// Q8_0, Q4_0, Q5_0 and Q4_1 repacked 16 rows at a time (quants_32_x16.c): the activations' 4-element sums
/// first, then 16 rows x 2 inputs or 16 x 1, with the file layout's arithmetic.
void pk_x16_32_sums(int64_t n, const void *xq, size_t xs, int64_t count, int offset, int32_t *sums);
typedef void (*pk_x16_32_fn)(int64_t n, const void *w, const void *xq, size_t xs, const int32_t *sums, float *out,
                             size_t os);
void pk_tile_q8_0_x16_avx512(int64_t n, const void *w, const void *xq, size_t xs, const int32_t *sums, float *out, size_t os);
void pk_gemv_q8_0_x16_avx512(int64_t n, const void *w, const void *xq, size_t xs, const int32_t *sums, float *out, size_t os);
void pk_tile_q4_0_x16_avx512(int64_t n, const void *w, const void *xq, size_t xs, const int32_t *sums, float *out, size_t os);
void pk_gemv_q4_0_x16_avx512(int64_t n, const void *w, const void *xq, size_t xs, const int32_t *sums, float *out, size_t os);
void pk_tile_q5_0_x16_avx512(int64_t n, const void *w, const void *xq, size_t xs, const int32_t *sums, float *out, size_t os);
void pk_gemv_q5_0_x16_avx512(int64_t n, const void *w, const void *xq, size_t xs, const int32_t *sums, float *out, size_t os);
void pk_tile_q4_1_x16_avx512(int64_t n, const void *w, const void *xq, size_t xs, const int32_t *sums, float *out, size_t os);
void pk_gemv_q4_1_x16_avx512(int64_t n, const void *w, const void *xq, size_t xs, const int32_t *sums, float *out, size_t os);
#endif
