// The one table that maps a tensor type to its kernels (ggml's type_traits_cpu), the CPU
// feature check, and the tiled matmul driver. No other file switches on a type.
#include "internal.h"
#include <stdbool.h>
#include <stdlib.h>
#include "kernels_simd.h"

#if PK_X86
#include <immintrin.h>
#define pk_prefetch(p) _mm_prefetch((const char *)(p), _MM_HINT_T0)
#else
#define pk_prefetch(p) __builtin_prefetch(p)
#endif

// MARK: - CPU features

int pk_isa_supported(int isa) {
    switch (isa) {
    case PK_ISA_SCALAR: return 1;
#if PK_X86
    case PK_ISA_AVX2:
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c");
    case PK_ISA_AVX512:
        return pk_isa_supported(PK_ISA_AVX2) && __builtin_cpu_supports("avx512f") &&
               __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
               __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vnni");
#endif
    default: return 0;
    }
}

int pk_isa_best(void) {
    static int best = -1;
    if (best < 0) {
        int b = PK_ISA_SCALAR;
        if (pk_isa_supported(PK_ISA_AVX2)) b = PK_ISA_AVX2;
        if (pk_isa_supported(PK_ISA_AVX512)) b = PK_ISA_AVX512;
        best = b;  // idempotent: a racing second writer stores the same value
    }
    return best;
}

// MARK: - Type table

typedef void (*pk_row_fn)(const void *src, float *dst, int64_t n);
typedef void (*pk_quantize_fn)(const float *src, void *dst, int64_t n);

typedef struct {
    int64_t block;           // elements per block
    size_t block_bytes;
    int vec_dot_type;        // activation type, -1 for activation-only types
    pk_row_fn dequantize;    // NULL for activation-only types
    pk_quantize_fn quantize[3];       // as an activation type, per ISA (NULL: use the previous level)
    pk_vec_dot_fn vec_dot[3];         // as a weight type, per ISA
    pk_tile_fn tile[3];               // prefill tile kernel per ISA (NULL: none at that level)
    pk_tile_fn gemv[3];               // decode kernel for PK_GEMV_ROWS rows x 1 input, per ISA
    pk_tile_fn dot1[3];               // 1 row x 1 input with the decode kernels' arithmetic (ragged inputs)
    pk_tile_fn tile1[3];              // 1 row x PK_TILE_COLS inputs with the tile kernels' arithmetic
                                      // (ragged rows), where it differs from dot1's
} pk_type_traits;

/// Weight rows per prefill tile at each ISA level (AVX-512 has twice the vector registers).
static const int pk_tile_rows[3] = {0, 2, 4};
/// Rows per decode group kernel (quants_gemm.c).
#define PK_GEMV_ROWS 4

#define PK_ISA_COUNT 3

static const pk_type_traits *pk_traits(uint32_t type) {
    // {scalar, AVX2, AVX-512} per column; NULL falls back to the level below.
    static const pk_type_traits f32 = {
        1, 4, PK_F32, NULL, {NULL},
        {pk_vec_dot_f32_f32_generic, PK_AVX2(pk_vec_dot_f32_f32), NULL}, {NULL}, {NULL}, {NULL}};
    static const pk_type_traits f16 = {
        1, 2, PK_F16, pk_dequantize_row_f16, {pk_quantize_row_f16_generic, PK_AVX2(pk_quantize_row_f16), NULL},
        {pk_vec_dot_f16_f16_generic, PK_AVX2(pk_vec_dot_f16_f16), NULL}, {NULL}, {NULL}, {NULL}};
    static const pk_type_traits bf16 = {
        1, 2, PK_BF16, pk_dequantize_row_bf16, {pk_quantize_row_bf16_generic, NULL, NULL},
        {pk_vec_dot_bf16_bf16_generic, PK_AVX2(pk_vec_dot_bf16_bf16), NULL}, {NULL}, {NULL}, {NULL}};
    static const pk_type_traits q4_0 = {
        PK_QK, 18, PK_Q8_0, pk_dequantize_row_q4_0, {NULL},
        {pk_vec_dot_q4_0_q8_0_generic, PK_AVX2(pk_vec_dot_q4_0_q8_0), PK_AVX512(pk_vec_dot_q4_0_q8_0)},
        {NULL, PK_AVX2(pk_tile_q4_0), PK_AVX512(pk_tile_q4_0)},
        {NULL, PK_AVX2(pk_gemv_q4_0), PK_AVX512(pk_gemv_q4_0)},
        {NULL, PK_AVX2(pk_dot1_q4_0), PK_AVX512(pk_dot1_q4_0)}};
    static const pk_type_traits q4_1 = {
        PK_QK, 20, PK_Q8_1, pk_dequantize_row_q4_1, {NULL},
        {pk_vec_dot_q4_1_q8_1_generic, PK_AVX2(pk_vec_dot_q4_1_q8_1), PK_AVX512(pk_vec_dot_q4_1_q8_1)},
        {NULL, PK_AVX2(pk_tile_q4_1), PK_AVX512(pk_tile_q4_1)},
        {NULL, PK_AVX2(pk_gemv_q4_1), PK_AVX512(pk_gemv_q4_1)},
        {NULL, PK_AVX2(pk_dot1_q4_1), PK_AVX512(pk_dot1_q4_1)}};
    static const pk_type_traits q5_0 = {
        PK_QK, 22, PK_Q8_0, pk_dequantize_row_q5_0, {NULL},
        {pk_vec_dot_q5_0_q8_0_generic, PK_AVX2(pk_vec_dot_q5_0_q8_0), PK_AVX512(pk_vec_dot_q5_0_q8_0)},
        {NULL, PK_AVX2(pk_tile_q5_0), PK_AVX512(pk_tile_q5_0)},
        {NULL, PK_AVX2(pk_gemv_q5_0), PK_AVX512(pk_gemv_q5_0)},
        {NULL, PK_AVX2(pk_dot1_q5_0), PK_AVX512(pk_dot1_q5_0)}};
    static const pk_type_traits q5_1 = {
        PK_QK, 24, PK_Q8_1, pk_dequantize_row_q5_1, {NULL},
        {pk_vec_dot_q5_1_q8_1_generic, PK_AVX2(pk_vec_dot_q5_1_q8_1), PK_AVX512(pk_vec_dot_q5_1_q8_1)},
        {NULL, PK_AVX2(pk_tile_q5_1), PK_AVX512(pk_tile_q5_1)},
        {NULL, PK_AVX2(pk_gemv_q5_1), PK_AVX512(pk_gemv_q5_1)},
        {NULL, PK_AVX2(pk_dot1_q5_1), PK_AVX512(pk_dot1_q5_1)}};
    static const pk_type_traits q8_0 = {
        PK_QK, 34, PK_Q8_0, pk_dequantize_row_q8_0,
        {pk_quantize_row_q8_0_generic, PK_AVX2(pk_quantize_row_q8_0), NULL},
        {pk_vec_dot_q8_0_q8_0_generic, PK_AVX2(pk_vec_dot_q8_0_q8_0), PK_AVX512(pk_vec_dot_q8_0_q8_0)},
        {NULL, PK_AVX2(pk_tile_q8_0), PK_AVX512(pk_tile_q8_0)},
        {NULL, PK_AVX2(pk_gemv_q8_0), PK_AVX512(pk_gemv_q8_0)},
        {NULL, PK_AVX2(pk_dot1_q8_0), PK_AVX512(pk_dot1_q8_0)}};
    static const pk_type_traits q8_1 = {
        PK_QK, 36, -1, NULL, {pk_quantize_row_q8_1_generic, PK_AVX2(pk_quantize_row_q8_1), NULL}, {NULL}, {NULL}, {NULL}, {NULL}};
    static const pk_type_traits q4_K = {
        PK_QK_K, 144, PK_Q8_K, pk_dequantize_row_q4_K, {NULL},
        {pk_vec_dot_q4_K_q8_K_generic, PK_AVX2(pk_vec_dot_q4_K_q8_K), NULL},
        {NULL, PK_AVX2(pk_tile_q4_K), PK_AVX512(pk_tile_q4_K)}, {NULL}, {NULL}};
    // Q4_K as llama.cpp multiplies it after repacking (matrices with a multiple of 8 rows, AVX2
    // and up): gemm arithmetic in prefill tiles, gemv arithmetic in decode and ragged inputs.
    static const pk_type_traits q4_K_r8 = {
        PK_QK_K, 144, PK_Q8_K, pk_dequantize_row_q4_K, {NULL},
        {pk_vec_dot_q4_K_q8_K_generic, PK_AVX2(pk_vec_dot_q4_K_q8_K), NULL},
        {NULL, PK_AVX2(pk_tile_q4_K_r8), PK_AVX512(pk_tile_q4_K_r8)},
        {NULL, PK_AVX2(pk_gemv_q4_K_r8), PK_AVX512(pk_gemv_q4_K_r8)},
        {NULL, PK_AVX2(pk_dot1_q4_K_r8), PK_AVX512(pk_dot1_q4_K_r8)},
        {NULL, PK_AVX2(pk_tile1_q4_K_r8), PK_AVX512(pk_tile1_q4_K_r8)}};
    // Q6_K as llama.cpp's tiled matmul multiplies it (batches of 8 or more inputs, AVX2 and up).
    static const pk_type_traits q6_K_tiled = {
        PK_QK_K, 210, PK_Q8_K, pk_dequantize_row_q6_K, {NULL},
        {pk_vec_dot_q6_K_q8_K_generic, PK_AVX2(pk_vec_dot_q6_K_q8_K), NULL},
        {NULL, PK_AVX2(pk_tile_q6_K_tiled), PK_AVX512(pk_tile_q6_K_tiled)}, {NULL},
        {NULL, PK_AVX2(pk_dot1_q6_K_tiled), PK_AVX512(pk_dot1_q6_K_tiled)}, {NULL}};
    static const pk_type_traits q5_K = {
        PK_QK_K, 176, PK_Q8_K, pk_dequantize_row_q5_K, {NULL},
        {pk_vec_dot_q5_K_q8_K_generic, PK_AVX2(pk_vec_dot_q5_K_q8_K), NULL},
        {NULL, PK_AVX2(pk_tile_q5_K), PK_AVX512(pk_tile_q5_K)}, {NULL}, {NULL}};
    static const pk_type_traits q6_K = {
        PK_QK_K, 210, PK_Q8_K, pk_dequantize_row_q6_K, {NULL},
        {pk_vec_dot_q6_K_q8_K_generic, PK_AVX2(pk_vec_dot_q6_K_q8_K), NULL},
        {NULL, PK_AVX2(pk_tile_q6_K), PK_AVX512(pk_tile_q6_K)}, {NULL}, {NULL}};
    // Q2_K, Q3_K (quants_q2_K_q3_K.c); IQ4_NL, IQ4_XS, MXFP4 (quants_lut4.c): vec_dot at every batch.
    static const pk_type_traits q2_K = {
        PK_QK_K, 84, PK_Q8_K, pk_dequantize_row_q2_K, {NULL},
        {pk_vec_dot_q2_K_q8_K_generic, PK_AVX2(pk_vec_dot_q2_K_q8_K), NULL}, {NULL}, {NULL}, {NULL}};
    static const pk_type_traits q3_K = {
        PK_QK_K, 110, PK_Q8_K, pk_dequantize_row_q3_K, {NULL},
        {pk_vec_dot_q3_K_q8_K_generic, PK_AVX2(pk_vec_dot_q3_K_q8_K), NULL}, {NULL}, {NULL}, {NULL}};
    static const pk_type_traits iq4_nl = {
        PK_QK, 18, PK_Q8_0, pk_dequantize_row_iq4_nl, {NULL},
        {pk_vec_dot_iq4_nl_q8_0_generic, PK_AVX2(pk_vec_dot_iq4_nl_q8_0), NULL}, {NULL}, {NULL}, {NULL}};
    static const pk_type_traits iq4_xs = {
        PK_QK_K, 136, PK_Q8_K, pk_dequantize_row_iq4_xs, {NULL},
        {pk_vec_dot_iq4_xs_q8_K_generic, PK_AVX2(pk_vec_dot_iq4_xs_q8_K), NULL}, {NULL}, {NULL}, {NULL}};
    static const pk_type_traits mxfp4 = {
        PK_QK, 17, PK_Q8_0, pk_dequantize_row_mxfp4, {NULL},
        {pk_vec_dot_mxfp4_q8_0_generic, PK_AVX2(pk_vec_dot_mxfp4_q8_0), NULL}, {NULL}, {NULL}, {NULL}};
    // IQ4_NL and MXFP4 as llama.cpp multiplies them after repacking (a multiple of 8 rows, AVX2 and
    // up): one fused multiply-add per block and (row, input), at every batch size.
    static const pk_type_traits iq4_nl_r8 = {
        PK_QK, 18, PK_Q8_0, pk_dequantize_row_iq4_nl, {NULL},
        {pk_vec_dot_iq4_nl_q8_0_generic, PK_AVX2(pk_vec_dot_iq4_nl_q8_0), NULL}, {NULL, PK_AVX2(pk_tile_iq4_nl_r8), NULL},
        {NULL, PK_AVX2(pk_gemv_iq4_nl_r8), NULL}, {NULL, PK_AVX2(pk_dot1_iq4_nl_r8), NULL}};
    static const pk_type_traits q4_0_r8 = {
        PK_QK, 18, PK_Q8_0, pk_dequantize_row_q4_0, {NULL},
        {pk_vec_dot_q4_0_q8_0_generic, PK_AVX2(pk_vec_dot_q4_0_q8_0), NULL}, {NULL, PK_AVX2(pk_tile_q4_0_r8), NULL},
        {NULL, PK_AVX2(pk_gemv_q4_0_r8), NULL}, {NULL, PK_AVX2(pk_dot1_q4_0_r8), NULL}};
    static const pk_type_traits mxfp4_r8 = {
        PK_QK, 17, PK_Q8_0, pk_dequantize_row_mxfp4, {NULL},
        {pk_vec_dot_mxfp4_q8_0_generic, PK_AVX2(pk_vec_dot_mxfp4_q8_0), NULL}, {NULL, PK_AVX2(pk_tile_mxfp4_r8), NULL},
        {NULL, PK_AVX2(pk_gemv_mxfp4_r8), NULL}, {NULL, PK_AVX2(pk_dot1_mxfp4_r8), NULL}};
    // Q2_K, Q3_K and IQ4_XS as llama.cpp's tiled matmul multiplies them (batches of 8 or more, AVX2 and up).
    static const pk_type_traits q2_K_tiled = {
        PK_QK_K, 84, PK_Q8_K, pk_dequantize_row_q2_K, {NULL},
        {pk_vec_dot_q2_K_q8_K_generic, PK_AVX2(pk_vec_dot_q2_K_q8_K), NULL}, {NULL}, {NULL},
        {NULL, PK_AVX2(pk_dot1_q2_K_tiled), NULL}};
    static const pk_type_traits q3_K_tiled = {
        PK_QK_K, 110, PK_Q8_K, pk_dequantize_row_q3_K, {NULL},
        {pk_vec_dot_q3_K_q8_K_generic, PK_AVX2(pk_vec_dot_q3_K_q8_K), NULL}, {NULL}, {NULL},
        {NULL, PK_AVX2(pk_dot1_q3_K_tiled), NULL}};
    static const pk_type_traits iq4_xs_tiled = {
        PK_QK_K, 136, PK_Q8_K, pk_dequantize_row_iq4_xs, {NULL},
        {pk_vec_dot_iq4_xs_q8_K_generic, PK_AVX2(pk_vec_dot_iq4_xs_q8_K), NULL}, {NULL}, {NULL},
        {NULL, PK_AVX2(pk_dot1_iq4_xs_tiled), NULL}};
    static const pk_type_traits q8_K = {
        PK_QK_K, 292, -1, NULL, {pk_quantize_row_q8_K_generic, PK_AVX2(pk_quantize_row_q8_K), NULL}, {NULL}, {NULL}, {NULL}, {NULL}};

    switch (type) {
    case PK_F32: return &f32;
    case PK_F16: return &f16;
    case PK_BF16: return &bf16;
    case PK_Q4_0: return &q4_0;
    case PK_Q4_1: return &q4_1;
    case PK_Q5_0: return &q5_0;
    case PK_Q5_1: return &q5_1;
    case PK_Q8_0: return &q8_0;
    case PK_Q8_1: return &q8_1;
    case PK_Q4_K: return &q4_K;
    case PK_Q5_K: return &q5_K;
    case PK_Q6_K: return &q6_K;
    case PK_Q8_K: return &q8_K;
    case PK_Q2_K: return &q2_K;
    case PK_Q3_K: return &q3_K;
    case PK_IQ4_NL: return &iq4_nl;
    case PK_IQ4_XS: return &iq4_xs;
    case PK_MXFP4: return &mxfp4;
    case PK_IQ4_NL_R8: return &iq4_nl_r8;
    case PK_Q4_0_R8: return &q4_0_r8;
    case PK_MXFP4_R8: return &mxfp4_r8;
    case PK_Q2_K_TILED: return &q2_K_tiled;
    case PK_Q3_K_TILED: return &q3_K_tiled;
    case PK_IQ4_XS_TILED: return &iq4_xs_tiled;
    case PK_Q4_K_R8: return &q4_K_r8;
    case PK_Q6_K_TILED: return &q6_K_tiled;
    default: return NULL;
    }
}

/// The entry for `isa`, or the nearest lower level that has one (arch-fallback.h's rule).
#define PK_PICK(table, isa)                                                                   \
    ({                                                                                        \
        int _i = (isa) < 0 ? 0 : ((isa) >= PK_ISA_COUNT ? PK_ISA_COUNT - 1 : (isa));          \
        while (_i > 0 && (table)[_i] == NULL) _i--;                                           \
        (table)[_i];                                                                          \
    })

// MARK: - Repacked types

typedef void (*pk_repack_fn)(const void *src, size_t src_row_bytes, int64_t rows, int64_t cols, void *dst);
typedef void (*pk_packed_row_fn)(const void *base, int64_t row, int64_t cols, float *dst);

/// The one table of the repacked layouts (kernels.h): what each packs, its column unit, bytes per
/// block per row, activation type, its repack and row readers, and for the 32-element types the
/// kernels with the activation offset they take out (quants_32_x16.c).
typedef struct {
    uint32_t packed, from;
    int64_t block, columns;  // elements per block; the layout's column unit (cols must be a multiple)
    size_t row_bytes;        // bytes per block per row
    int act;
    pk_repack_fn repack;
    pk_packed_row_fn dequantize;
    int offset;              // 32-element types: the weights' unsigned offset (0: none, Q4_1's mins)
#if PK_X86
    pk_x16_32_fn tile32, single32;
#endif
} pk_packed_traits;

#if PK_X86
#define PK_X16_32(tile, single) , tile, single
#else
#define PK_X16_32(tile, single)
#endif

static const pk_packed_traits pk_packed_table[] = {
    {PK_Q4_K_X16, PK_Q4_K, PK_QK_K, PK_QK_K, PK_Q4_K_X16_ROW_BYTES, PK_Q8_K, pk_repack_q4_K_x16, pk_dequantize_row_q4_K_x16, 0
     PK_X16_32(NULL, NULL)},
    {PK_Q6_K_X16, PK_Q6_K, PK_QK_K, PK_QK_K, PK_Q6_K_X16_ROW_BYTES, PK_Q8_K, pk_repack_q6_K_x16, pk_dequantize_row_q6_K_x16, 0
     PK_X16_32(NULL, NULL)},
    {PK_Q8_0_X16, PK_Q8_0, PK_QK, 2 * PK_QK, PK_Q8_0_X16_ROW_BYTES, PK_Q8_0, pk_repack_q8_0_x16, pk_dequantize_row_q8_0_x16, 128
     PK_X16_32(pk_tile_q8_0_x16_avx512, pk_gemv_q8_0_x16_avx512)},
    {PK_Q4_0_X16, PK_Q4_0, PK_QK, 2 * PK_QK, PK_Q4_0_X16_ROW_BYTES, PK_Q8_0, pk_repack_q4_0_x16, pk_dequantize_row_q4_0_x16, 8
     PK_X16_32(pk_tile_q4_0_x16_avx512, pk_gemv_q4_0_x16_avx512)},
    {PK_Q5_0_X16, PK_Q5_0, PK_QK, 2 * PK_QK, PK_Q5_0_X16_ROW_BYTES, PK_Q8_0, pk_repack_q5_0_x16, pk_dequantize_row_q5_0_x16, 16
     PK_X16_32(pk_tile_q5_0_x16_avx512, pk_gemv_q5_0_x16_avx512)},
    {PK_Q4_1_X16, PK_Q4_1, PK_QK, 2 * PK_QK, PK_Q4_1_X16_ROW_BYTES, PK_Q8_1, pk_repack_q4_1_x16, pk_dequantize_row_q4_1_x16, 0
     PK_X16_32(pk_tile_q4_1_x16_avx512, pk_gemv_q4_1_x16_avx512)},
};

/// The entry of packed type `type`, or NULL for every other type.
static const pk_packed_traits *pk_packed(uint32_t type) {
    for (size_t i = 0; i < sizeof pk_packed_table / sizeof pk_packed_table[0]; i++)
        if (pk_packed_table[i].packed == type) return &pk_packed_table[i];
    return NULL;
}

int pk_vec_dot_type(uint32_t type) {
    const pk_packed_traits *p = pk_packed(type);
    if (p) return p->act;
    const pk_type_traits *t = pk_traits(type);
    return t && t->vec_dot[0] ? t->vec_dot_type : -1;
}

int64_t pk_block_size(uint32_t type) {
    const pk_packed_traits *p = pk_packed(type);
    if (p) return p->block;
    const pk_type_traits *t = pk_traits(type);
    return t ? t->block : 0;
}

size_t pk_row_size(uint32_t type, int64_t n) {
    const pk_packed_traits *p = pk_packed(type);
    if (p) return n < 0 || n % p->block != 0 ? 0 : (size_t)(n / p->block) * p->row_bytes;
    const pk_type_traits *t = pk_traits(type);
    if (!t || n < 0 || n % t->block != 0) return 0;
    return (size_t)(n / t->block) * t->block_bytes;
}

int pk_dequantize_row(uint32_t type, const void *src, float *dst, int64_t n) {
    const pk_type_traits *t = pk_traits(type);
    if (type == PK_F32) {
        memcpy(dst, src, (size_t)n * sizeof(float));
        return 0;
    }
    if (!t || !t->dequantize || n % t->block != 0) return -1;
    t->dequantize(src, dst, n);
    return 0;
}

int pk_quantize_activation(uint32_t act_type, const float *src, void *dst, int64_t n, int isa) {
    if (act_type == PK_F32) {
        if ((const void *)src != dst) memmove(dst, src, (size_t)n * sizeof(float));
        return 0;
    }
    const pk_type_traits *t = pk_traits(act_type);
    if (!t || !t->quantize[0] || n % t->block != 0) return -1;
    if (!pk_isa_supported(isa)) isa = PK_ISA_SCALAR;
    PK_PICK(t->quantize, isa)(src, dst, n);
    return 0;
}

float pk_vec_dot(uint32_t type, int isa, int64_t n, const void *w, const void *xq) {
    const pk_type_traits *t = pk_traits(type);
    if (!t || !t->vec_dot[0]) return 0.0f;
    if (!pk_isa_supported(isa)) isa = PK_ISA_SCALAR;
    return PK_PICK(t->vec_dot, isa)(n, w, xq);
}

// MARK: - Matmul driver

/// Weight bytes per row tile: small enough to stay in L1/L2 while every batch column of the
/// tile streams past it.
#define PK_ROW_TILE_BYTES (24 * 1024)
/// Activation bytes per batch tile (kept in L2 across the row tiles of one task).
#define PK_BATCH_TILE_BYTES (192 * 1024)

/// One (row, input) dot product with the arithmetic of the level's tile kernels when it has them
/// (K-quant tiles and dot products already agree bit for bit), else the plain dot product.
typedef struct {
    pk_vec_dot_fn dot;
    pk_tile_fn dot1;
} pk_pair_kernel;

static inline float pk_pair(const pk_pair_kernel *k, int64_t n, const void *w, const void *x) {
    if (k->dot1) {
        float out;
        k->dot1(n, w, 0, x, 0, &out, 1);
        return out;
    }
    return k->dot(n, w, x);
}

/// The kernels llama.cpp's CPU backend would use for this matmul: its x86 build repacks Q4_K
/// matrices whose row count is a multiple of 8 when the CPU has AVX2 (repack.cpp,
/// ggml_repack_get_optimal_repack_type), and multiplies other K-quant matrices by batches of 8
/// or more inputs with its tiled kernel (tiled.cpp); both round in another order than vec_dot.
/// Not yet followed: the tiled kernel for Q4_K/Q5_K matrices that are not repacked.
static const pk_type_traits *pk_matmul_traits(const pk_matmul_args *a, int isa) {
    if (a->type == PK_Q4_K && isa >= PK_ISA_AVX2 && a->rows % 8 == 0) return pk_traits(PK_Q4_K_R8);
    if (a->type == PK_Q6_K && isa >= PK_ISA_AVX2 && a->batch >= 8) return pk_traits(PK_Q6_K_TILED);
    if (a->type == PK_IQ4_NL && isa >= PK_ISA_AVX2 && a->rows % 8 == 0) return pk_traits(PK_IQ4_NL_R8);
    if (a->type == PK_Q4_0 && isa >= PK_ISA_AVX2 && a->rows % 8 == 0) return pk_traits(PK_Q4_0_R8);
    if (a->type == PK_MXFP4 && isa >= PK_ISA_AVX2 && a->rows % 8 == 0) return pk_traits(PK_MXFP4_R8);
    if (a->type == PK_Q2_K && isa >= PK_ISA_AVX2 && a->batch >= 8) return pk_traits(PK_Q2_K_TILED);
    if (a->type == PK_Q3_K && isa >= PK_ISA_AVX2 && a->batch >= 8) return pk_traits(PK_Q3_K_TILED);
    if (a->type == PK_IQ4_XS && isa >= PK_ISA_AVX2 && a->batch >= 8) return pk_traits(PK_IQ4_XS_TILED);
    return pk_traits(a->type);
}

int pk_repacked_type(uint32_t type, int isa, int64_t rows, int64_t cols) {
    if (rows <= 0 || rows % 16 != 0 || cols <= 0) return -1;
    // Q4_K and Q6_K have AVX2 kernels for their 16-row layouts too; the others need VNNI.
    if ((type == PK_Q4_K || type == PK_Q6_K) && isa == PK_ISA_AVX2 && pk_isa_supported(PK_ISA_AVX2) && cols % PK_QK_K == 0)
        return type == PK_Q4_K ? PK_Q4_K_X16 : PK_Q6_K_X16;
    if (isa < PK_ISA_AVX512 || !pk_isa_supported(PK_ISA_AVX512)) return -1;
    for (size_t i = 0; i < sizeof pk_packed_table / sizeof pk_packed_table[0]; i++)
        if (pk_packed_table[i].from == type && cols % pk_packed_table[i].columns == 0) return (int)pk_packed_table[i].packed;
    return -1;
}

void pk_repack(uint32_t packed, const void *src, size_t src_row_bytes, int64_t rows, int64_t cols, void *dst) {
    const pk_packed_traits *p = pk_packed(packed);
    if (p) p->repack(src, src_row_bytes, rows, cols, dst);
}

void pk_dequantize_row_packed(uint32_t packed, const void *base, int64_t row, int64_t cols, float *dst) {
    const pk_packed_traits *p = pk_packed(packed);
    if (p) p->dequantize(base, row, cols, dst);
}

/// Inputs per batch tile: as many activation rows as fit PK_BATCH_TILE_BYTES (kept in L2 while the
/// rows of a task pass over them), a whole number of PK_TILE_COLS groups.
static int64_t pk_batch_tile(const pk_matmul_args *a) {
    int64_t tile = (int64_t)(PK_BATCH_TILE_BYTES / (a->xq_row_bytes ? a->xq_row_bytes : 1));
    if (tile < PK_TILE_COLS) tile = PK_TILE_COLS;
    return tile - tile % PK_TILE_COLS;
}

/// A repacked 32-element-type matrix (quants_32_x16.c): the file layout's arithmetic for every
/// input, the activations' offset sums computed once per batch tile of this task.
static void pk_matmul_rows_x16_32(const pk_packed_traits *p, const pk_matmul_args *a, int64_t r0, int64_t r1) {
#if PK_X86
    const pk_x16_32_fn tile = p->tile32, single = p->single32;
    const size_t group = (size_t)16 * a->w_row_bytes;
    const char *w = a->w;
    const char *x = a->xq;
    const int64_t nb = a->cols / PK_QK;
    int64_t batch_tile = pk_batch_tile(a);
    if (batch_tile > a->batch) batch_tile = a->batch;
    int32_t stack[8192];
    const size_t need = p->offset ? (size_t)batch_tile * (size_t)nb * 8 : 0;
    int32_t *sums = need <= sizeof stack / sizeof stack[0] ? stack : malloc(need * sizeof(int32_t));
    if (!sums) abort();  // out of memory: nothing sensible to return from a matmul
    for (int64_t b0 = 0; b0 < a->batch; b0 += batch_tile) {
        const int64_t b1 = b0 + batch_tile < a->batch ? b0 + batch_tile : a->batch;
        if (p->offset) /* Q4_1's weights carry no offset (its mins are added per block instead) */
            pk_x16_32_sums(a->cols, x + (size_t)b0 * a->xq_row_bytes, a->xq_row_bytes, b1 - b0, p->offset, sums);
        for (int64_t r = r0; r < r1; r += 16) {
            const char *wg = w + (size_t)(r / 16) * group;
            if (a->batch == 1 && r + 32 <= r1)
                for (size_t o = 0; o < group; o += 64) pk_prefetch(wg + group + o);
            int64_t b = b0;
            for (; b + 2 <= b1; b += 2)
                tile(a->cols, wg, x + (size_t)b * a->xq_row_bytes, a->xq_row_bytes, sums + (b - b0) * nb * 8,
                     a->out + b * a->out_stride + r, (size_t)a->out_stride);
            for (; b < b1; b++)
                single(a->cols, wg, x + (size_t)b * a->xq_row_bytes, 0, sums + (b - b0) * nb * 8,
                       a->out + b * a->out_stride + r, 1);
        }
    }
    if (sums != stack) free(sums);
#else
    (void)p; (void)a; (void)r0; (void)r1;
#endif
}

/// A repacked K-quant matrix: groups of 16 rows [r0, r1) (both multiples of 16, or r1 = rows), with the
/// arithmetic llama.cpp uses for the type and batch (pk_matmul_traits), bit for bit:
/// Q4_K: inputs in whole groups of 4 the gemm arithmetic, the last batch % 4 the gemv arithmetic;
/// Q6_K: batches of 8 or more the tiled arithmetic, smaller ones vec_dot's.
static void pk_matmul_rows_x16(const pk_matmul_args *a, int64_t r0, int64_t r1) {
#if PK_X86
    pk_tile_fn tile, tail, single;
    const int avx2 = a->isa < PK_ISA_AVX512 || !pk_isa_supported(PK_ISA_AVX512);
    if (a->type == PK_Q4_K_X16) {
        tile = avx2 ? pk_tile_q4_K_x16_avx2 : pk_tile_q4_K_x16_avx512;
        tail = single = avx2 ? pk_gemv_q4_K_x16_avx2 : pk_gemv_q4_K_x16_avx512;
    } else if (a->batch >= 8) {
        tile = avx2 ? pk_tile_q6_K_x16_avx2 : pk_tile_q6_K_x16_avx512;
        tail = single = avx2 ? pk_tile1_q6_K_x16_avx2 : pk_tile1_q6_K_x16_avx512;
    } else {
        tile = NULL;
        tail = single = avx2 ? pk_gemv_q6_K_x16_avx2 : pk_gemv_q6_K_x16_avx512;
    }
    const size_t group = (size_t)16 * a->w_row_bytes;
    const char *w = a->w;
    const char *x = a->xq;
    if (a->batch == 1) {
        // The next group is prefetched by the kernel a share at a time while this one is
        // computed (`ws`, the distance): a K-quant group costs enough arithmetic that fetching
        // it all up front left the memory idle for part of it (Qwen3-0.6B shape Q4_K_M: 42 ->
        // 47 t/s; for the lighter 32-element types up front is as good or better, Q8_0 11 vs 10).
        for (int64_t r = r0; r < r1; r += 16)
            single(a->cols, w + (size_t)(r / 16) * group, r + 32 <= r1 ? group : 0, x, 0, a->out + r, 1);
        return;
    }
    const int64_t full = tile ? a->batch - a->batch % PK_TILE_COLS : 0;
    const int64_t batch_tile = pk_batch_tile(a);
    for (int64_t b0 = 0; b0 < a->batch; b0 += batch_tile) {
        const int64_t b1 = b0 + batch_tile < a->batch ? b0 + batch_tile : a->batch;
        for (int64_t r = r0; r < r1; r += 16) {
            const char *wg = w + (size_t)(r / 16) * group;
            int64_t b = b0;
            for (; b + PK_TILE_COLS <= b1 && b < full; b += PK_TILE_COLS)
                tile(a->cols, wg, 0, x + (size_t)b * a->xq_row_bytes, a->xq_row_bytes, a->out + b * a->out_stride + r,
                     (size_t)a->out_stride);
            for (; b < b1; b++) tail(a->cols, wg, 0, x + (size_t)b * a->xq_row_bytes, 0, a->out + b * a->out_stride + r, 1);
        }
    }
#else
    (void)a; (void)r0; (void)r1;
#endif
}

/// The AVX2 prepared-activation tiles of a 32-element weight type (quants_gemm.c): 1 row x
/// PK_PREP_COLS and 1 row x PK_TILE_COLS inputs, the weights' offset shift and whether they have mins;
/// false for other types.
static bool pk_prep32_kernels(uint32_t type, pk_tile_fn *tile, pk_tile_fn *tile4, int *shift, int *hasmin) {
#if PK_X86
    switch (type) {
    case PK_Q4_0: *tile = pk_prep_tile_q4_0_avx2; *tile4 = pk_prep_tile4_q4_0_avx2; *shift = 3; *hasmin = 0; return true;
    case PK_Q4_1: *tile = pk_prep_tile_q4_1_avx2; *tile4 = pk_prep_tile4_q4_1_avx2; *shift = 0; *hasmin = 1; return true;
    case PK_Q5_0: *tile = pk_prep_tile_q5_0_avx2; *tile4 = pk_prep_tile4_q5_0_avx2; *shift = 4; *hasmin = 0; return true;
    case PK_Q5_1: *tile = pk_prep_tile_q5_1_avx2; *tile4 = pk_prep_tile4_q5_1_avx2; *shift = 0; *hasmin = 1; return true;
    case PK_Q8_0: *tile = pk_prep_tile_q8_0_avx2; *tile4 = pk_prep_tile4_q8_0_avx2; *shift = 0; *hasmin = 0; return true;
    default: return false;
    }
#else
    (void)type; (void)tile; (void)tile4; (void)shift; (void)hasmin;
    return false;
#endif
}

/// Prepared activation bytes per batch tile: with the row tile's weights, within L2.
#define PK_PREP_TILE_BYTES (128 * 1024)

/// A 32-element-type matmul at the AVX2 level: each batch tile's activations prepared once
/// (pk_act32, in this thread's buffer), then each weight row of a row tile against PK_PREP_COLS inputs
/// at a time (a last group of PK_TILE_COLS); the last batch % PK_TILE_COLS inputs through the single
/// dot, which performs the same float operations per (row, input).
static void pk_matmul_rows_prep32(const pk_matmul_args *a, const pk_pair_kernel *pair, pk_tile_fn tile,
                                  pk_tile_fn tile4, int shift, int hasmin, int64_t r0, int64_t r1) {
#if PK_X86
    static __thread pk_act32 *buffer;
    static __thread size_t capacity;  // blocks
    const int64_t nb = a->cols / PK_QK;
    const int64_t full = a->batch - a->batch % PK_TILE_COLS;
    int64_t batch_tile = (int64_t)(PK_PREP_TILE_BYTES / ((size_t)nb * sizeof(pk_act32)));
    batch_tile -= batch_tile % PK_PREP_COLS;
    if (batch_tile < PK_PREP_COLS) batch_tile = PK_PREP_COLS;
    if (batch_tile > full) batch_tile = full;
    const size_t need = (size_t)batch_tile * (size_t)nb;
    if (need > capacity) {
        free(buffer);
        buffer = aligned_alloc(64, (need * sizeof(pk_act32) + 63) / 64 * 64);
        if (!buffer) abort();  // out of memory: nothing sensible to return from a matmul
        capacity = need;
    }
    const char *w = a->w;
    const char *x = a->xq;
    const size_t prow = (size_t)nb * sizeof(pk_act32);
    int64_t row_tile = (int64_t)(PK_ROW_TILE_BYTES / (a->w_row_bytes ? a->w_row_bytes : 1));
    if (row_tile < 1) row_tile = 1;
    for (int64_t b0 = 0; b0 < full; b0 += batch_tile) {
        const int64_t b1 = b0 + batch_tile < full ? b0 + batch_tile : full;
        pk_prep_act32_avx2(a->cols, x + (size_t)b0 * a->xq_row_bytes, a->xq_row_bytes, b1 - b0, shift, hasmin, buffer);
        for (int64_t rt = r0; rt < r1; rt += row_tile) {
            const int64_t rt1 = rt + row_tile < r1 ? rt + row_tile : r1;
            for (int64_t b = b0; b < b1;) {
                const int64_t cols = b + PK_PREP_COLS <= b1 ? PK_PREP_COLS : PK_TILE_COLS;
                const pk_tile_fn kernel = cols == PK_PREP_COLS ? tile : tile4;
                const pk_act32 *xp = buffer + (size_t)(b - b0) * (size_t)nb;
                float *o = a->out + b * a->out_stride;
                for (int64_t r = rt; r < rt1; r++)
                    kernel(a->cols, w + (size_t)r * a->w_row_bytes, a->w_row_bytes, xp, prow, o + r, (size_t)a->out_stride);
                b += cols;
            }
        }
    }
    for (int64_t b = full; b < a->batch; b++)
        for (int64_t r = r0; r < r1; r++)
            a->out[b * a->out_stride + r] = pk_pair(pair, a->cols, w + (size_t)r * a->w_row_bytes, x + (size_t)b * a->xq_row_bytes);
#else
    (void)a; (void)pair; (void)tile; (void)tile4; (void)shift; (void)hasmin; (void)r0; (void)r1;
#endif
}

void pk_matmul_rows(const pk_matmul_args *a, int64_t r0, int64_t r1) {
    const pk_packed_traits *packed = pk_packed(a->type);
    if (packed) {
        if (packed->block == PK_QK_K) pk_matmul_rows_x16(a, r0, r1);
        else pk_matmul_rows_x16_32(packed, a, r0, r1);
        return;
    }
    const int isa = pk_isa_supported(a->isa) ? a->isa : PK_ISA_SCALAR;
    const pk_type_traits *t = pk_matmul_traits(a, isa);
    if (!t || !t->vec_dot[0] || r0 >= r1) return;
    const pk_pair_kernel pair = {PK_PICK(t->vec_dot, isa), PK_PICK(t->dot1, isa)};
    const pk_tile_fn tile1 = PK_PICK(t->tile1, isa);
    const char *w = a->w;
    const char *x = a->xq;

    if (a->batch == 1) {
        int64_t r = r0;
        const pk_tile_fn gemv = PK_PICK(t->gemv, isa);
        if (gemv) {
            // Four interleaved row streams defeat the hardware prefetcher (measured: Q8_0 rows
            // from DRAM at ~1/3 of the single-stream rate), so fetch the next group explicitly.
            // With it, 4-row groups match or beat one row at a time (single core, 178 MB Q8_0:
            // 15-19 vs 17 GB/s; Q5_0 12.8 vs 9.9; Q4_1 11.3 vs 7.3).
            const size_t group = PK_GEMV_ROWS * a->w_row_bytes;
            for (; r + PK_GEMV_ROWS <= r1; r += PK_GEMV_ROWS) {
                const char *next = w + (size_t)r * a->w_row_bytes + group;
                if (r + 2 * PK_GEMV_ROWS <= r1)
                    for (size_t o = 0; o < group; o += 64) pk_prefetch(next + o);
                gemv(a->cols, w + (size_t)r * a->w_row_bytes, a->w_row_bytes, x, 0, a->out + r, 1);
            }
        }
        for (; r < r1; r++) a->out[r] = pk_pair(&pair, a->cols, w + (size_t)r * a->w_row_bytes, x);
        return;
    }

    pk_tile_fn prep_tile, prep_tile4;
    int shift, hasmin;
    // (Not where llama.cpp's arithmetic for the matrix is another one: Q4_0's repacked chains.)
    if (isa == PK_ISA_AVX2 && t == pk_traits(a->type) && a->batch >= PK_TILE_COLS &&
        pk_prep32_kernels(a->type, &prep_tile, &prep_tile4, &shift, &hasmin)) {
        pk_matmul_rows_prep32(a, &pair, prep_tile, prep_tile4, shift, hasmin, r0, r1);
        return;
    }

    // The tile kernel of the highest level at or below `isa` that has one, with its row count.
    pk_tile_fn tile = NULL;
    int tile_rows = 0;
    for (int level = isa; level > 0 && !tile; level--) {
        if (t->tile[level]) { tile = t->tile[level]; tile_rows = pk_tile_rows[level]; }
    }

    int64_t row_tile = (int64_t)(PK_ROW_TILE_BYTES / (a->w_row_bytes ? a->w_row_bytes : 1));
    if (tile_rows) row_tile = (row_tile + tile_rows - 1) / tile_rows * tile_rows;
    if (row_tile < 1) row_tile = 1;
    const int64_t batch_tile = pk_batch_tile(a);

    for (int64_t b0 = 0; b0 < a->batch; b0 += batch_tile) {
        const int64_t b1 = b0 + batch_tile < a->batch ? b0 + batch_tile : a->batch;
        for (int64_t rt = r0; rt < r1; rt += row_tile) {
            const int64_t rt1 = rt + row_tile < r1 ? rt + row_tile : r1;
            int64_t b = b0;
            if (tile) {
                // Full tiles of tile_rows x PK_TILE_COLS; the ragged edges go through pk_pair.
                const int64_t rfull = rt + (rt1 - rt) / tile_rows * tile_rows;
                for (; b + PK_TILE_COLS <= b1; b += PK_TILE_COLS) {
                    for (int64_t r = rt; r < rfull; r += tile_rows) {
                        tile(a->cols, w + (size_t)r * a->w_row_bytes, a->w_row_bytes, x + (size_t)b * a->xq_row_bytes,
                             a->xq_row_bytes, a->out + b * a->out_stride + r, (size_t)a->out_stride);
                    }
                    for (int64_t r = rfull; r < rt1; r++) {
                        if (tile1) {
                            tile1(a->cols, w + (size_t)r * a->w_row_bytes, a->w_row_bytes, x + (size_t)b * a->xq_row_bytes,
                                  a->xq_row_bytes, a->out + b * a->out_stride + r, (size_t)a->out_stride);
                            continue;
                        }
                        for (int64_t c = b; c < b + PK_TILE_COLS; c++) {
                            a->out[c * a->out_stride + r] =
                                pk_pair(&pair, a->cols, w + (size_t)r * a->w_row_bytes, x + (size_t)c * a->xq_row_bytes);
                        }
                    }
                }
            }
            for (; b < b1; b++) {
                for (int64_t r = rt; r < rt1; r++) {
                    a->out[b * a->out_stride + r] =
                        pk_pair(&pair, a->cols, w + (size_t)r * a->w_row_bytes, x + (size_t)b * a->xq_row_bytes);
                }
            }
        }
    }
}
