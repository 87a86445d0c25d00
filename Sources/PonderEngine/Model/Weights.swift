/// The GGUF names of one layer's tensors (`blk.N.<name>.weight` / `.bias`): the single table that
/// maps file names to the properties of ``LayerWeights``.
enum LayerTensor: String, CaseIterable {
    case attnNorm = "attn_norm"
    case attnQ = "attn_q"
    case attnK = "attn_k"
    case attnV = "attn_v"
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
    var ffnGate: WeightMatrix        // (ffnDim, dim)
    var ffnUp: WeightMatrix          // (ffnDim, dim)
    var ffnDown: WeightMatrix        // (dim, ffnDim)
    var postFFWNorm: [Float]?        // (dim)        Gemma 3
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
            layers.append(LayerWeights(
                attnNorm: try v(.attnNorm, c.dim),
                attnQ: try m(.attnQ, c.qDim, c.dim),
                attnK: try m(.attnK, c.kvDim, c.dim),
                attnV: try m(.attnV, c.kvValueDim, c.dim),
                attnOutput: try m(.attnOutput, c.dim, attnOutputColumns),
                attnQBias: try bias(.attnQ, c.qDim),
                attnKBias: try bias(.attnK, c.kvDim),
                attnVBias: try bias(.attnV, c.kvValueDim),
                attnOutputBias: try bias(.attnOutput, c.dim),
                attnQNorm: try opt(.attnQNorm, c.headDim, required: c.traits.qkNorm),
                attnKNorm: try opt(.attnKNorm, c.headDim, required: c.traits.qkNorm),
                postAttentionNorm: try opt(.postAttentionNorm, c.dim, required: c.traits.postNorms),
                ffnNorm: try v(.ffnNorm, c.dim),
                ffnGate: try m(.ffnGate, c.ffnDim, c.dim),
                ffnUp: try m(.ffnUp, c.ffnDim, c.dim),
                ffnDown: try m(.ffnDown, c.dim, c.ffnDim),
                postFFWNorm: try opt(.postFFWNorm, c.dim, required: c.traits.postNorms)))
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

    // MARK: - Loading helpers

    private static func tensor(_ file: GGUFFile, _ name: String) throws(ModelLoadError) -> GGUFTensor {
        guard let t = file.tensor(named: name) else { throw .missingTensor(name) }
        return t
    }

    /// A matrix of `rows` outputs by `columns` inputs (GGUF shape `[columns, rows]`).
    private static func matrix(_ file: GGUFFile, _ name: String, rows: Int, columns: Int)
        throws(ModelLoadError) -> WeightMatrix
    {
        let t = try tensor(file, name)
        guard t.shape.count == 2, t.shape[0] == columns, t.shape[1] == rows else {
            throw .badShape(tensor: name, shape: t.shape, expected: [columns, rows])
        }
        return try wrap(t, rows: rows, columns: columns)
    }

    /// The kernels' view of a tensor's bytes.
    private static func wrap(_ t: GGUFTensor, rows: Int, columns: Int) throws(ModelLoadError) -> WeightMatrix {
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
    private static func vector(_ file: GGUFFile, _ name: String, count: Int) throws(ModelLoadError) -> [Float] {
        let t = try tensor(file, name)
        guard t.elementCount == count, t.shape.dropFirst().allSatisfy({ $0 == 1 }) else {
            throw .badShape(tensor: name, shape: t.shape, expected: [count])
        }
        let m = try wrap(t, rows: 1, columns: count)
        var out = [Float](repeating: 0, count: count)
        out.withUnsafeMutableBufferPointer { Kernels.dequantizeRow(m, row: 0, into: $0.baseAddress!) }
        return out
    }

    private static func optionalVector(_ file: GGUFFile, _ name: String, count: Int) throws(ModelLoadError) -> [Float]? {
        file.tensor(named: name) == nil ? nil : try vector(file, name, count: count)
    }
}
