// Memory-read loop for the kernel benchmarks (the bandwidth a bandwidth-bound matmul can reach).
#include "internal.h"

#if PK_X86
#include <immintrin.h>

PK_TARGET_AVX2 static uint64_t read_avx2(const void *data, size_t bytes) {
    const __m256i *p = data;
    __m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0;
    for (size_t i = 0; i + 4 <= bytes / 32; i += 4) {
        a0 = _mm256_xor_si256(a0, _mm256_loadu_si256(p + i));
        a1 = _mm256_xor_si256(a1, _mm256_loadu_si256(p + i + 1));
        a2 = _mm256_xor_si256(a2, _mm256_loadu_si256(p + i + 2));
        a3 = _mm256_xor_si256(a3, _mm256_loadu_si256(p + i + 3));
    }
    const __m256i a = _mm256_xor_si256(_mm256_xor_si256(a0, a1), _mm256_xor_si256(a2, a3));
    return (uint64_t)_mm256_extract_epi64(a, 0) ^ (uint64_t)_mm256_extract_epi64(a, 3);
}
#endif

uint64_t pk_read_memory(const void *data, size_t bytes) {
#if PK_X86
    if (pk_isa_supported(PK_ISA_AVX2)) return read_avx2(data, bytes);
#endif
    const uint64_t *p = data;
    uint64_t s = 0;
    for (size_t i = 0; i < bytes / 8; i++) s ^= p[i];
    return s;
}
