// The router of a mixture-of-experts layer: an F32 matrix times F32 activations, added in the
// order llama.cpp's CPU backend uses for an F32 × F32 mul_mat on an AVX2 machine. Part of the
// model's forward pass (Sources/PonderEngine/Model/MixtureOfExperts.swift).
#pragma once

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// out[b * rows + r] = dot(w[r], x[b]) for `batch` inputs of `cols` floats. With `sgemm` set
/// (llama.cpp takes it for two or more inputs and rows a multiple of 4) this is tinyBLAS's order
/// (llamafile_sgemm: one 8-lane FMA accumulator per output over the row, the tail zero-padded,
/// then a horizontal sum); otherwise ggml_vec_dot_f32's (four 8-lane accumulators over steps of
/// 32, reduced 0+2, 1+3, then 0+1, a horizontal sum by hadd, the leftovers fused one by one).
/// Every ISA level computes these lanes.
void pk_router_matmul_f32(int isa, const float *w, int64_t rows, int64_t cols, const float *x, int64_t batch,
                          int sgemm, float *out);

/// x = softmax(x) over n values, as ggml_soft_max's CPU kernel adds on an AVX2 machine: groups of
/// 8 through ggml's vectorized expf, each group's horizontal sum (float) added to a double, the
/// tail through libm's expf, then every value times (float)(1 / sum).
void pk_router_softmax_f32(int isa, float *x, int64_t n);

#ifdef __cplusplus
}
#endif
