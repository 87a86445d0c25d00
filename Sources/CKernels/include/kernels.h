// CKernels: the innermost loops of ponder's embedded engine.
//
// Every quantized kernel exists as a portable scalar reference (always compiled) plus SIMD
// variants built per function with __attribute__((target(...))) and chosen at run time with
// __builtin_cpu_supports, so one binary runs on any x86-64 (and non-x86) machine.
//
// Type ids are ggml's (`GGMLType` in Swift). Weight types pair with an activation ("vec-dot")
// type as in llama.cpp's CPU backend: the float input row is converted once per matmul, then
// every weight row is dotted with it.
//
//   Q4_0, Q5_0, Q8_0 -> Q8_0     Q4_1, Q5_1 -> Q8_1     Q4_K, Q5_K, Q6_K -> Q8_K
//   F16 -> F16                   BF16 -> BF16           F32 -> F32
#pragma once

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Instruction-set levels of the kernels. Higher levels include the lower ones.
enum {
    PK_ISA_SCALAR = 0,  ///< portable C, any CPU
    PK_ISA_AVX2 = 1,    ///< AVX2 + FMA + F16C
    PK_ISA_AVX512 = 2,  ///< AVX-512 F/BW/VL + VNNI (used at 256-bit width) on top of AVX2
};

/// The highest level this CPU runs.
int pk_isa_best(void);
/// Whether this CPU runs `isa`.
int pk_isa_supported(int isa);

// MARK: - Types

/// The activation type a weight type is dotted with, or -1 when the weight type has no kernels.
int pk_vec_dot_type(uint32_t type);
/// Elements per block of `type` (1 for F32/F16/BF16), or 0 when unknown.
int64_t pk_block_size(uint32_t type);
/// Bytes of `n` elements of `type` (weight and activation types), or 0 when `n` is not a whole
/// number of blocks or the type is unknown.
size_t pk_row_size(uint32_t type, int64_t n);

// MARK: - Rows

/// Dequantizes `n` elements (a whole number of blocks) to f32. Returns 0, or -1 for an
/// unsupported type. Bit-exact with ggml's dequantize_row_* (no fused multiply-adds).
int pk_dequantize_row(uint32_t type, const void *src, float *dst, int64_t n);

/// Converts an f32 row to the activation type `act_type` (Q8_0, Q8_1, Q8_K, F16, BF16 or F32).
/// Returns 0, or -1 for an unsupported type. Rounding matches llama.cpp's x86 build.
int pk_quantize_activation(uint32_t act_type, const float *src, void *dst, int64_t n, int isa);

/// dot(weight row of `type`, activation row of pk_vec_dot_type(type)) over `n` elements.
float pk_vec_dot(uint32_t type, int isa, int64_t n, const void *w, const void *xq);

// MARK: - Matmul

/// One matmul: out[b * out_stride + r] = dot(W[r, :], X[b, :]) for r < rows, b < batch.
typedef struct {
    uint32_t type;          ///< weight type (ggml id)
    int isa;                ///< PK_ISA_*
    int64_t cols;           ///< elements per row (a whole number of blocks)
    const void *w;          ///< row r starts at w + r * w_row_bytes
    size_t w_row_bytes;
    const void *xq;         ///< activation row b (already converted) at xq + b * xq_row_bytes
    size_t xq_row_bytes;
    int64_t batch;
    float *out;
    int64_t out_stride;     ///< usually rows
    int64_t rows;           ///< rows of the whole matrix (llama.cpp picks some kernels by it)
} pk_matmul_args;

/// Computes rows [r0, r1) for every batch column. Tiles rows x batch so each weight block is
/// loaded from memory once and reused from cache for all batch columns of the tile.
void pk_matmul_rows(const pk_matmul_args *args, int64_t r0, int64_t r1);

// MARK: - Repacked matrices (AVX-512 VNNI; Q4_K and Q6_K also AVX2)

/// Not ggml types: Q4_K, Q6_K, Q8_0, Q4_0, Q5_0 and Q4_1 matrices repacked 16 rows at a time
/// (quants_q4_K_x16.c, quants_q6_K_x16.c, quants_32_x16.c), for `pk_matmul_args.type`, giving
/// the file layout's results bit for bit.
/// Several times faster in prefill. `w` is the repacked buffer and `w_row_bytes` the row bytes
/// below times cols / 256 (K-quants) or cols / 32.
enum {
    PK_PACKED_Q4_K_X16 = 1016, PK_Q4_K_X16_ROW_BYTES = 148,
    PK_PACKED_Q6_K_X16 = 1017, PK_Q6_K_X16_ROW_BYTES = 212,
    PK_PACKED_Q8_0_X16 = 1018, PK_Q8_0_X16_ROW_BYTES = 34,
    PK_PACKED_Q4_0_X16 = 1019, PK_Q4_0_X16_ROW_BYTES = 18,
    PK_PACKED_Q5_0_X16 = 1020, PK_Q5_0_X16_ROW_BYTES = 22,
    PK_PACKED_Q4_1_X16 = 1021, PK_Q4_1_X16_ROW_BYTES = 20,
};

/// The packed type a `type` matrix of `rows` x `cols` is repacked to at level `isa`, or -1 to keep
/// the file's layout (another type, not a multiple of 16 rows, or no AVX-512 VNNI: Q4_K and Q6_K
/// alone are repacked at the AVX2 level too).
int pk_repacked_type(uint32_t type, int isa, int64_t rows, int64_t cols);
/// Writes the `packed` form of `rows` rows (row r at src + r * src_row_bytes) to `dst`, which
/// holds pk_row_size(packed, cols) * rows bytes, 64-byte aligned.
void pk_repack(uint32_t packed, const void *src, size_t src_row_bytes, int64_t rows, int64_t cols, void *dst);
/// Dequantizes row `row` of a repacked matrix (bit-exact with pk_dequantize_row on the original).
void pk_dequantize_row_packed(uint32_t packed, const void *base, int64_t row, int64_t cols, float *dst);

// MARK: - Float vectors (the forward pass's hot-loop helpers)

float pk_dot_f32(int isa, const float *a, const float *b, int64_t n);
/// y += a * x
void pk_axpy_f32(int isa, float *y, float a, const float *x, int64_t n);
/// x *= s
void pk_scale_f32(int isa, float *x, float s, int64_t n);
/// out = x / sqrt(mean(x^2) + eps) * weight (weight may be NULL); sum of squares in double.
void pk_rms_norm_f32(int isa, float *out, const float *x, const float *weight, int64_t n, float eps);
/// x = softmax(x) in place; returns the sum of exp(x - max) (before normalizing).
double pk_softmax_f32(int isa, float *x, int64_t n);
/// y = x * sigmoid(x)
void pk_silu_f32(int isa, float *y, const float *x, int64_t n);
/// y = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
void pk_gelu_tanh_f32(int isa, float *y, const float *x, int64_t n);
/// GELU-tanh as ggml computes it on the CPU: input rounded to f16, value looked up in a table
/// of f16 results, x <= -10 -> 0, x >= 10 -> x.
void pk_gelu_tanh_f16_table_f32(float *y, const float *x, int64_t n);
/// y = silu(gate) * up
void pk_swiglu_f32(int isa, float *y, const float *gate, const float *up, int64_t n);
/// y = a * b
void pk_mul_f32(int isa, float *y, const float *a, const float *b, int64_t n);
/// y = a + b
void pk_add_f32(int isa, float *y, const float *a, const float *b, int64_t n);
/// Largest element and its index (first on ties); n > 0.
int64_t pk_argmax_f32(const float *x, int64_t n, float *max_out);

// MARK: - Thread pool

/// A persistent pool of worker threads. The calling thread is worker 0 of every job.
typedef struct pk_pool pk_pool;
typedef void (*pk_task_fn)(void *ctx, int64_t index);

/// Starts `threads - 1` workers (threads >= 1).
pk_pool *pk_pool_create(int threads);
/// Stops and joins the workers.
void pk_pool_destroy(pk_pool *pool);
int pk_pool_threads(const pk_pool *pool);
/// Runs fn(ctx, i) for every i in [0, n) across the pool and returns when all have finished.
/// One job at a time per pool: calls from several threads at once must be serialized.
void pk_pool_run(pk_pool *pool, int64_t n, pk_task_fn fn, void *ctx);

// MARK: - Benchmark support

/// Reads `bytes` bytes (a multiple of 64) with wide loads and returns a checksum, so the
/// benchmarks can measure the memory bandwidth the matmuls compete for.
uint64_t pk_read_memory(const void *data, size_t bytes);

#ifdef __cplusplus
}
#endif
