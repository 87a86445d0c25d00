/// The GGUF names of one layer's tensors (`blk.N.<name>.weight` / `.bias`): the single table that
/// maps file names to the properties of ``LayerWeights``.
enum LayerTensor: String, CaseIterable {
    case attnNorm = "attn_norm"
    case attnQ = "attn_q"
    case attnK = "attn_k"
    case attnV = "attn_v"
    case attnQKV = "attn_qkv"
    case attnOutput = "attn_output"
    case attnQNorm = "attn_q_norm"
    case attnKNorm = "attn_k_norm"
    case postAttentionNorm = "post_attention_norm"
    case ffnNorm = "ffn_norm"
    case ffnGate = "ffn_gate"
    case ffnUp = "ffn_up"
    case ffnDown = "ffn_down"
    case postFFWNorm = "post_ffw_norm"

    func weightName(layer: Int) -> String { "blk.\(layer).\(rawValue).weight" }
    func biasName(layer: Int) -> String { "blk.\(layer).\(rawValue).bias" }
}

/// One transformer block's parameters. Matrices stay in the file's mapping in their stored type;
/// norms and biases (small) are dequantized to F32 at load. Shapes are (rows, columns), rows being
/// outputs: `y = W x` with `x` of `columns` values.
struct LayerWeights: Sendable {
    var attnNorm: [Float]            // (dim)
    var attnQ: WeightMatrix          // (qDim, dim)
    var attnK: WeightMatrix          // (kvDim, dim)
    var attnV: WeightMatrix          // (kvValueDim, dim)
    var attnOutput: WeightMatrix     // (dim, headCount · valueHeadDim)
    var attnQBias: [Float]?          // (qDim)       Qwen2
    var attnKBias: [Float]?          // (kvDim)      Qwen2
    var attnVBias: [Float]?          // (kvValueDim) Qwen2
    var attnOutputBias: [Float]?     // (dim)
    var attnQNorm: [Float]?          // (headDim)    Qwen3, Gemma 3
    var attnKNorm: [Float]?          // (headDim)    Qwen3, Gemma 3
    var postAttentionNorm: [Float]?  // (dim)        Gemma 3
    var ffnNorm: [Float]             // (dim)
    var ffnGate: WeightMatrix?       // (ffnDim, dim) nil in a mixture-of-experts layer
    var ffnUp: WeightMatrix?         // (ffnDim, dim)
    var ffnDown: WeightMatrix?       // (dim, ffnDim)
    var postFFWNorm: [Float]?        // (dim)        Gemma 3
    /// The routed experts that replace the FFN (qwen3moe, gpt-oss).
    var experts: ExpertWeights? = nil
    /// One logit per query head in every softmax's denominator, with no value (gpt-oss).
    var attnSinks: [Float]? = nil    // (headCount)
}

/// Every parameter of a model, as typed views into a ``GGUFFile``'s mapping.
///
/// Holding the file keeps the mapping alive; nothing is copied except the small F32 vectors and
/// the matrices ``PackedWeights`` repacks for the CPU's kernels.
final class Weights: Sendable {
    /// Tensor types the matrix kernels run.
    static var supportedTypes: [GGMLType] { Kernels.supportedWeightTypes }

    let file: GGUFFile
    let tokenEmbedding: WeightMatrix   // (vocab, dim): row t is token t's embedding
    let outputNorm: [Float]            // (dim)
    /// The LM head; the token embedding itself when the model ties them (no `output.weight`).
    let output: WeightMatrix           // (vocab, dim)
    let outputBias: [Float]?           // (vocab)
    /// Llama 3.x rope frequency factors (`rope_freqs.weight`): θᵢ is divided by factor i.
    let ropeFrequencyFactors: [Float]? // (ropeDims / 2)
    /// Phi's LongRoPE factors (`rope_factors_long`/`rope_factors_short`), chosen by the context
    /// size in ``ropeFactors(contextSize:originalContext:)``.
    let ropeFactorsLong: [Float]?      // (ropeDims / 2)
    let ropeFactorsShort: [Float]?     // (ropeDims / 2)
    let layers: [LayerWeights]
    /// The repacked copies some layer matrices point into (``PackedWeights``).
    let packed: PackedWeights

    /// Finds, checks and wraps every tensor `config` calls for.
    /// - Throws: ``ModelLoadError`` naming the missing tensor, the wrong shape or the unsupported type.
    init(file: GGUFFile, config c: ModelConfig) throws(ModelLoadError) {
        self.file = file
        let embedding = try Self.matrix(file, "token_embd.weight", rows: c.vocabSize, columns: c.dim)
        outputNorm = try Self.vector(file, "output_norm.weight", count: c.dim)
        let tied = file.tensor(named: "output.weight") == nil
        let head = tied ? embedding : try Self.matrix(file, "output.weight", rows: c.vocabSize, columns: c.dim)
        outputBias = try Self.optionalVector(file, "output.bias", count: c.vocabSize)
        ropeFrequencyFactors = try Self.optionalVector(file, "rope_freqs.weight", count: c.ropeDims / 2)
        ropeFactorsLong = try Self.optionalVector(file, "rope_factors_long.weight", count: c.ropeDims / 2)
        ropeFactorsShort = try Self.optionalVector(file, "rope_factors_short.weight", count: c.ropeDims / 2)

        var layers: [LayerWeights] = []
        // The count is the file's: reserve for a real model's depth at most, not for whatever
        // block_count claims (the tensors of each layer are checked as it is read).
        layers.reserveCapacity(min(c.layerCount, 512))
        for l in 0..<c.layerCount {
            func m(_ t: LayerTensor, _ rows: Int, _ columns: Int) throws(ModelLoadError) -> WeightMatrix {
                try Self.matrix(file, t.weightName(layer: l), rows: rows, columns: columns)
            }
            func v(_ t: LayerTensor, _ count: Int) throws(ModelLoadError) -> [Float] {
                try Self.vector(file, t.weightName(layer: l), count: count)
            }
            func opt(_ t: LayerTensor, _ count: Int, required: Bool) throws(ModelLoadError) -> [Float]? {
                required ? try v(t, count) : try Self.optionalVector(file, t.weightName(layer: l), count: count)
            }
            func bias(_ t: LayerTensor, _ count: Int) throws(ModelLoadError) -> [Float]? {
                try Self.optionalVector(file, t.biasName(layer: l), count: count)
            }
            let attnOutputColumns = c.headCount * c.valueHeadDim
            let qkv = try Self.attentionProjections(file, layer: l, config: c)
            let gateUp = c.experts == nil ? try Self.feedForwardProjections(file, layer: l, config: c) : nil
            // gpt-oss names its FFN's input norm `post_attention_norm`; it has no Gemma-style post-norm.
            let oss = c.architecture == .gptOSS
            layers.append(LayerWeights(
                attnNorm: try v(.attnNorm, c.dim),
                attnQ: qkv.q,
                attnK: qkv.k,
                attnV: qkv.v,
                attnOutput: try m(.attnOutput, c.dim, attnOutputColumns),
                attnQBias: qkv.biases?[0],
                attnKBias: qkv.biases?[1],
                attnVBias: qkv.biases?[2],
                attnOutputBias: try bias(.attnOutput, c.dim),
                attnQNorm: try opt(.attnQNorm, c.headDim, required: c.traits.qkNorm),
                attnKNorm: try opt(.attnKNorm, c.headDim, required: c.traits.qkNorm),
                postAttentionNorm: oss ? nil : try opt(.postAttentionNorm, c.dim, required: c.traits.postNorms),
                ffnNorm: try v(oss ? .postAttentionNorm : .ffnNorm, c.dim),
                ffnGate: gateUp?.gate,
                ffnUp: gateUp?.up,
                ffnDown: c.experts == nil ? try m(.ffnDown, c.dim, c.ffnDim) : nil,
                postFFWNorm: try opt(.postFFWNorm, c.dim, required: c.traits.postNorms)))
            if let routing = c.experts {
                layers[l].experts = try ExpertWeights(file: file, layer: l, config: c, routing: routing)
            }
            if oss { layers[l].attnSinks = try Self.vector(file, "blk.\(l).attn_sinks.weight", count: c.headCount) }
        }
        // Repacked matrices no longer read the file's pages of the originals: give those back.
        let packed = PackedWeights()
        let storage = file.storage
        self.layers = packed.repack(layers, release: { storage.discard($0) })
        // The LM head is read whole for every token (a quarter of a 1.7B Qwen3's bytes), so it
        // gets the repacked layout too; a tied embedding then reads its rows from the copy.
        if let packedHead = packed.repack(head, release: { storage.discard($0) }) {
            output = packedHead
            tokenEmbedding = tied ? packedHead : embedding
        } else {
            output = head
            tokenEmbedding = embedding
        }
        self.packed = packed
    }

    /// The LongRoPE factors llama.cpp takes for a context of `contextSize` positions
    /// (`llama_model::get_rope_factors`): `rope_freqs` when the file has them, else the long
    /// factors beyond `originalContext`, else the short ones. llama.cpp rounds its context up to
    /// a multiple of 256 first, and so does this.
    func ropeFactors(contextSize: Int, originalContext: Int) -> [Float]? {
        if let ropeFrequencyFactors { return ropeFrequencyFactors }
        let padded = (contextSize + 255) / 256 * 256
        return padded > originalContext ? ropeFactorsLong : ropeFactorsShort
    }

    // MARK: - Fused tensors

    /// A layer's q, k and v projections (and their biases, when it has them): separate tensors,
    /// or row ranges of one fused `attn_qkv` (q's rows, then k's, then v's; Phi-3), as llama.cpp's
    /// `create_tensor_qkv` accepts either. A matrix's rows are independent, so a range of rows
    /// multiplies to the same bits as the fused matrix's.
    private static func attentionProjections(_ file: GGUFFile, layer l: Int, config c: ModelConfig)
        throws(ModelLoadError) -> (q: WeightMatrix, k: WeightMatrix, v: WeightMatrix, biases: [[Float]?]?)
    {
        let counts = [c.qDim, c.kvDim, c.kvValueDim]
        func separateBiases() throws(ModelLoadError) -> [[Float]?] {
            var biases: [[Float]?] = []
            for (t, n) in zip([LayerTensor.attnQ, .attnK, .attnV], counts) {
                biases.append(try optionalVector(file, t.biasName(layer: l), count: n))
            }
            return biases
        }
        guard file.tensor(named: LayerTensor.attnQKV.weightName(layer: l)) != nil else {
            return (try matrix(file, LayerTensor.attnQ.weightName(layer: l), rows: c.qDim, columns: c.dim),
                    try matrix(file, LayerTensor.attnK.weightName(layer: l), rows: c.kvDim, columns: c.dim),
                    try matrix(file, LayerTensor.attnV.weightName(layer: l), rows: c.kvValueDim, columns: c.dim),
                    try separateBiases())
        }
        let parts = try rowRanges(file, LayerTensor.attnQKV.weightName(layer: l), counts, columns: c.dim)
        var biases = try separateBiases()
        if let fused = try optionalVector(file, LayerTensor.attnQKV.biasName(layer: l), count: counts.reduce(0, +)) {
            biases = [Array(fused[0..<c.qDim]), Array(fused[c.qDim..<(c.qDim + c.kvDim)]),
                      Array(fused[(c.qDim + c.kvDim)...])]
        }
        return (parts[0], parts[1], parts[2], biases)
    }

    /// A layer's FFN gate and up projections: separate tensors, or (phi3) the two halves of one
    /// `ffn_up` of twice the hidden width, gate first, as llama.cpp's SwiGLU of a fused row reads them.
    private static func feedForwardProjections(_ file: GGUFFile, layer l: Int, config c: ModelConfig)
        throws(ModelLoadError) -> (gate: WeightMatrix, up: WeightMatrix)
    {
        guard c.architecture == .phi3 else {
            return (try matrix(file, LayerTensor.ffnGate.weightName(layer: l), rows: c.ffnDim, columns: c.dim),
                    try matrix(file, LayerTensor.ffnUp.weightName(layer: l), rows: c.ffnDim, columns: c.dim))
        }
        let halves = try rowRanges(file, LayerTensor.ffnUp.weightName(layer: l), [c.ffnDim, c.ffnDim], columns: c.dim)
        return (halves[0], halves[1])
    }

    /// Consecutive row ranges of `counts` rows each, together the whole matrix `name`.
    private static func rowRanges(_ file: GGUFFile, _ name: String, _ counts: [Int], columns: Int)
        throws(ModelLoadError) -> [WeightMatrix]
    {
        let whole = try matrix(file, name, rows: counts.reduce(0, +), columns: columns)
        var parts: [WeightMatrix] = []
        var first = 0
        for n in counts {
            do {
                parts.append(try WeightMatrix(type: whole.type, rows: n, cols: columns, data: whole.row(first)))
            } catch {
                throw .unsupportedTensorType(tensor: name, type: whole.type.description)
            }
            first += n
        }
        return parts
    }

    // MARK: - Loading helpers

    static func tensor(_ file: GGUFFile, _ name: String) throws(ModelLoadError) -> GGUFTensor {
        guard let t = file.tensor(named: name) else { throw .missingTensor(name) }
        return t
    }

    /// A matrix of `rows` outputs by `columns` inputs (GGUF shape `[columns, rows]`).
    static func matrix(_ file: GGUFFile, _ name: String, rows: Int, columns: Int)
        throws(ModelLoadError) -> WeightMatrix
    {
        let t = try tensor(file, name)
        guard t.shape.count == 2, t.shape[0] == columns, t.shape[1] == rows else {
            throw .badShape(tensor: name, shape: t.shape, expected: [columns, rows])
        }
        return try wrap(t, rows: rows, columns: columns)
    }

    /// The kernels' view of a tensor's bytes.
    static func wrap(_ t: GGUFTensor, rows: Int, columns: Int) throws(ModelLoadError) -> WeightMatrix {
        guard let base = t.data.baseAddress, t.byteCount >= rows * (t.type.byteCount(elements: columns) ?? .max) else {
            throw .badShape(tensor: t.name, shape: t.shape, expected: [columns, rows])
        }
        do {
            return try WeightMatrix(type: t.type, rows: rows, cols: columns, data: base)
        } catch {
            throw .unsupportedTensorType(tensor: t.name, type: t.type.description)
        }
    }

    /// A vector of `count` values, converted to F32.
    static func vector(_ file: GGUFFile, _ name: String, count: Int) throws(ModelLoadError) -> [Float] {
        let t = try tensor(file, name)
        guard t.elementCount == count, t.shape.dropFirst().allSatisfy({ $0 == 1 }) else {
            throw .badShape(tensor: name, shape: t.shape, expected: [count])
        }
        let m = try wrap(t, rows: 1, columns: count)
        var out = [Float](repeating: 0, count: count)
        out.withUnsafeMutableBufferPointer { Kernels.dequantizeRow(m, row: 0, into: $0.baseAddress!) }
        return out
    }

    static func optionalVector(_ file: GGUFFile, _ name: String, count: Int) throws(ModelLoadError) -> [Float]? {
        file.tensor(named: name) == nil ? nil : try vector(file, name, count: count)
    }
}
