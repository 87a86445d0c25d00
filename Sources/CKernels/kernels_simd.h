// SIMD kernel declarations and the PK_SIMD table helper (filled in by quants_avx2.c / quants_avx512.c).
#pragma once
#include "internal.h"

/// The {AVX2, AVX-512} entries of a kernel table row. NULL entries fall back to the level below.
#define PK_SIMD(name) NULL, NULL
