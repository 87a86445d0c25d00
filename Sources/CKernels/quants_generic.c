// Portable scalar references: dequantization, activation quantization and dot products.
//
// These define the arithmetic every SIMD variant must reproduce (up to float summation order),
// and they are what a CPU without AVX2 runs. Dequantization is bit-exact with ggml and with the
// Python gguf package: contraction to FMA is off in this file so `d * q - m` rounds twice, as
// numpy and ggml's reference C do.
#pragma STDC FP_CONTRACT OFF

#include <math.h>
#include "internal.h"

// MARK: - Dequantization

void pk_dequantize_row_q4_0(const void *src, float *y, int64_t n) {
    const pk_block_q4_0 *x = src;
    for (int64_t i = 0; i < n / PK_QK; i++, y += PK_QK) {
        const float d = pk_half_to_float(x[i].d);
        for (int j = 0; j < PK_QK / 2; j++) {
            y[j] = (float)((x[i].qs[j] & 0x0F) - 8) * d;
            y[j + PK_QK / 2] = (float)((x[i].qs[j] >> 4) - 8) * d;
        }
    }
}

void pk_dequantize_row_q4_1(const void *src, float *y, int64_t n) {
    const pk_block_q4_1 *x = src;
    for (int64_t i = 0; i < n / PK_QK; i++, y += PK_QK) {
        const float d = pk_half_to_float(x[i].d), m = pk_half_to_float(x[i].m);
        for (int j = 0; j < PK_QK / 2; j++) {
            y[j] = (float)(x[i].qs[j] & 0x0F) * d + m;
            y[j + PK_QK / 2] = (float)(x[i].qs[j] >> 4) * d + m;
        }
    }
}

void pk_dequantize_row_q5_0(const void *src, float *y, int64_t n) {
    const pk_block_q5_0 *x = src;
    for (int64_t i = 0; i < n / PK_QK; i++, y += PK_QK) {
        const float d = pk_half_to_float(x[i].d);
        const uint32_t qh = pk_read_u32(x[i].qh);
        for (int j = 0; j < PK_QK / 2; j++) {
            const int hi0 = (int)(((qh >> j) << 4) & 0x10);
            const int hi1 = (int)((qh >> (j + 12)) & 0x10);
            y[j] = (float)(((x[i].qs[j] & 0x0F) | hi0) - 16) * d;
            y[j + PK_QK / 2] = (float)(((x[i].qs[j] >> 4) | hi1) - 16) * d;
        }
    }
}

void pk_dequantize_row_q5_1(const void *src, float *y, int64_t n) {
    const pk_block_q5_1 *x = src;
    for (int64_t i = 0; i < n / PK_QK; i++, y += PK_QK) {
        const float d = pk_half_to_float(x[i].d), m = pk_half_to_float(x[i].m);
        const uint32_t qh = pk_read_u32(x[i].qh);
        for (int j = 0; j < PK_QK / 2; j++) {
            const int hi0 = (int)(((qh >> j) << 4) & 0x10);
            const int hi1 = (int)((qh >> (j + 12)) & 0x10);
            y[j] = (float)((x[i].qs[j] & 0x0F) | hi0) * d + m;
            y[j + PK_QK / 2] = (float)((x[i].qs[j] >> 4) | hi1) * d + m;
        }
    }
}

void pk_dequantize_row_q8_0(const void *src, float *y, int64_t n) {
    const pk_block_q8_0 *x = src;
    for (int64_t i = 0; i < n / PK_QK; i++, y += PK_QK) {
        const float d = pk_half_to_float(x[i].d);
        for (int j = 0; j < PK_QK; j++) y[j] = (float)x[i].qs[j] * d;
    }
}

void pk_dequantize_row_q4_K(const void *src, float *y, int64_t n) {
    const pk_block_q4_K *x = src;
    for (int64_t i = 0; i < n / PK_QK_K; i++) {
        const float d = pk_half_to_float(x[i].d), dmin = pk_half_to_float(x[i].dmin);
        const uint8_t *q = x[i].qs;
        for (int c = 0; c < 4; c++, q += 32) {
            uint8_t sc, m;
            pk_scale_min_k4(2 * c, x[i].scales, &sc, &m);
            const float d1 = d * sc, m1 = dmin * m;
            pk_scale_min_k4(2 * c + 1, x[i].scales, &sc, &m);
            const float d2 = d * sc, m2 = dmin * m;
            for (int l = 0; l < 32; l++) *y++ = d1 * (float)(q[l] & 0x0F) - m1;
            for (int l = 0; l < 32; l++) *y++ = d2 * (float)(q[l] >> 4) - m2;
        }
    }
}

void pk_dequantize_row_q5_K(const void *src, float *y, int64_t n) {
    const pk_block_q5_K *x = src;
    for (int64_t i = 0; i < n / PK_QK_K; i++) {
        const float d = pk_half_to_float(x[i].d), dmin = pk_half_to_float(x[i].dmin);
        const uint8_t *ql = x[i].qs, *qh = x[i].qh;
        for (int c = 0; c < 4; c++, ql += 32) {
            uint8_t sc, m;
            pk_scale_min_k4(2 * c, x[i].scales, &sc, &m);
            const float d1 = d * sc, m1 = dmin * m;
            pk_scale_min_k4(2 * c + 1, x[i].scales, &sc, &m);
            const float d2 = d * sc, m2 = dmin * m;
            const uint8_t u1 = (uint8_t)(1u << (2 * c)), u2 = (uint8_t)(2u << (2 * c));
            for (int l = 0; l < 32; l++) *y++ = d1 * (float)((ql[l] & 0x0F) + (qh[l] & u1 ? 16 : 0)) - m1;
            for (int l = 0; l < 32; l++) *y++ = d2 * (float)((ql[l] >> 4) + (qh[l] & u2 ? 16 : 0)) - m2;
        }
    }
}

void pk_dequantize_row_q6_K(const void *src, float *y, int64_t n) {
    const pk_block_q6_K *x = src;
    for (int64_t i = 0; i < n / PK_QK_K; i++) {
        const float d = pk_half_to_float(x[i].d);
        const uint8_t *ql = x[i].ql, *qh = x[i].qh;
        const int8_t *sc = x[i].scales;
        for (int h = 0; h < 2; h++, y += 128, ql += 64, qh += 32, sc += 8) {
            for (int l = 0; l < 32; l++) {
                const int is = l / 16;
                const int q1 = (int)((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
                const int q2 = (int)((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
                const int q3 = (int)((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
                const int q4 = (int)((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
                y[l] = d * (float)sc[is + 0] * (float)q1;
                y[l + 32] = d * (float)sc[is + 2] * (float)q2;
                y[l + 64] = d * (float)sc[is + 4] * (float)q3;
                y[l + 96] = d * (float)sc[is + 6] * (float)q4;
            }
        }
    }
}

void pk_dequantize_row_f16(const void *src, float *y, int64_t n) {
    const pk_half *x = src;
    for (int64_t i = 0; i < n; i++) y[i] = pk_half_to_float(x[i]);
}

void pk_dequantize_row_bf16(const void *src, float *y, int64_t n) {
    const uint16_t *x = src;
    for (int64_t i = 0; i < n; i++) y[i] = pk_bf16_to_float(x[i]);
}

// MARK: - Activation quantization
//
// Q8_0/Q8_1 follow llama.cpp's x86 (AVX2) quantizers: d = amax/127, q = round-half-even(x * 127/amax).
// Q8_K follows quantize_row_q8_K_ref, which the x86 build also uses.

void pk_quantize_row_q8_0_generic(const float *x, void *vy, int64_t n) {
    pk_block_q8_0 *y = vy;
    for (int64_t i = 0; i < n / PK_QK; i++, x += PK_QK) {
        float amax = 0.0f;
        for (int j = 0; j < PK_QK; j++) amax = fmaxf(amax, fabsf(x[j]));
        const float d = amax / 127.0f;
        const float id = amax != 0.0f ? 127.0f / amax : 0.0f;
        y[i].d = pk_float_to_half(d);
        for (int j = 0; j < PK_QK; j++) y[i].qs[j] = (int8_t)nearbyintf(x[j] * id);
    }
}

void pk_quantize_row_q8_1_generic(const float *x, void *vy, int64_t n) {
    pk_block_q8_1 *y = vy;
    for (int64_t i = 0; i < n / PK_QK; i++, x += PK_QK) {
        float amax = 0.0f;
        for (int j = 0; j < PK_QK; j++) amax = fmaxf(amax, fabsf(x[j]));
        const float d = amax / 127.0f;
        const float id = amax != 0.0f ? 127.0f / amax : 0.0f;
        int sum = 0;
        for (int j = 0; j < PK_QK; j++) {
            y[i].qs[j] = (int8_t)nearbyintf(x[j] * id);
            sum += y[i].qs[j];
        }
        y[i].d = pk_float_to_half(d);
        y[i].s = pk_float_to_half(d * (float)sum);
    }
}

void pk_quantize_row_q8_K_generic(const float *x, void *vy, int64_t n) {
    pk_block_q8_K *y = vy;
    for (int64_t i = 0; i < n / PK_QK_K; i++, x += PK_QK_K) {
        float max = 0.0f, amax = 0.0f;
        for (int j = 0; j < PK_QK_K; j++) {
            const float ax = fabsf(x[j]);
            if (ax > amax) { amax = ax; max = x[j]; }
        }
        if (amax == 0.0f) {
            memset(&y[i], 0, sizeof(y[i]));
            continue;
        }
        const float iscale = -127.0f / max;
        for (int j = 0; j < PK_QK_K; j++) {
            const int v = (int)nearbyintf(iscale * x[j]);
            y[i].qs[j] = (int8_t)(v < 127 ? v : 127);
        }
        for (int g = 0; g < PK_QK_K / 16; g++) {
            int s = 0;
            for (int j = 0; j < 16; j++) s += y[i].qs[16 * g + j];
            y[i].bsums[g] = (int16_t)s;
        }
        y[i].d = 1.0f / iscale;
    }
}

void pk_quantize_row_f16_generic(const float *x, void *vy, int64_t n) {
    pk_half *y = vy;
    for (int64_t i = 0; i < n; i++) y[i] = pk_float_to_half(x[i]);
}

void pk_quantize_row_bf16_generic(const float *x, void *vy, int64_t n) {
    uint16_t *y = vy;
    for (int64_t i = 0; i < n; i++) y[i] = pk_float_to_bf16(x[i]);
}

// MARK: - Dot products (weight row . activation row)

float pk_vec_dot_q4_0_q8_0_generic(int64_t n, const void *vw, const void *vx) {
    const pk_block_q4_0 *w = vw;
    const pk_block_q8_0 *x = vx;
    float sum = 0.0f;
    for (int64_t i = 0; i < n / PK_QK; i++) {
        int s = 0;
        for (int j = 0; j < PK_QK / 2; j++) {
            s += ((w[i].qs[j] & 0x0F) - 8) * x[i].qs[j];
            s += ((w[i].qs[j] >> 4) - 8) * x[i].qs[j + PK_QK / 2];
        }
        sum += (float)s * (pk_half_to_float(w[i].d) * pk_half_to_float(x[i].d));
    }
    return sum;
}

float pk_vec_dot_q4_1_q8_1_generic(int64_t n, const void *vw, const void *vx) {
    const pk_block_q4_1 *w = vw;
    const pk_block_q8_1 *x = vx;
    float sum = 0.0f;
    for (int64_t i = 0; i < n / PK_QK; i++) {
        int s = 0;
        for (int j = 0; j < PK_QK / 2; j++) {
            s += (w[i].qs[j] & 0x0F) * x[i].qs[j];
            s += (w[i].qs[j] >> 4) * x[i].qs[j + PK_QK / 2];
        }
        sum += (pk_half_to_float(w[i].d) * pk_half_to_float(x[i].d)) * (float)s
             + pk_half_to_float(w[i].m) * pk_half_to_float(x[i].s);
    }
    return sum;
}

float pk_vec_dot_q5_0_q8_0_generic(int64_t n, const void *vw, const void *vx) {
    const pk_block_q5_0 *w = vw;
    const pk_block_q8_0 *x = vx;
    float sum = 0.0f;
    for (int64_t i = 0; i < n / PK_QK; i++) {
        const uint32_t qh = pk_read_u32(w[i].qh);
        int s = 0;
        for (int j = 0; j < PK_QK / 2; j++) {
            const int hi0 = (int)(((qh >> j) << 4) & 0x10);
            const int hi1 = (int)((qh >> (j + 12)) & 0x10);
            s += (((w[i].qs[j] & 0x0F) | hi0) - 16) * x[i].qs[j];
            s += (((w[i].qs[j] >> 4) | hi1) - 16) * x[i].qs[j + PK_QK / 2];
        }
        sum += (float)s * (pk_half_to_float(w[i].d) * pk_half_to_float(x[i].d));
    }
    return sum;
}

float pk_vec_dot_q5_1_q8_1_generic(int64_t n, const void *vw, const void *vx) {
    const pk_block_q5_1 *w = vw;
    const pk_block_q8_1 *x = vx;
    float sum = 0.0f;
    for (int64_t i = 0; i < n / PK_QK; i++) {
        const uint32_t qh = pk_read_u32(w[i].qh);
        int s = 0;
        for (int j = 0; j < PK_QK / 2; j++) {
            const int hi0 = (int)(((qh >> j) << 4) & 0x10);
            const int hi1 = (int)((qh >> (j + 12)) & 0x10);
            s += ((w[i].qs[j] & 0x0F) | hi0) * x[i].qs[j];
            s += ((w[i].qs[j] >> 4) | hi1) * x[i].qs[j + PK_QK / 2];
        }
        sum += (pk_half_to_float(w[i].d) * pk_half_to_float(x[i].d)) * (float)s
             + pk_half_to_float(w[i].m) * pk_half_to_float(x[i].s);
    }
    return sum;
}

float pk_vec_dot_q8_0_q8_0_generic(int64_t n, const void *vw, const void *vx) {
    const pk_block_q8_0 *w = vw;
    const pk_block_q8_0 *x = vx;
    float sum = 0.0f;
    for (int64_t i = 0; i < n / PK_QK; i++) {
        int s = 0;
        for (int j = 0; j < PK_QK; j++) s += w[i].qs[j] * x[i].qs[j];
        sum += (float)s * (pk_half_to_float(w[i].d) * pk_half_to_float(x[i].d));
    }
    return sum;
}

/// Sum of min_j * (sum of the 32 activations of sub-block j) for a Q4_K/Q5_K super-block.
static int pk_k4_min_sum(const uint8_t *scales, const int16_t *bsums) {
    int s = 0;
    for (int j = 0; j < 8; j++) {
        uint8_t sc, m;
        pk_scale_min_k4(j, scales, &sc, &m);
        s += m * (bsums[2 * j] + bsums[2 * j + 1]);
    }
    return s;
}

float pk_vec_dot_q4_K_q8_K_generic(int64_t n, const void *vw, const void *vx) {
    const pk_block_q4_K *w = vw;
    const pk_block_q8_K *x = vx;
    float sum = 0.0f;
    for (int64_t i = 0; i < n / PK_QK_K; i++) {
        const uint8_t *q = w[i].qs;
        const int8_t *a = x[i].qs;
        int sumi = 0;
        for (int c = 0; c < 4; c++, q += 32, a += 64) {
            uint8_t sc1, sc2, m;
            pk_scale_min_k4(2 * c, w[i].scales, &sc1, &m);
            pk_scale_min_k4(2 * c + 1, w[i].scales, &sc2, &m);
            int s1 = 0, s2 = 0;
            for (int l = 0; l < 32; l++) {
                s1 += (q[l] & 0x0F) * a[l];
                s2 += (q[l] >> 4) * a[l + 32];
            }
            sumi += sc1 * s1 + sc2 * s2;
        }
        const float d = x[i].d * pk_half_to_float(w[i].d);
        const float dmin = x[i].d * pk_half_to_float(w[i].dmin);
        sum += d * (float)sumi - dmin * (float)pk_k4_min_sum(w[i].scales, x[i].bsums);
    }
    return sum;
}

float pk_vec_dot_q5_K_q8_K_generic(int64_t n, const void *vw, const void *vx) {
    const pk_block_q5_K *w = vw;
    const pk_block_q8_K *x = vx;
    float sum = 0.0f;
    for (int64_t i = 0; i < n / PK_QK_K; i++) {
        const uint8_t *q = w[i].qs, *qh = w[i].qh;
        const int8_t *a = x[i].qs;
        int sumi = 0;
        for (int c = 0; c < 4; c++, q += 32, a += 64) {
            uint8_t sc1, sc2, m;
            pk_scale_min_k4(2 * c, w[i].scales, &sc1, &m);
            pk_scale_min_k4(2 * c + 1, w[i].scales, &sc2, &m);
            int s1 = 0, s2 = 0;
            for (int l = 0; l < 32; l++) {
                s1 += ((q[l] & 0x0F) | (((qh[l] >> (2 * c)) & 1) << 4)) * a[l];
                s2 += ((q[l] >> 4) | (((qh[l] >> (2 * c + 1)) & 1) << 4)) * a[l + 32];
            }
            sumi += sc1 * s1 + sc2 * s2;
        }
        const float d = x[i].d * pk_half_to_float(w[i].d);
        const float dmin = x[i].d * pk_half_to_float(w[i].dmin);
        sum += d * (float)sumi - dmin * (float)pk_k4_min_sum(w[i].scales, x[i].bsums);
    }
    return sum;
}

float pk_vec_dot_q6_K_q8_K_generic(int64_t n, const void *vw, const void *vx) {
    const pk_block_q6_K *w = vw;
    const pk_block_q8_K *x = vx;
    float sum = 0.0f;
    for (int64_t i = 0; i < n / PK_QK_K; i++) {
        const uint8_t *ql = w[i].ql, *qh = w[i].qh;
        const int8_t *sc = w[i].scales, *a = x[i].qs;
        int sumi = 0;
        for (int h = 0; h < 2; h++, ql += 64, qh += 32, sc += 8, a += 128) {
            int s[8] = {0};
            for (int l = 0; l < 32; l++) {
                const int is = l / 16;
                s[is + 0] += ((int)((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32) * a[l];
                s[is + 2] += ((int)((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32) * a[l + 32];
                s[is + 4] += ((int)((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32) * a[l + 64];
                s[is + 6] += ((int)((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32) * a[l + 96];
            }
            for (int k = 0; k < 8; k++) sumi += sc[k] * s[k];
        }
        sum += x[i].d * pk_half_to_float(w[i].d) * (float)sumi;
    }
    return sum;
}

float pk_vec_dot_f16_f16_generic(int64_t n, const void *vw, const void *vx) {
    const pk_half *w = vw, *x = vx;
    double sum = 0.0;
    for (int64_t i = 0; i < n; i++) sum += (double)(pk_half_to_float(w[i]) * pk_half_to_float(x[i]));
    return (float)sum;
}

float pk_vec_dot_bf16_bf16_generic(int64_t n, const void *vw, const void *vx) {
    const uint16_t *w = vw, *x = vx;
    double sum = 0.0;
    for (int64_t i = 0; i < n; i++) sum += (double)(pk_bf16_to_float(w[i]) * pk_bf16_to_float(x[i]));
    return (float)sum;
}

float pk_vec_dot_f32_f32_generic(int64_t n, const void *vw, const void *vx) {
    const float *w = vw, *x = vx;
    double sum = 0.0;
    for (int64_t i = 0; i < n; i++) sum += (double)(w[i] * x[i]);
    return (float)sum;
}
