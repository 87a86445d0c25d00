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
///
/// The query heads that share a key/value head go through the cache together, one pass for the
/// group, with the next rows prefetched: a head's rows are `kvDim` halves apart, too far for the
/// hardware prefetchers, and at long contexts decode waited on memory for every position. A
/// single token over 512 or more cells (the positions in use, padded to 256) is llama.cpp's
/// split-KV decode: the cells cut into one chunk per thread, the loop above per chunk, then
/// the chunks merged in order (`M = max(M, Mc)`, both sides rescaled by `e^(M_old − M)`,
/// `e^(Mc − M)`) and divided by the merged sum.
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

    /// Query heads that share a key/value head attending over the cached positions `positions`,
    /// in one pass over the cache (each head's arithmetic is the one-head loop above).
    ///
    /// - Parameters:
    ///   - queries: `heads · headDim` floats.
    ///   - keys, values: position 0 of the shared head's slice of the F16 cache; position `t` is
    ///     `t · stride` elements further.
    ///   - scratch: `heads · (headDim + valueHeadDim)` halves of working memory.
    ///   - out: receives `heads · valueHeadDim` floats.
    ///   - partials: when given (`2 · heads` floats), `out` receives the unnormalized accumulators
    ///     and `partials` each head's running maximum and sum: one chunk of a split-KV decode,
    ///     for ``mergeChunks(_:valueHeadDim:partials:partialStride:values:valueStride:into:)``.
    @inline(__always)
    static func attendGroup(
        queries: UnsafePointer<Float>, heads: Int, keys: UnsafePointer<UInt16>, values: UnsafePointer<UInt16>,
        keyStride: Int, valueStride: Int, positions: ClosedRange<Int>, headDim: Int, valueHeadDim: Int,
        scale: Float, scratch: UnsafeMutablePointer<UInt16>, sinks: UnsafePointer<Float>? = nil,
        into out: UnsafeMutablePointer<Float>, partials: UnsafeMutablePointer<Float>?
    ) {
        pk_attn_group_f16(
            isa, queries, Int64(heads), keys, Int64(keyStride), values, Int64(valueStride),
            Int64(positions.lowerBound), Int64(positions.upperBound), Int64(headDim), Int64(valueHeadDim), scale,
            scratch, sinks, out, partials)
    }

    /// Calls `body` with a pointer to `sinks` (one logit per query head: gpt-oss's attention
    /// sinks, which join each head's softmax denominator with no value), or with nil.
    static func withSinks<R>(_ sinks: [Float]?, _ body: (UnsafePointer<Float>?) -> R) -> R {
        guard let sinks else { return body(nil) }
        return sinks.withUnsafeBufferPointer { body($0.baseAddress) }
    }

    /// Most query heads one ``attendGroup`` call takes.
    static let maxGroup = Int(PK_ATTN_MAX_GROUP)

    /// llama.cpp splits the cache of a one-token batch into one chunk per thread once it spans
    /// this many cells (`use_split_kv_path`); the cells are those in use, padded to
    /// ``cellPadding``.
    static let splitMinimumCells = 512
    static let cellPadding = 256

    /// One head's split-KV chunks merged in chunk order (`ggml_flash_attn_ext_reduce_partials`).
    @inline(__always)
    static func mergeChunks(
        _ chunks: Int, valueHeadDim: Int, partials: UnsafePointer<Float>, partialStride: Int,
        values: UnsafePointer<Float>, valueStride: Int, into out: UnsafeMutablePointer<Float>
    ) {
        pk_attn_merge_partials(
            Int64(chunks), Int64(valueHeadDim), partials, Int64(partialStride), values, Int64(valueStride), out)
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
        headDim: Int, valueHeadDim: Int, scale: Float, sink: UnsafePointer<Float>? = nil,
        scratch: UnsafeMutablePointer<Float>, into out: UnsafeMutablePointer<Float>, outputStride: Int
    ) {
        pk_attn_qtile_f32_sink(
            isa, queries, Int64(queryStride), Int64(count), Int64(firstPosition), Int64(window), keys,
            Int64(keyStride), values, Int64(valueStride), Int64(headDim), Int64(valueHeadDim), scale, sink, scratch,
            out, Int64(outputStride))
    }
}
