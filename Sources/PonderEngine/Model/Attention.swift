import CKernels

/// Attention of one query head over the cache, computed the way llama.cpp's CPU flash-attention
/// kernel does for its default F16 KV cache (`ggml_compute_forward_flash_attn_ext_f16_one_chunk`).
///
/// llama.cpp keeps keys and values in F16 and, with flash attention (its default), converts the
/// query to F16, takes F16·F16 dot products, and accumulates the weighted values in an **F16**
/// accumulator with an online softmax. Small models are sensitive enough that these roundings
/// decide near-tied greedy choices, so the engine reproduces them (in C, `attention_f16.c`,
/// per instruction set as ggml's build for that set):
///
/// ```
/// q16 = f16(q)                                  keys and values are stored as f16
/// for each visible position t:
///     s = dot(q16, k[t]) · scale                (ggml's lane order for the CPU)
///     if s > M { M = s; acc = f16(acc · e^(M_old − M)) }  else  w = e^(s − M)
///     acc = f16(fma(v[t], w, acc))
///     S = S · m + w
/// out = acc · (1 / S)
/// ```
enum Attention {
    /// The kernel level of the attention loops (the matmuls' level).
    static let isa = Kernels.isa.rawValue

    /// Stores `count` floats as F16 (round to nearest even).
    @inline(__always)
    static func storeHalf(_ x: UnsafePointer<Float>, into destination: UnsafeMutablePointer<UInt16>, count: Int) {
        pk_attn_f32_to_f16(isa, x, destination, Int64(count))
    }

    /// Reads `count` F16 values as floats.
    @inline(__always)
    static func loadHalf(_ x: UnsafePointer<UInt16>, into destination: UnsafeMutablePointer<Float>, count: Int) {
        pk_attn_f16_to_f32(isa, x, destination, Int64(count))
    }

    /// One query head attending over the cached positions `positions`.
    ///
    /// - Parameters:
    ///   - query: `headDim` floats.
    ///   - keys, values: position 0 of this head's slice of the F16 cache; position `t` is
    ///     `t · stride` elements further.
    ///   - scratch: `headDim + valueHeadDim` halves of working memory.
    ///   - out: receives `valueHeadDim` floats.
    @inline(__always)
    static func attendHead(
        query: UnsafePointer<Float>, keys: UnsafePointer<UInt16>, values: UnsafePointer<UInt16>,
        keyStride: Int, valueStride: Int, positions: ClosedRange<Int>, headDim: Int, valueHeadDim: Int,
        scale: Float, scratch: UnsafeMutablePointer<UInt16>, into out: UnsafeMutablePointer<Float>
    ) {
        pk_attn_head_f16(
            isa, query, keys, Int64(keyStride), values, Int64(valueStride), Int64(positions.lowerBound),
            Int64(positions.upperBound), Int64(headDim), Int64(valueHeadDim), scale, scratch, out)
    }

    /// Batches of this many tokens or more take llama.cpp's tiled flash attention
    /// (GGML_FA_TILE_Q): an F32 query, F32 scores and an online softmax per 64-position tile of
    /// the cache (`attention_tiled.c`).
    static let tiledMinimumBatch = 64

    /// Floats of working memory `attendTile` needs.
    static func tiledScratchFloats(headDim: Int, valueHeadDim: Int) -> Int {
        Int(pk_attn_qtile_scratch_floats(Int64(headDim), Int64(valueHeadDim)))
    }

    /// Up to 64 consecutive queries of one head (positions `firstPosition ..< firstPosition + count`)
    /// attending causally over the cache, the last `window` positions only when `window > 0`.
    @inline(__always)
    static func attendTile(
        queries: UnsafePointer<Float>, queryStride: Int, count: Int, firstPosition: Int, window: Int,
        keys: UnsafePointer<UInt16>, values: UnsafePointer<UInt16>, keyStride: Int, valueStride: Int,
        headDim: Int, valueHeadDim: Int, scale: Float, scratch: UnsafeMutablePointer<Float>,
        into out: UnsafeMutablePointer<Float>, outputStride: Int
    ) {
        pk_attn_qtile_f32(
            isa, queries, Int64(queryStride), Int64(count), Int64(firstPosition), Int64(window), keys,
            Int64(keyStride), values, Int64(valueStride), Int64(headDim), Int64(valueHeadDim), scale, scratch, out,
            Int64(outputStride))
    }
}
