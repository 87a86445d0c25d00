import Foundation
import Testing
import PonderTestSupport
@testable import PonderEngine

/// Hyper-parameters per architecture, from hand-written metadata and from the real model files.
struct ModelConfigTests {
    /// Metadata from a dictionary (what `GGUFMetadata` provides from a file).
    struct Metadata: HyperParameterSource {
        var values: [String: Any]
        func integerValue(_ key: String) -> Int? { values[key] as? Int }
        func integerValues(_ key: String) -> [Int]? { (values[key] as? [Int]) ?? (values[key] as? Int).map { [$0] } }
        func floatValue(_ key: String) -> Double? { (values[key] as? Double) ?? (values[key] as? Int).map(Double.init) }
        func stringValue(_ key: String) -> String? { values[key] as? String }
    }

    static func base(_ arch: String) -> [String: Any] {
        [
            "general.architecture": arch, "\(arch).embedding_length": 256, "\(arch).block_count": 4,
            "\(arch).attention.head_count": 4, "\(arch).attention.head_count_kv": 2,
            "\(arch).feed_forward_length": 512, "\(arch).context_length": 2048,
        ]
    }

    @Test func llamaUsesAdjacentPairRopeAndSwiGLU() throws {
        var m = Self.base("llama")
        m["llama.rope.freq_base"] = 100_000.0
        let c = try ModelConfig(metadata: Metadata(values: m), vocabSize: 1000)
        #expect(c.traits.rope == .normal && c.traits.activation == .silu)
        #expect(c.headDim == 64 && c.kvDim == 128 && c.groupSize == 2 && c.ropeDims == 64)
        #expect(c.ropeBase == 100_000 && c.ropeScale == 1 && c.rmsEpsilon == 1e-5)
        #expect(c.attentionScale == 0.125 && c.embeddingScale == 1)
        #expect(c.slidingWindow == nil && !c.isLocal(layer: 0))
    }

    @Test func qwenUsesNeoxRopeAndQwen3NormsHeads() throws {
        let q2 = try ModelConfig(metadata: Metadata(values: Self.base("qwen2")), vocabSize: 1000)
        #expect(q2.traits.rope == .neox && !q2.traits.qkNorm)
        var m = Self.base("qwen3")
        m["qwen3.attention.key_length"] = 128
        m["qwen3.attention.value_length"] = 128
        let q3 = try ModelConfig(metadata: Metadata(values: m), vocabSize: 1000)
        #expect(q3.traits.rope == .neox && q3.traits.qkNorm)
        // head_dim comes from key_length, not dim / heads.
        #expect(q3.headDim == 128 && q3.qDim == 512)
    }

    @Test func gemma3SlidingWindowLayersAndScales() throws {
        var m = Self.base("gemma3")
        m["gemma3.block_count"] = 18
        m["gemma3.embedding_length"] = 640
        m["gemma3.attention.key_length"] = 256
        m["gemma3.attention.value_length"] = 256
        m["gemma3.attention.sliding_window"] = 512
        m["gemma3.rope.freq_base"] = 1_000_000.0
        let c = try ModelConfig(metadata: Metadata(values: m), vocabSize: 1000)
        #expect(c.traits.postNorms && c.traits.qkNorm && c.traits.activation == .geluTanh && c.traits.rope == .neox)
        #expect(c.embeddingScale == Float(640).squareRoot())
        #expect(c.attentionScale == 0.0625)
        #expect((0..<18).filter { !c.isLocal(layer: $0) } == [5, 11, 17])
        #expect(c.slidingWindow == 512 && c.localRopeBase == 10_000 && c.ropeBase == 1_000_000)
        #expect(c.finalLogitSoftcap == nil)
    }

    @Test func gemma3WithoutWindowHasOnlyGlobalLayers() throws {
        let c = try ModelConfig(metadata: Metadata(values: Self.base("gemma3")), vocabSize: 1000)
        #expect((0..<4).allSatisfy { !c.isLocal(layer: $0) })
    }

    @Test func linearRopeScalingDividesPositions() throws {
        var m = Self.base("llama")
        m["llama.rope.scaling.type"] = "linear"
        m["llama.rope.scaling.factor"] = 8.0
        let c = try ModelConfig(metadata: Metadata(values: m), vocabSize: 1000)
        #expect(c.ropeScale == 0.125)
    }

    @Test func unsupportedArchitecturesAreRefusedWithTheSupportedList() {
        var m = Self.base("mamba")
        m["general.architecture"] = "mamba"
        #expect(throws: ModelLoadError.unsupportedArchitecture("mamba")) {
            try ModelConfig(metadata: Metadata(values: m), vocabSize: 1000)
        }
        let message = ModelLoadError.unsupportedArchitecture("mamba").description
        #expect(message.contains("mamba") && message.contains("llama, qwen2, qwen3, gemma3"))
    }

    @Test func unsupportedFeaturesAndBadValuesAreNamed() {
        var dynamic = Self.base("qwen2")
        dynamic["qwen2.rope.scaling.type"] = "dynamic"
        #expect(throws: ModelLoadError.self) { try ModelConfig(metadata: Metadata(values: dynamic), vocabSize: 10) }
        var moe = Self.base("qwen3")
        moe["qwen3.expert_count"] = 8
        #expect(throws: ModelLoadError.self) { try ModelConfig(metadata: Metadata(values: moe), vocabSize: 10) }
        var missing = Self.base("llama")
        missing["llama.block_count"] = nil
        #expect(throws: ModelLoadError.missingKey("llama.block_count")) {
            try ModelConfig(metadata: Metadata(values: missing), vocabSize: 10)
        }
        var badHeads = Self.base("llama")
        badHeads["llama.attention.head_count_kv"] = 3
        #expect(throws: ModelLoadError.self) { try ModelConfig(metadata: Metadata(values: badHeads), vocabSize: 10) }
    }

    static func experts(_ arch: String, count: Int = 128, used: Int = 8, width: Int = 768) -> [String: Any] {
        base(arch).merging([
            "\(arch).expert_count": count, "\(arch).expert_used_count": used,
            "\(arch).expert_feed_forward_length": width,
        ]) { $1 }
    }

    @Test func qwen3moeRoutesEachTokenToItsTopExpertsWithNormalisedWeights() throws {
        let c = try ModelConfig(metadata: Metadata(values: Self.experts("qwen3moe")), vocabSize: 1000)
        #expect(c.architecture == .qwen3moe)
        #expect(c.traits.qkNorm && c.traits.rope == .neox)
        #expect(c.experts == ExpertRouting(count: 128, used: 8, ffnDim: 768, gating: .softmaxThenTopK(normalized: true),
                                           activation: .silu, weightsScale: 1))
        #expect(c.ffnDim == 768)
        #expect(c.slidingWindow == nil && c.yarn == nil)
    }

    @Test func gptOSSWindowsEvenLayersAndScalesRopeWithYaRN() throws {
        var m = Self.experts("gpt-oss", count: 32, used: 4, width: 2880)
        m.merge([
            "gpt-oss.attention.sliding_window": 128, "gpt-oss.rope.freq_base": 150000.0,
            "gpt-oss.rope.scaling.type": "yarn", "gpt-oss.rope.scaling.factor": 32.0,
            "gpt-oss.rope.scaling.original_context_length": 4096, "gpt-oss.attention.key_length": 64,
        ]) { $1 }
        let c = try ModelConfig(metadata: Metadata(values: m), vocabSize: 1000)
        #expect(c.architecture == .gptOSS)
        #expect(c.experts?.gating == .topKThenSoftmax)
        #expect(c.experts?.activation == .clampedSwiGLU(alpha: 1.702, limit: 7))
        #expect((0..<4).map { c.isLocal(layer: $0) } == [true, false, true, false])
        #expect(c.slidingWindow == 128)
        #expect(c.ropeScale == Float(1) / 32)
        let yarn = try #require(c.yarn)
        #expect(yarn.originalContext == 4096)
        // 64 · ln(4096 / (β · 2π)) / (2 · ln 150000): 8.09 for β = 32 (floored), 17.4 for β = 1 (ceiled).
        let dims = yarn.correctionDims(dims: 64, base: 150000)
        #expect(dims.low == 8 && dims.high == 18)
        // get_mscale(32) cancelled by llama.cpp's 1 / (1 + 0.1 ln 32): 1 within a rounding.
        #expect(abs(yarn.attnFactor - 1) <= Float.ulpOfOne)
        var noWindow = m
        noWindow["gpt-oss.attention.sliding_window"] = nil
        #expect(throws: ModelLoadError.missingKey("gpt-oss.attention.sliding_window")) {
            try ModelConfig(metadata: Metadata(values: noWindow), vocabSize: 1000)
        }
    }

    @Test func impossibleExpertCountsAreNamed() {
        #expect(throws: ModelLoadError.invalidValue(
            key: "qwen3moe.expert_used_count", value: "9 of 8", expected: "at most the expert count, itself at most 4096")) {
            try ModelConfig(metadata: Metadata(values: Self.experts("qwen3moe", count: 8, used: 9)), vocabSize: 1000)
        }
        var missing = Self.experts("qwen3moe")
        missing["qwen3moe.expert_count"] = nil
        #expect(throws: ModelLoadError.missingKey("qwen3moe.expert_count")) {
            try ModelConfig(metadata: Metadata(values: missing), vocabSize: 1000)
        }
        var negativeScale = Self.experts("qwen3moe")
        negativeScale["qwen3moe.expert_weights_scale"] = -2.0
        #expect(throws: ModelLoadError.self) { try ModelConfig(metadata: Metadata(values: negativeScale), vocabSize: 1000) }
    }

    @Test func realFilesGiveTheirPublishedShapes() throws {
        let smol = try GGUFFile(path: try Peers.model(Peers.smolLM2))
        let s = try ModelConfig(metadata: smol.metadata, vocabSize: 49152)
        #expect(s.architecture == .llama && s.dim == 576 && s.layerCount == 30 && s.headCount == 9)
        #expect(s.kvHeadCount == 3 && s.headDim == 64 && s.ffnDim == 1536 && s.ropeBase == 100_000)

        let gemma = try GGUFFile(path: try Peers.model(Peers.gemma3))
        let g = try ModelConfig(metadata: gemma.metadata, vocabSize: 262_144)
        #expect(g.architecture == .gemma3 && g.dim == 640 && g.layerCount == 18 && g.headCount == 4)
        #expect(g.kvHeadCount == 1 && g.headDim == 256 && g.ffnDim == 2048 && g.slidingWindow == 512)
        #expect(g.rmsEpsilon == 1e-6)
    }
}
