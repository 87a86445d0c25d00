import Foundation
import PonderTestSupport
import Testing

@testable import PonderEngine

/// SmolLM3 and Phi-3/Phi-4-mini as llama.cpp reads them: which layers rotate, which LongRoPE factors
/// a context takes, and fused tensors split into their projections. `ReferenceTests` checks the
/// resulting logits against llama-server; these pin the rules behind them.
@Suite(.timeLimit(.minutes(5))) struct DenseArchitectureTests {
    typealias Metadata = ModelConfigTests.Metadata

    @Test func smolLM3LeavesRopeOutOfEveryFourthLayer() throws {
        var m = ModelConfigTests.base("smollm3")
        m["smollm3.block_count"] = 12
        let c = try ModelConfig(metadata: Metadata(values: m), vocabSize: 1000)
        #expect(c.architecture == .smollm3 && c.traits.rope == .normal && !c.traits.scalesQuery)
        #expect((0..<12).filter { !c.usesRope(layer: $0) } == [3, 7, 11])
        let llama = try ModelConfig(metadata: Metadata(values: ModelConfigTests.base("llama")), vocabSize: 1000)
        #expect((0..<4).allSatisfy { llama.usesRope(layer: $0) })
    }

    /// Phi-4-mini's shape: partial rotary, LongRoPE keys, and a sliding window llama.cpp ignores.
    @Test func phi3ReadsLongRopeAndIgnoresItsSlidingWindow() throws {
        var m = ModelConfigTests.base("phi3")
        m["phi3.rope.dimension_count"] = 48
        m["phi3.context_length"] = 131_072
        m["phi3.rope.scaling.original_context_length"] = 4096
        m["phi3.rope.scaling.attn_factor"] = 1.190238
        m["phi3.attention.sliding_window"] = 262_144
        let c = try ModelConfig(metadata: Metadata(values: m), vocabSize: 1000)
        #expect(c.traits.rope == .neox && c.traits.scalesQuery && c.attentionScale == 0.125)
        #expect(c.headDim == 64 && c.ropeDims == 48)
        #expect(c.ropeOriginalContext == 4096 && c.ropeAttentionFactor == Float(1.190238))
        #expect(c.slidingWindow == nil && (0..<4).allSatisfy { !c.isLocal(layer: $0) && c.usesRope(layer: $0) })

        // Without the LongRoPE keys: the trained context, and cos/sin unscaled.
        let plain = try ModelConfig(metadata: Metadata(values: ModelConfigTests.base("phi3")), vocabSize: 1000)
        #expect(plain.ropeOriginalContext == 2048 && plain.ropeAttentionFactor == 1)
    }

    @Test(arguments: [Double.nan, 0, -1, 1e9, .infinity])
    func aHostileAttentionFactorIsRefusedByName(value: Double) throws {
        var m = ModelConfigTests.base("phi3")
        m["phi3.rope.scaling.attn_factor"] = value
        let error = try #require(throws: ModelLoadError.self) {
            try ModelConfig(metadata: Metadata(values: m), vocabSize: 1000)
        }
        #expect(error.description.contains("phi3.rope.scaling.attn_factor"), "\(error)")
        #expect(!error.description.contains("\n"))
    }

    /// llama.cpp takes the long factors once its context (rounded up to 256) exceeds the original
    /// context, 1024 in the tiny model: 1024 positions keep the short ones, 1025 take the long.
    @Test func phi3TakesTheLongFactorsOnlyBeyondTheOriginalContext() throws {
        let file = try GGUFFile(path: try Peers.model("tiny-phi3-q8_0.gguf"))
        let short = try Transformer(file: file, contextCapacity: 1024, threads: 1)
        let long = try Transformer(file: file, contextCapacity: 1025, threads: 1)
        let shortFactors = try #require(short.weights.ropeFactorsShort)
        let longFactors = try #require(short.weights.ropeFactorsLong)
        #expect(shortFactors.count == 24 && shortFactors != longFactors)
        #expect(short.ropeFactors == shortFactors)
        #expect(long.ropeFactors == longFactors)
        #expect(short.config.ropeAttentionFactor == Float((1 + log(4.0) / log(1024.0)).squareRoot()))

        // The user sees it: the same prompt gives other logits at the other context size.
        func logits(_ model: Transformer) throws -> [Float] {
            let session = Session(model: model)
            try session.prefill([1, 504, 3458, 282, 4649, 314, 253, 1345, 1381])
            return Array(session.logits)
        }
        #expect(try logits(short) != logits(long))
    }

    /// phi3's `attn_qkv` holds q, k and v one after the other and its `ffn_up` the gate, then up:
    /// each projection reads its own rows of the fused tensor.
    @Test func fusedTensorsSplitIntoTheirProjections() throws {
        let file = try GGUFFile(path: try Peers.model("tiny-phi3-q8_0.gguf"))
        let model = try Transformer(file: file, contextCapacity: 64, threads: 1)
        let c = model.config, layer = model.weights.layers[2]
        let qkvTensor = try #require(file.tensor(named: "blk.2.attn_qkv.weight"))
        let upTensor = try #require(file.tensor(named: "blk.2.ffn_up.weight"))
        #expect(qkvTensor.shape == [c.dim, c.qDim + 2 * c.kvDim] && upTensor.shape == [c.dim, 2 * c.ffnDim])
        let qkv = try WeightMatrix(
            type: qkvTensor.type, rows: c.qDim + 2 * c.kvDim, cols: c.dim, data: try #require(qkvTensor.data.baseAddress))
        let up = try WeightMatrix(
            type: upTensor.type, rows: 2 * c.ffnDim, cols: c.dim, data: try #require(upTensor.data.baseAddress))

        func row(_ m: WeightMatrix, _ r: Int) -> [Float] {
            var out = [Float](repeating: 0, count: m.cols)
            out.withUnsafeMutableBufferPointer { Kernels.dequantizeRow(m, row: r, into: $0.baseAddress!) }
            return out
        }
        #expect(layer.attnQ.rows == c.qDim && layer.attnK.rows == c.kvDim && layer.attnV.rows == c.kvDim)
        #expect(row(layer.attnQ, 5) == row(qkv, 5))
        #expect(row(layer.attnK, 0) == row(qkv, c.qDim))
        #expect(row(layer.attnV, c.kvDim - 1) == row(qkv, c.qDim + 2 * c.kvDim - 1))
        let gate = try #require(layer.ffnGate), upHalf = try #require(layer.ffnUp)
        #expect(gate.rows == c.ffnDim && upHalf.rows == c.ffnDim)
        #expect(row(gate, 7) == row(up, 7) && row(upHalf, 7) == row(up, c.ffnDim + 7))
    }
}
