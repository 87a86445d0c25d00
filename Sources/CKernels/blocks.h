// Quantization block layouts (ggml's ggml-common.h, little-endian, no padding) and the
// half-precision conversions every kernel shares. Internal to CKernels.
//
//   Q4_0  (32 values, 18 B)  | d:f16 | qs[16]: lo nibbles = x[0..15], hi nibbles = x[16..31] |
//   Q4_1  (32 values, 20 B)  | d:f16 | m:f16 | qs[16] |
//   Q5_0  (32 values, 22 B)  | d:f16 | qh[4]: bit j = 5th bit of x[j] | qs[16] |
//   Q5_1  (32 values, 24 B)  | d:f16 | m:f16 | qh[4] | qs[16] |
//   Q8_0  (32 values, 34 B)  | d:f16 | qs[32] int8 |
//   Q8_1  (32 values, 36 B)  | d:f16 | s:f16 = d * sum(qs) | qs[32] int8 |       (activations)
//   Q4_K (256 values, 144 B) | d:f16 | dmin:f16 | scales[12]: 8 x (6-bit scale, 6-bit min) | qs[128] |
//   Q5_K (256 values, 176 B) | d:f16 | dmin:f16 | scales[12] | qh[32] | qs[128] |
//   Q6_K (256 values, 210 B) | ql[128] | qh[64] | scales[16] int8 | d:f16 |
//   Q8_K (256 values, 292 B) | d:f32 | qs[256] int8 | bsums[16] int16 (sum of each 16) |   (activations)
//   Q2_K (256 values, 84 B)  | scales[16]: lo nibble scale, hi nibble min | qs[64]: 2 bits each | d:f16 | dmin:f16 |
//   Q3_K (256 values, 110 B) | hmask[32]: 3rd bit (clear = -4) | qs[64]: 2 bits each | scales[12]: 16 x 6 bits | d:f16 |
//   IQ4_NL (32 values, 18 B) | d:f16 | qs[16]: nibbles index pk_kvalues_iq4nl, as Q4_0's order |
//   IQ4_XS (256 values, 136 B) | d:f16 | scales_h:u16 | scales_l[4] | qs[128]: 8 x IQ4_NL's nibbles |
//   MXFP4 (32 values, 17 B)  | e:E8M0 exponent | qs[16]: nibbles index pk_kvalues_mxfp4 (2 x E2M1) |
#pragma once

#include <stdint.h>
#include <string.h>
#include <assert.h>

#define PK_QK 32     // elements per block of the 32-element types
#define PK_QK_K 256  // elements per K-quant super-block

typedef uint16_t pk_half;

typedef struct { pk_half d; uint8_t qs[PK_QK / 2]; } pk_block_q4_0;
typedef struct { pk_half d; pk_half m; uint8_t qs[PK_QK / 2]; } pk_block_q4_1;
typedef struct { pk_half d; uint8_t qh[4]; uint8_t qs[PK_QK / 2]; } pk_block_q5_0;
typedef struct { pk_half d; pk_half m; uint8_t qh[4]; uint8_t qs[PK_QK / 2]; } pk_block_q5_1;
typedef struct { pk_half d; int8_t qs[PK_QK]; } pk_block_q8_0;
typedef struct { pk_half d; pk_half s; int8_t qs[PK_QK]; } pk_block_q8_1;
typedef struct { pk_half d; pk_half dmin; uint8_t scales[12]; uint8_t qs[PK_QK_K / 2]; } pk_block_q4_K;
typedef struct {
    pk_half d; pk_half dmin; uint8_t scales[12]; uint8_t qh[PK_QK_K / 8]; uint8_t qs[PK_QK_K / 2];
} pk_block_q5_K;
typedef struct { uint8_t ql[PK_QK_K / 2]; uint8_t qh[PK_QK_K / 4]; int8_t scales[PK_QK_K / 16]; pk_half d; } pk_block_q6_K;
typedef struct { float d; int8_t qs[PK_QK_K]; int16_t bsums[PK_QK_K / 16]; } pk_block_q8_K;
typedef struct { uint8_t scales[PK_QK_K / 16]; uint8_t qs[PK_QK_K / 4]; pk_half d; pk_half dmin; } pk_block_q2_K;
typedef struct { uint8_t hmask[PK_QK_K / 8]; uint8_t qs[PK_QK_K / 4]; uint8_t scales[12]; pk_half d; } pk_block_q3_K;
typedef struct { pk_half d; uint8_t qs[PK_QK / 2]; } pk_block_iq4_nl;
typedef struct { pk_half d; uint16_t scales_h; uint8_t scales_l[PK_QK_K / 64]; uint8_t qs[PK_QK_K / 2]; } pk_block_iq4_xs;
typedef struct { uint8_t e; uint8_t qs[PK_QK / 2]; } pk_block_mxfp4;

static_assert(sizeof(pk_block_q4_0) == 18, "Q4_0 block is 18 bytes");
static_assert(sizeof(pk_block_q4_1) == 20, "Q4_1 block is 20 bytes");
static_assert(sizeof(pk_block_q5_0) == 22, "Q5_0 block is 22 bytes");
static_assert(sizeof(pk_block_q5_1) == 24, "Q5_1 block is 24 bytes");
static_assert(sizeof(pk_block_q8_0) == 34, "Q8_0 block is 34 bytes");
static_assert(sizeof(pk_block_q8_1) == 36, "Q8_1 block is 36 bytes");
static_assert(sizeof(pk_block_q4_K) == 144, "Q4_K block is 144 bytes");
static_assert(sizeof(pk_block_q5_K) == 176, "Q5_K block is 176 bytes");
static_assert(sizeof(pk_block_q6_K) == 210, "Q6_K block is 210 bytes");
static_assert(sizeof(pk_block_q8_K) == 292, "Q8_K block is 292 bytes");
static_assert(sizeof(pk_block_q2_K) == 84, "Q2_K block is 84 bytes");
static_assert(sizeof(pk_block_q3_K) == 110, "Q3_K block is 110 bytes");
static_assert(sizeof(pk_block_iq4_nl) == 18, "IQ4_NL block is 18 bytes");
static_assert(sizeof(pk_block_iq4_xs) == 136, "IQ4_XS block is 136 bytes");
static_assert(sizeof(pk_block_mxfp4) == 17, "MXFP4 block is 17 bytes");

/// The 16 values an IQ4_NL/IQ4_XS nibble stands for (ggml's kvalues_iq4nl), times the block scale.
static const int8_t pk_kvalues_iq4nl[16] = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};
/// The 16 E2M1 values an MXFP4 nibble stands for, doubled to integers (ggml's kvalues_mxfp4); the
/// block's E8M0 exponent is halved to match (pk_e8m0_to_float_half).
static const int8_t pk_kvalues_mxfp4[16] = {0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12};

static inline uint32_t pk_f32_bits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static inline float pk_bits_f32(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }

/// IEEE binary16 -> binary32, exact for every input (subnormals, inf, NaN payloads).
static inline float pk_half_to_float(pk_half h) {
    const uint32_t sign = (uint32_t)(h & 0x8000) << 16;
    const uint32_t exp = (h >> 10) & 0x1f;
    const uint32_t mant = h & 0x3ff;
    if (exp == 0) {
        // zero or subnormal: mant * 2^-24, exact in binary32
        const float v = (float)mant * 0x1p-24f;
        return pk_bits_f32(sign | pk_f32_bits(v));
    }
    if (exp == 31) return pk_bits_f32(sign | 0x7f800000u | (mant << 13));
    return pk_bits_f32(sign | ((exp + 112) << 23) | (mant << 13));
}

/// binary32 -> binary16, round to nearest even (what F16C's vcvtps2ph with imm 0 does).
static inline pk_half pk_float_to_half(float f) {
    const uint32_t x = pk_f32_bits(f);
    const uint16_t sign = (uint16_t)((x >> 16) & 0x8000);
    const uint32_t ax = x & 0x7fffffffu;
    if (ax >= 0x7f800000u) return sign | 0x7c00 | (ax > 0x7f800000u ? 0x200 : 0);  // inf / quiet NaN
    if (ax >= 0x477ff000u) return sign | 0x7c00;                                   // rounds past 65504
    if (ax < 0x38800000u) {
        // below 2^-14: the half is subnormal; adding 0.5 lets the FPU round the 2^-24 multiple.
        const float t = pk_bits_f32(ax) + 0.5f;
        return sign | (uint16_t)(pk_f32_bits(t) - 0x3f000000u);
    }
    const uint32_t rounded = ax - (112u << 23) + 0xfffu + ((ax >> 13) & 1u);
    return sign | (uint16_t)(rounded >> 13);
}

static inline float pk_bf16_to_float(uint16_t h) { return pk_bits_f32((uint32_t)h << 16); }

/// binary32 -> bfloat16, round to nearest even, NaNs quieted (ggml_compute_fp32_to_bf16).
static inline uint16_t pk_float_to_bf16(float f) {
    const uint32_t u = pk_f32_bits(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((u >> 16) | 64);
    return (uint16_t)((u + (0x7fffu + ((u >> 16) & 1u))) >> 16);
}

/// The 6-bit scale and min of sub-block j (0..7) of a Q4_K/Q5_K super-block.
static inline void pk_scale_min_k4(int j, const uint8_t *q, uint8_t *sc, uint8_t *m) {
    if (j < 4) {
        *sc = q[j] & 63;
        *m = q[j + 4] & 63;
    } else {
        *sc = (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4);
        *m = (q[j + 4] >> 4) | ((q[j] >> 6) << 4);
    }
}

/// An E8M0 exponent e -> 2^(e - 128), half the scale it encodes (ggml's GGML_E8M0_TO_FP32_HALF):
/// e = 0 and 1 are subnormal floats.
static inline float pk_e8m0_to_float_half(uint8_t e) {
    return pk_bits_f32(e < 2 ? 0x00200000u << e : (uint32_t)(e - 1) << 23);
}

static inline uint32_t pk_read_u32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
