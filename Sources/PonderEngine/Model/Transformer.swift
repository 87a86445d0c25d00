import Foundation

/// One decoder-only transformer: weights on the file's mapping plus the scratch for a batch.
///
/// ``forward(tokens:startPosition:cache:logits:)`` evaluates a batch of consecutive tokens
/// (prefill: matrix-matrix products; decode: a batch of one, matrix-vector), writes their keys and
/// values into the ``KVCache``, and optionally produces the logits of the last token. The
/// architectures differ only through ``ModelConfig/Traits`` switches inside the steps below.
public final class Transformer: @unchecked Sendable {
    public internal(set) var config: ModelConfig
    let weights: Weights
    let pool: ThreadPool
    let scratch: ScratchState
    /// The rope frequency factors for this context size (Llama 3's, or Phi's long or short LongRoPE set).
    let ropeFactors: [Float]?               // (ropeDims / 2)
    /// The routed feed-forward block and its scratch, for a mixture-of-experts model.
    let experts: MixtureOfExperts?

    /// Positions a ``KVCache`` for this model holds (the context size it was loaded for).
    public let contextCapacity: Int

    /// Receives intermediate activations under llama.cpp's tensor names (`attn_norm-3`, `Vcur-3`,
    /// `kqv_out-3`, `ffn_inp-3`, `l_out-3`, …), for comparing a forward pass with llama.cpp's own
    /// (`dev/llama-dump`). Nil in normal use; set it only while no forward pass runs.
    public var inspector: ((String, UnsafeBufferPointer<Float>) -> Void)?

    /// Tokens evaluated per batch at most (llama.cpp's default micro-batch).
    public static let defaultBatchSize = 512

    /// Loads the model in `file` for contexts of up to `contextCapacity` positions.
    ///
    /// `ropeContext` is the context size llama.cpp would be given for the same run (`-c`), when the
    /// cache is cut shorter than that (`ponder generate` sizes it to the prompt and reply): Phi's
    /// LongRoPE chooses its factors by it. Nil: `contextCapacity`.
    /// - Throws: ``ModelLoadError`` when the architecture, a tensor type or a shape is not supported.
    public init(
        file: GGUFFile, contextCapacity: Int, threads: Int, batchSize: Int = Transformer.defaultBatchSize,
        ropeContext: Int? = nil
    ) throws(ModelLoadError) {
        guard let embedding = file.tensor(named: "token_embd.weight"), embedding.shape.count == 2 else {
            throw .missingTensor("token_embd.weight")
        }
        config = try ModelConfig(metadata: file.metadata, vocabSize: embedding.shape[1])
        weights = try Weights(file: file, config: config)
        guard (1...ModelConfig.maxSize).contains(contextCapacity) else {
            throw .invalidValue(key: "context size", value: "\(contextCapacity)", expected: "from 1 to \(ModelConfig.maxSize) tokens")
        }
        // The KV cache is allocated whole: refuse a context this machine cannot hold, with the
        // size computed in checked arithmetic (an overflow is "too big" too).
        var cacheBytes = 2 * (config.kvDim + config.kvValueDim)
        var overflow = false
        for factor in [config.layerCount, contextCapacity] where !overflow {
            (cacheBytes, overflow) = cacheBytes.multipliedReportingOverflow(by: factor)
        }
        let memory = ProcessInfo.processInfo.physicalMemory
        guard !overflow, UInt64(cacheBytes) < memory else {
            throw .invalidValue(
                key: "context size", value: "\(contextCapacity)",
                expected: "a context whose KV cache (\(overflow ? "more than 8 EiB" : "\(cacheBytes >> 20) MiB")) fits in this machine's \(memory >> 20) MiB; use a smaller --ctx")
        }
        if let routing = config.experts {
            let bytes = MixtureOfExperts.scratchBytes(
                routing: routing, dim: config.dim, maxBatch: min(max(1, batchSize), 4096))
            guard let bytes, UInt64(bytes) < memory else {
                throw .invalidValue(
                    key: "\(config.architecture.rawValue).expert_used_count", value: "\(routing.used) of \(routing.count)",
                    expected: "experts whose working memory (\(bytes.map { "\($0 >> 20) MiB" } ?? "more than 8 EiB")) fits in this machine's \(memory >> 20) MiB")
            }
        }
        self.contextCapacity = contextCapacity
        ropeFactors = weights.ropeFactors(
            contextSize: ropeContext ?? contextCapacity, originalContext: config.ropeOriginalContext)
        pool = ThreadPool(threads: threads)
        scratch = ScratchState(
            config: config, maxBatch: min(max(1, batchSize), 4096), workers: pool.threads)
        let maxBatch = scratch.maxBatch, dim = config.dim
        experts = config.experts.map { MixtureOfExperts(routing: $0, dim: dim, maxBatch: maxBatch) }
    }

    /// Tokens per ``forward(tokens:startPosition:cache:logits:)`` call at most.
    public var maxBatch: Int { scratch.maxBatch }

    /// Hands the activation rows of batched calls back to the system (decoding needs one row):
    /// call between a prompt and the reply, while no `forward` is running.
    public func releaseBatchMemory() { scratch.releaseBatchRows() }

    /// Evaluates `tokens` at positions `startPosition ..< startPosition + tokens.count`.
    ///
    /// - Parameters:
    ///   - tokens: at most ``maxBatch`` token ids, each below the vocabulary size.
    ///   - startPosition: the position of the first token; every earlier position must already be in `cache`.
    ///   - cache: receives the keys and values of the new positions.
    ///   - logits: when given, receives the `vocabSize` logits that follow the last token.
    ///   - shouldStop: polled before every layer; when it returns true the pass is abandoned (the
    ///     cache rows of these positions are then partial and must be overwritten before use).
    /// - Returns: false when `shouldStop` interrupted the pass.
    /// - Precondition: the batch fits in the scratch and in the cache.
    @discardableResult
    public func forward(
        tokens: UnsafeBufferPointer<Int32>, startPosition: Int, cache: KVCache, logits: UnsafeMutablePointer<Float>?,
        shouldStop: () -> Bool = { false }
    ) -> Bool {
        let c = config, s = scratch, batch = tokens.count
        precondition(batch > 0 && batch <= s.maxBatch, "batch of \(batch) tokens (at most \(s.maxBatch))")
        precondition(startPosition >= 0 && startPosition + batch <= cache.capacity, "positions beyond the KV cache")

        // Token embeddings (Gemma scales them by √dim).
        for b in 0..<batch {
            let token = Int(tokens[b])
            precondition(token >= 0 && token < c.vocabSize, "token id \(token) outside the vocabulary")
            let row = s.x + b * c.dim
            Kernels.dequantizeRow(weights.tokenEmbedding, row: token, into: row)
            if c.embeddingScale != 1 { Blocks.scale(row, count: c.dim, by: c.embeddingScale) }
        }

        var ropeKindFilled: Bool? = nil  // which layer kind (local?) the rope tables currently hold
        for layer in 0..<c.layerCount {
            if shouldStop() { return false }
            let w = weights.layers[layer]
            let local = c.isLocal(layer: layer)

            // Attention: rmsnorm → q, k, v projections (+ biases).
            Blocks.rmsNorm(rows: batch, s.x, weight: w.attnNorm, count: c.dim, epsilon: c.rmsEpsilon, into: s.xb)
            inspect("attn_norm", layer, s.xb, batch * c.dim)
            matmul(w.attnQ, s.xb, batch: batch, into: s.q)
            matmul(w.attnK, s.xb, batch: batch, into: s.k)
            matmul(w.attnV, s.xb, batch: batch, into: s.v)
            if let bias = w.attnQBias { Blocks.addBias(rows: batch, s.q, bias) }
            if let bias = w.attnKBias { Blocks.addBias(rows: batch, s.k, bias) }
            if let bias = w.attnVBias { Blocks.addBias(rows: batch, s.v, bias) }

            // Qwen3 / Gemma 3: RMSNorm of every head, before RoPE.
            if let qNorm = w.attnQNorm, let kNorm = w.attnKNorm {
                Blocks.rmsNorm(rows: batch * c.headCount, s.q, weight: qNorm, count: c.headDim,
                               epsilon: c.rmsEpsilon, into: s.q)
                Blocks.rmsNorm(rows: batch * c.kvHeadCount, s.k, weight: kNorm, count: c.headDim,
                               epsilon: c.rmsEpsilon, into: s.k)
            }

            // RoPE on q and k, with this layer kind's base and scale (none on SmolLM3's NoPE layers).
            let rotates = c.usesRope(layer: layer)
            if ropeKindFilled != local, let yarn = c.yarn {
                yarn.tables(
                    positions: startPosition..<(startPosition + batch), dims: c.ropeDims,
                    base: local ? c.localRopeBase : c.ropeBase, scale: local ? c.localRopeScale : c.ropeScale,
                    factors: ropeFactors, cos: s.ropeCos, sin: s.ropeSin)
                ropeKindFilled = local
            } else if ropeKindFilled != local {
                Blocks.ropeTables(
                    positions: startPosition..<(startPosition + batch), dims: c.ropeDims,
                    base: local ? c.localRopeBase : c.ropeBase, scale: local ? c.localRopeScale : c.ropeScale,
                    factors: ropeFactors, attentionFactor: c.ropeAttentionFactor, cos: s.ropeCos, sin: s.ropeSin)
                ropeKindFilled = local
            }
            for b in 0..<batch {
                let cosRow = s.ropeCos + b * c.ropeDims / 2, sinRow = s.ropeSin + b * c.ropeDims / 2
                for h in 0..<c.headCount where rotates {
                    Blocks.rope(s.q + b * c.qDim + h * c.headDim, dims: c.ropeDims, style: c.traits.rope,
                                cos: cosRow, sin: sinRow)
                }
                if c.traits.scalesQuery { Blocks.scale(s.q + b * c.qDim, count: c.qDim, by: c.attentionScale) }
                for h in 0..<c.kvHeadCount where rotates {
                    Blocks.rope(s.k + b * c.kvDim + h * c.headDim, dims: c.ropeDims, style: c.traits.rope,
                                cos: cosRow, sin: sinRow)
                }
                // Remember this position's key and value, in F16 as llama.cpp stores them.
                Attention.storeHalf(s.k + b * c.kvDim, into: cache.keyRow(layer: layer, position: startPosition + b),
                                    count: c.kvDim)
                Attention.storeHalf(s.v + b * c.kvValueDim,
                                    into: cache.valueRow(layer: layer, position: startPosition + b), count: c.kvValueDim)
            }

            // Multi-head attention over the cache (causal; sliding window on local layers).
            inspect("Qcur", layer, s.q, batch * c.qDim)
            inspect("Kcur", layer, s.k, batch * c.kvDim)
            inspect("Vcur", layer, s.v, batch * c.kvValueDim)
            attention(layer: layer, batch: batch, startPosition: startPosition, cache: cache,
                      window: local ? c.slidingWindow : nil, sinks: w.attnSinks)
            inspect("kqv_out", layer, s.att, batch * c.headCount * c.valueHeadDim)

            // Output projection, (post-norm), residual.
            matmul(w.attnOutput, s.att, batch: batch, into: s.out)
            if let bias = w.attnOutputBias { Blocks.addBias(rows: batch, s.out, bias) }
            if let post = w.postAttentionNorm {
                Blocks.rmsNorm(rows: batch, s.out, weight: post, count: c.dim, epsilon: c.rmsEpsilon, into: s.out)
            }
            Blocks.add(s.out, into: s.x, count: batch * c.dim)
            inspect("ffn_inp", layer, s.x, batch * c.dim)

            // Feed-forward: rmsnorm → act(gate) ⊙ up → down (or the routed experts), (post-norm), residual.
            Blocks.rmsNorm(rows: batch, s.x, weight: w.ffnNorm, count: c.dim, epsilon: c.rmsEpsilon, into: s.xb)
            if let moe = w.experts, let experts {
                experts.forward(moe, s.xb, batch: batch, into: s.out, pool: pool,
                                inspect: inspector.map { _ in { self.inspect($0, layer, $1, $2) } })
                inspect("ffn_moe_out", layer, s.out, batch * c.dim)
            } else if let gate = w.ffnGate, let up = w.ffnUp, let down = w.ffnDown {
                matmul(gate, s.xb, batch: batch, into: s.gate)
                matmul(up, s.xb, batch: batch, into: s.up)
                Blocks.gatedActivation(s.gate, s.up, count: batch * c.ffnDim, activation: c.traits.activation)
                inspect(c.traits.activation == .silu ? "ffn_swiglu" : "ffn_geglu", layer, s.gate, batch * c.ffnDim)
                matmul(down, s.gate, batch: batch, into: s.out)
            }
            if let post = w.postFFWNorm {
                Blocks.rmsNorm(rows: batch, s.out, weight: post, count: c.dim, epsilon: c.rmsEpsilon, into: s.out)
            }
            Blocks.add(s.out, into: s.x, count: batch * c.dim)
            inspect("l_out", layer, s.x, batch * c.dim)
        }

        // Final norm and the classifier, for the last token only.
        guard let logits else { return true }
        let last = s.x + (batch - 1) * c.dim
        Blocks.rmsNorm(rows: 1, last, weight: weights.outputNorm, count: c.dim, epsilon: c.rmsEpsilon, into: s.xb)
        matmul(weights.output, s.xb, batch: 1, into: logits)
        if let bias = weights.outputBias { Blocks.addBias(rows: 1, logits, bias) }
        if let cap = c.finalLogitSoftcap {
            for i in 0..<c.vocabSize { logits[i] = cap * tanhf(logits[i] / cap) }
        }
        return true
    }

    @inline(__always)
    private func inspect(_ name: String, _ layer: Int, _ values: UnsafePointer<Float>, _ count: Int) {
        guard let inspector else { return }
        inspector("\(name)-\(layer)", UnsafeBufferPointer(start: values, count: count))
    }

    /// Whether a batch goes through the kernels' batched (tiled) matmul, or one column at a time.
    ///
    /// Batched, as llama.cpp does. For most weight types its batched paths (tinyBLAS, the tiled
    /// kernels) keep the per-column order of additions of its single-token kernels, and so do
    /// the kernels here, so a prompt's logits do not depend on how it was split into batches.
    /// Repacked Q4_K is the exception in llama.cpp itself: inputs in groups of 4 go through its
    /// gemm kernel, which rounds once per pair of sub-blocks instead of once per block, and the
    /// kernels follow it (`Sources/CKernels/quants_q4_K_r8.c`), which only a batched call can do.
    /// `out[b] = W · x[b]` for every column `b` of the batch.
    @inline(__always)
    private func matmul(_ w: WeightMatrix, _ x: UnsafePointer<Float>, batch: Int, into out: UnsafeMutablePointer<Float>) {
        Kernels.matmul(w, x, batch: batch, into: out, pool: pool)
    }

    /// `att[b, h] = softmax(q[b, h] · K[..pos]ᵀ · scale) · V[..pos]` for every token and head.
    ///
    /// A job is one token's query heads that share a key/value head (or, when there are too few
    /// such groups to keep every worker busy, one head) over one chunk of the cache, read in one
    /// pass. A single token over `Attention.splitMinimumCells` cells or more takes llama.cpp's
    /// split-KV path: the cells in use, padded to `Attention.cellPadding`, cut into one chunk per
    /// worker, each chunk's partial softmax merged in chunk order afterwards. Jobs are dealt out
    /// in contiguous ranges; each worker owns one row of `scratch.attentionScratch`.
    private func attention(layer: Int, batch: Int, startPosition: Int, cache: KVCache, window: Int?, sinks: [Float]?) {
        if batch >= Attention.tiledMinimumBatch {
            tiledAttention(layer: layer, batch: batch, startPosition: startPosition, cache: cache, window: window,
                           sinks: sinks)
            return
        }
        let c = config, s = scratch
        let dv = c.valueHeadDim
        // llama.cpp's cells in use: the positions so far, padded (its cache is a multiple of the padding
        // long, so the padding never exceeds it).
        let cells = (startPosition + 1 + Attention.cellPadding - 1) / Attention.cellPadding * Attention.cellPadding
        let chunks = batch == 1 && cells >= Attention.splitMinimumCells ? s.workers : 1
        let chunkSize = (cells + chunks - 1) / chunks
        let groups = batch * chunks * c.kvHeadCount
        let perJob = groups >= 2 * s.workers ? s.attentionGroup : 1
        let subgroups = (c.groupSize + perJob - 1) / perJob
        let jobs = groups * subgroups
        let workers = min(s.workers, jobs)
        let scale = c.traits.scalesQuery ? 1 : c.attentionScale
        Attention.withSinks(sinks) { sinks in
        pool.parallelFor(workers) { worker in
            let scratch = s.attentionScratch + worker * s.attentionScratchStride
            let lo = jobs * worker / workers, hi = jobs * (worker + 1) / workers
            for job in lo..<hi {
                // Chunks vary fastest, so that each worker's range mixes full and masked chunks.
                let chunk = job % chunks, rest = job / chunks
                let sub = rest % subgroups, group = rest / subgroups
                let b = group / c.kvHeadCount, kv = group % c.kvHeadCount
                let h0 = kv * c.groupSize + sub * perJob, heads = min(perJob, c.groupSize - sub * perJob)
                let position = startPosition + b
                let first = max(window.map { max(0, position - $0 + 1) } ?? 0, chunk * chunkSize)
                let last = min(position, (chunk + 1) * chunkSize - 1)
                let partials: UnsafeMutablePointer<Float>? =
                    chunks > 1 ? s.splitPartials + (chunk * c.headCount + h0) * 2 : nil
                let out = chunks > 1
                    ? s.splitValues + (chunk * c.headCount + h0) * dv
                    : s.att + b * c.headCount * dv + h0 * dv
                // Sinks join the first chunk's softmax only (llama.cpp's split-KV path).
                let headSinks = chunk == 0 ? sinks.map { $0 + h0 } : nil
                guard first <= last else {
                    // Every position of this chunk is masked: an empty partial, skipped when merged
                    // (with a sink: the sink alone, sum 1 and no value).
                    for i in 0..<heads {
                        partials?[2 * i] = headSinks?[i] ?? -.infinity
                        partials?[2 * i + 1] = headSinks == nil ? 0 : 1
                    }
                    out.update(repeating: 0, count: heads * dv)
                    continue
                }
                Attention.attendGroup(
                    queries: s.q + b * c.qDim + h0 * c.headDim, heads: heads,
                    keys: cache.keyRow(layer: layer, position: 0) + kv * c.headDim,
                    values: cache.valueRow(layer: layer, position: 0) + kv * dv,
                    keyStride: cache.kvDim, valueStride: cache.kvValueDim,
                    positions: first...last, headDim: c.headDim, valueHeadDim: dv,
                    scale: scale, scratch: scratch, sinks: headSinks, into: out, partials: partials)
            }
        }
        }
        if chunks > 1 {
            for h in 0..<c.headCount {
                Attention.mergeChunks(
                    chunks, valueHeadDim: dv, partials: s.splitPartials + 2 * h, partialStride: 2 * c.headCount,
                    values: s.splitValues + h * dv, valueStride: c.headCount * dv, into: s.att + h * dv)
            }
        }
    }

    /// Attention of a batch of `Attention.tiledMinimumBatch` or more tokens, in llama.cpp's
    /// arithmetic for such batches: jobs of (head, 64 consecutive queries) sharing F32 tiles of
    /// the cache.
    private func tiledAttention(layer: Int, batch: Int, startPosition: Int, cache: KVCache, window: Int?,
                                sinks: [Float]?) {
        let c = config, s = scratch
        let tile = Attention.tiledMinimumBatch
        let tiles = (batch + tile - 1) / tile
        let jobs = tiles * c.headCount
        let scratchFloats = Attention.tiledScratchFloats(headDim: c.headDim, valueHeadDim: c.valueHeadDim)
        Attention.withSinks(sinks) { sinks in
        pool.parallelFor(min(s.workers, jobs)) { worker in
            let workers = min(s.workers, jobs)
            let buffer = UnsafeMutablePointer<Float>.allocate(capacity: scratchFloats)
            defer { buffer.deallocate() }
            let lo = jobs * worker / workers, hi = jobs * (worker + 1) / workers
            for job in lo..<hi {
                let h = job / tiles, b0 = (job % tiles) * tile
                Attention.attendTile(
                    queries: s.q + b0 * c.qDim + h * c.headDim, queryStride: c.qDim, count: min(tile, batch - b0),
                    firstPosition: startPosition + b0, window: window ?? 0,
                    keys: cache.keyRow(layer: layer, position: 0) + (h / c.groupSize) * c.headDim,
                    values: cache.valueRow(layer: layer, position: 0) + (h / c.groupSize) * c.valueHeadDim,
                    keyStride: cache.kvDim, valueStride: cache.kvValueDim, headDim: c.headDim,
                    valueHeadDim: c.valueHeadDim, scale: c.traits.scalesQuery ? 1 : c.attentionScale,
                    sink: sinks.map { $0 + h }, scratch: buffer,
                    into: s.att + b0 * c.headCount * c.valueHeadDim + h * c.valueHeadDim,
                    outputStride: c.headCount * c.valueHeadDim)
            }
        }
        }
    }
}
