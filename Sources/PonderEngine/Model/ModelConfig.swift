import Foundation

/// Read access to the metadata keys a model's hyper-parameters come from.
///
/// `GGUFFile` conforms; tests use a dictionary. Integer keys that may be per-layer arrays
/// (`head_count`, `feed_forward_length`) are read with ``integerValues(_:)``, which returns a scalar as
/// a one-element array.
public protocol HyperParameterSource {
    func integerValue(_ key: String) -> Int?
    func integerValues(_ key: String) -> [Int]?
    func floatValue(_ key: String) -> Double?
    func stringValue(_ key: String) -> String?
}

/// The hyper-parameters of one transformer, read from GGUF metadata per architecture.
///
/// Architecture differences are data: a ``Traits`` value per ``Architecture`` says which rope
/// ordering, activation and optional blocks the forward pass uses, and the numbers (dimensions,
/// rope bases, sliding window) come from the file the way llama.cpp's `load_hparams` reads them.
public struct ModelConfig: Sendable, Equatable {
    /// The architectures this engine runs (`general.architecture`).
    public enum Architecture: String, Sendable, CaseIterable {
        case llama, qwen2, qwen3, gemma3
        /// SmolLM3: llama's layers, with RoPE left out of every fourth (``ModelConfig/usesRope(layer:)``).
        case smollm3
        /// Phi-3, Phi-3.5-mini, Phi-4-mini: fused `attn_qkv` and gate/up tensors, LongRoPE factors,
        /// partial rotary, the attention scale on the query.
        case phi3
        /// Qwen3-MoE (Qwen3-30B-A3B): qwen3's attention, routed experts (``ModelConfig/experts``).
        case qwen3moe
        /// gpt-oss: routed experts with biases, attention sinks and biases, a window on even
        /// layers, YaRN rope scaling.
        case gptOSS = "gpt-oss"
    }

    /// How rotary embeddings pair up the dimensions of a head.
    public enum RopeStyle: Sendable, Equatable {
        /// Adjacent pairs `(x[2i], x[2i+1])` — llama.cpp's NORM, used for `llama` GGUFs, whose
        /// converter permuted the Q/K rows so that HF's halves became adjacent.
        case normal
        /// Halves `(x[i], x[i + n/2])` — llama.cpp's NEOX (HF `rotate_half`).
        case neox
    }

    /// The gate nonlinearity of the gated feed-forward block.
    public enum Activation: Sendable, Equatable {
        /// SwiGLU: `silu(gate) * up`.
        case silu
        /// GeGLU with ggml's tanh approximation of GELU.
        case geluTanh
    }

    /// What distinguishes one architecture's forward pass from another's.
    public struct Traits: Sendable, Equatable {
        public var rope: RopeStyle
        public var activation: Activation
        /// Per-head RMSNorm of q and k before RoPE (`attn_q_norm`, `attn_k_norm`).
        public var qkNorm: Bool
        /// RMSNorm after the attention and FFN blocks, before the residual add (Gemma).
        public var postNorms: Bool
        /// Token embeddings are multiplied by √dim (Gemma).
        public var scaledEmbedding: Bool
        /// The attention scale multiplies the query (after RoPE) instead of the scores (Gemma's
        /// `query_pre_attn_scalar`); it matters because the query is then rounded to F16.
        public var scalesQuery: Bool
    }

    public static func traits(of architecture: Architecture) -> Traits {
        switch architecture {
        case .llama:
            Traits(rope: .normal, activation: .silu, qkNorm: false, postNorms: false, scaledEmbedding: false,
                   scalesQuery: false)
        case .qwen2:
            Traits(rope: .neox, activation: .silu, qkNorm: false, postNorms: false, scaledEmbedding: false,
                   scalesQuery: false)
        case .qwen3, .qwen3moe:
            Traits(rope: .neox, activation: .silu, qkNorm: true, postNorms: false, scaledEmbedding: false,
                   scalesQuery: false)
        case .gptOSS:
            Traits(rope: .neox, activation: .silu, qkNorm: false, postNorms: false, scaledEmbedding: false,
                   scalesQuery: false)
        case .gemma3:
            Traits(rope: .neox, activation: .geluTanh, qkNorm: true, postNorms: true, scaledEmbedding: true,
                   scalesQuery: true)
        case .smollm3:
            Traits(rope: .normal, activation: .silu, qkNorm: false, postNorms: false, scaledEmbedding: false,
                   scalesQuery: false)
        case .phi3:
            // llama.cpp's phi3 graph scales Qcur by 1/√head_dim after RoPE, then attends with scale 1.
            Traits(rope: .neox, activation: .silu, qkNorm: false, postNorms: false, scaledEmbedding: false,
                   scalesQuery: true)
        }
    }

    public var architecture: Architecture
    public var traits: Traits
    /// `general.name`, or "" (used to pick model-card sampling defaults).
    public var name: String

    /// Width of the residual stream (`embedding_length`).
    public var dim: Int
    public var layerCount: Int
    public var headCount: Int
    public var kvHeadCount: Int
    /// Size of one query/key head (`attention.key_length`, else dim / heads).
    public var headDim: Int
    /// Size of one value head (`attention.value_length`, else headDim).
    public var valueHeadDim: Int
    /// Hidden width of the feed-forward block.
    public var ffnDim: Int
    public var vocabSize: Int
    public var rmsEpsilon: Float
    /// Context length the model was trained with.
    public var trainedContext: Int

    /// Leading dimensions of each head that RoPE rotates (`rope.dimension_count`).
    public var ropeDims: Int
    /// RoPE base frequency and position scale (1 / linear factor) of global layers.
    public var ropeBase: Float
    public var ropeScale: Float
    /// RoPE base and scale of sliding-window layers (Gemma 3: base 10 000, no scaling).
    public var localRopeBase: Float
    public var localRopeScale: Float

    /// Multiplier of the token embeddings (√dim for Gemma, else 1).
    public var embeddingScale: Float
    /// Multiplier of q·k before the softmax (applied to q itself when `traits.scalesQuery`).
    public var attentionScale: Float
    /// Keys at distance ≥ `slidingWindow` are invisible to local layers; nil when every layer is global.
    public var slidingWindow: Int?
    /// Every `slidingWindowPeriod`-th layer (the last of each period) is global.
    public var slidingWindowPeriod: Int
    /// `c · tanh(logits / c)` on the output logits when set.
    public var finalLogitSoftcap: Float?
    /// The routed experts of a mixture-of-experts model (qwen3moe, gpt-oss); nil for a dense FFN.
    public var experts: ExpertRouting?
    /// YaRN rope scaling (`rope.scaling.type = yarn`), applied with `ropeScale` as its position scale.
    public var yarn: YaRN?

    /// Every `ropeSkipPeriod`-th layer (the last of each period) takes no RoPE: SmolLM3's NoPE
    /// layers, 4 as llama.cpp fixes it (`n_no_rope_layer_step`; no GGUF key carries it). 0: none.
    public var ropeSkipPeriod: Int
    /// The context the rope factors were made for (`rope.scaling.original_context_length`, else
    /// the trained context): LongRoPE takes its long factors for a context beyond it.
    public var ropeOriginalContext: Int
    /// Multiplier of RoPE's cos and sin (`rope.scaling.attn_factor`, Phi's LongRoPE
    /// `√(1 + ln(scale) / ln(original context))`), 1 when absent.
    public var ropeAttentionFactor: Float

    /// Whether `layer` rotates its queries and keys (all layers but SmolLM3's every fourth).
    public func usesRope(layer: Int) -> Bool {
        ropeSkipPeriod == 0 || (layer + 1) % ropeSkipPeriod != 0
    }

    /// Whether `layer` attends only within the sliding window.
    public func isLocal(layer: Int) -> Bool {
        guard slidingWindow != nil else { return false }
        return slidingWindowPeriod == 0 || layer % slidingWindowPeriod < slidingWindowPeriod - 1
    }

    /// Query heads per key/value head (grouped-query attention).
    public var groupSize: Int { headCount / kvHeadCount }
    /// Width of all query heads, and of all key or value heads.
    public var qDim: Int { headCount * headDim }
    public var kvDim: Int { kvHeadCount * headDim }
    public var kvValueDim: Int { kvHeadCount * valueHeadDim }

    /// The largest size, count or length a model file may give (2²⁰); real models stay far below.
    public static let maxSize = 1 << 20

    /// The experts of a qwen3moe or gpt-oss file, and how llama.cpp routes tokens to them there.
    private static func expertRouting(
        _ arch: Architecture, metadata: some HyperParameterSource, prefix p: String,
        uniform: (String, Int?) throws(ModelLoadError) -> Int
    ) throws(ModelLoadError) -> ExpertRouting {
        let count = try uniform("expert_count", nil)
        let used = try uniform("expert_used_count", nil)
        guard used <= count, count <= 4096 else {
            throw .invalidValue(key: p + "expert_used_count", value: "\(used) of \(count)",
                                expected: "at most the expert count, itself at most 4096")
        }
        let scale = metadata.floatValue(p + "expert_weights_scale") ?? 0
        guard scale.isFinite, scale >= 0, scale <= 1000 else {
            throw .invalidValue(key: p + "expert_weights_scale", value: "\(scale)", expected: "a number from 0 to 1000")
        }
        return ExpertRouting(
            count: count, used: used, ffnDim: try uniform("expert_feed_forward_length", nil),
            gating: arch == .gptOSS ? .topKThenSoftmax : .softmaxThenTopK(normalized: true),
            activation: arch == .gptOSS ? .clampedSwiGLU(alpha: 1.702, limit: 7) : .silu,
            weightsScale: scale == 0 ? 1 : Float(scale))
    }

    /// Reads the configuration of a supported architecture.
    /// - Parameters:
    ///   - metadata: the file's key/value metadata.
    ///   - vocabSize: rows of `token_embd` (the authoritative vocabulary size).
    /// - Throws: ``ModelLoadError`` naming the unsupported architecture or the bad key.
    public init(metadata: some HyperParameterSource, vocabSize: Int) throws(ModelLoadError) {
        guard let archName = metadata.stringValue("general.architecture") else {
            throw .missingKey("general.architecture")
        }
        guard let arch = Architecture(rawValue: archName) else { throw .unsupportedArchitecture(archName) }
        architecture = arch
        traits = Self.traits(of: arch)
        name = metadata.stringValue("general.name") ?? ""
        let p = archName + "."

        /// Every size, count and length in the file is bounded before it is multiplied: with each
        /// at most 2²⁰, a product of two cannot overflow, and the tensors' shapes (checked against
        /// the file's bytes) bound the rest.
        func bounded(_ key: String, _ v: Int, from lowest: Int = 1) throws(ModelLoadError) -> Int {
            guard (lowest...Self.maxSize).contains(v) else {
                throw .invalidValue(key: p + key, value: "\(v)", expected: "an integer from \(lowest) to \(Self.maxSize)")
            }
            return v
        }
        func required(_ key: String) throws(ModelLoadError) -> Int {
            guard let v = metadata.integerValue(p + key) else { throw .missingKey(p + key) }
            guard v > 0 else { throw .invalidValue(key: p + key, value: "\(v)", expected: "a positive integer") }
            return try bounded(key, v)
        }
        /// A key that may be a per-layer array; this engine needs every layer to agree.
        func uniform(_ key: String, default fallback: Int? = nil) throws(ModelLoadError) -> Int {
            guard let values = metadata.integerValues(p + key), let first = values.first else {
                if let fallback { return fallback }
                throw .missingKey(p + key)
            }
            guard values.allSatisfy({ $0 == first }) else {
                throw .unsupportedFeature("'\(p + key)' differs between layers (\(values.prefix(8))…)")
            }
            guard first > 0 else { throw .invalidValue(key: p + key, value: "\(first)", expected: "a positive integer") }
            return try bounded(key, first)
        }

        dim = try required("embedding_length")
        layerCount = try required("block_count")
        headCount = try uniform("attention.head_count")
        kvHeadCount = try uniform("attention.head_count_kv", default: headCount)
        switch arch {
        case .qwen3moe, .gptOSS:
            let routing = try Self.expertRouting(arch, metadata: metadata, prefix: p, uniform: uniform)
            experts = routing
            ffnDim = routing.ffnDim
        default:
            if let count = metadata.integerValue(p + "expert_count"), count > 0 {
                throw .unsupportedFeature("mixture-of-experts layers (\(p)expert_count = \(count))")
            }
            experts = nil
            ffnDim = try uniform("feed_forward_length")
        }
        guard headCount % kvHeadCount == 0 else {
            throw .invalidValue(key: p + "attention.head_count_kv", value: "\(kvHeadCount)",
                                expected: "a divisor of the head count \(headCount)")
        }
        headDim = try bounded("attention.key_length", metadata.integerValue(p + "attention.key_length") ?? dim / headCount, from: 0)
        valueHeadDim = try bounded(
            "attention.value_length", metadata.integerValue(p + "attention.value_length") ?? headDim, from: 0)
        guard headDim > 0, headDim % 2 == 0, valueHeadDim > 0 else {
            throw .invalidValue(key: p + "attention.key_length", value: "\(headDim)", expected: "a positive even size")
        }
        guard vocabSize > 0 else {
            throw .invalidValue(key: "token_embd.weight", value: "\(vocabSize) rows", expected: "a vocabulary of at least one token")
        }
        self.vocabSize = vocabSize
        rmsEpsilon = Float(metadata.floatValue(p + "attention.layer_norm_rms_epsilon") ?? 1e-5)
        trainedContext = try bounded("context_length", metadata.integerValue(p + "context_length") ?? 4096, from: 1)

        ropeDims = try bounded("rope.dimension_count", metadata.integerValue(p + "rope.dimension_count") ?? headDim, from: 0)
        guard ropeDims > 0, ropeDims <= headDim, ropeDims % 2 == 0 else {
            throw .invalidValue(key: p + "rope.dimension_count", value: "\(ropeDims)",
                                expected: "an even size up to the head size \(headDim)")
        }
        ropeBase = Float(metadata.floatValue(p + "rope.freq_base") ?? 10_000)
        let scalingType = metadata.stringValue(p + "rope.scaling.type") ?? "linear"
        guard ["linear", "none", "yarn"].contains(scalingType) else {
            throw .unsupportedFeature("rope scaling '\(scalingType)' (\(p)rope.scaling.type; supported: none, linear, yarn)")
        }
        let factor = metadata.floatValue(p + "rope.scaling.factor") ?? metadata.floatValue(p + "rope.scale_linear") ?? 0
        ropeScale = scalingType != "none" && factor > 0 ? Float(1 / factor) : 1

        switch arch {
        case .gemma3:
            embeddingScale = Float(dim).squareRoot()
            // query_pre_attn_scalar: head_dim for every size except 27B (62 layers), which uses dim / heads.
            attentionScale = layerCount == 62
                ? 1 / Float(dim / headCount).squareRoot()
                : 1 / Float(headDim).squareRoot()
            if let window = metadata.integerValue(p + "attention.sliding_window"), window > 0 {
                slidingWindow = try bounded("attention.sliding_window", window)
                slidingWindowPeriod = try bounded(
                    "attention.sliding_window_pattern", metadata.integerValue(p + "attention.sliding_window_pattern") ?? 6, from: 0)
                localRopeBase = Float(metadata.floatValue(p + "rope.freq_base_swa") ?? 10_000)
            } else {
                slidingWindow = nil
                slidingWindowPeriod = 0
                localRopeBase = ropeBase
            }
            localRopeScale = 1
            let cap = metadata.floatValue(p + "final_logit_softcapping") ?? 0
            finalLogitSoftcap = cap > 0 ? Float(cap) : nil
        case .gptOSS:
            // Every other layer (the even ones) sees the last `sliding_window` positions.
            embeddingScale = 1
            attentionScale = 1 / Float(ropeDims).squareRoot()
            slidingWindow = try required("attention.sliding_window")
            slidingWindowPeriod = try bounded(
                "attention.sliding_window_pattern", metadata.integerValue(p + "attention.sliding_window_pattern") ?? 2,
                from: 0)
            localRopeBase = Float(metadata.floatValue(p + "rope.freq_base_swa") ?? Double(ropeBase))
            localRopeScale = ropeScale
            finalLogitSoftcap = nil
        case .llama, .qwen2, .qwen3, .smollm3, .phi3, .qwen3moe:
            // phi3 files may name a sliding window, which llama.cpp ignores for phi3 (its SWA is
            // disabled until the converters fill the pattern), so every layer is global here too.
            embeddingScale = 1
            attentionScale = 1 / Float(headDim).squareRoot()
            slidingWindow = nil
            slidingWindowPeriod = 0
            localRopeBase = ropeBase
            localRopeScale = ropeScale
            finalLogitSoftcap = nil
        }
        ropeSkipPeriod = arch == .smollm3 ? 4 : 0
        ropeOriginalContext = try bounded(
            "rope.scaling.original_context_length",
            metadata.integerValue(p + "rope.scaling.original_context_length") ?? trainedContext)
        let attnFactor = metadata.floatValue(p + "rope.scaling.attn_factor") ?? 1
        guard attnFactor.isFinite, attnFactor > 0, attnFactor <= 16 else {
            throw .invalidValue(key: p + "rope.scaling.attn_factor", value: "\(attnFactor)",
                                expected: "a number above 0, at most 16")
        }
        ropeAttentionFactor = Float(attnFactor)
        yarn = scalingType == "yarn"
            ? YaRN(originalContext: ropeOriginalContext, scale: ropeScale, attnFactor: ropeAttentionFactor) : nil
    }
}
