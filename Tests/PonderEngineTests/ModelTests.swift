import Foundation
import Testing
import PonderTestSupport
@testable import PonderEngine

/// The forward pass and the session on real models: batching and cache reuse must not change
/// the numbers, and files the engine cannot run are refused at load with a clear message.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct ModelTests {
    static let prompt: [Int32] = [1, 9690, 198, 2683, 359, 253, 5356, 5646, 11173, 3365, 3511, 308, 34519, 28, 7018, 411, 407, 19712, 8182, 2, 198, 1, 4093, 198, 1780, 314, 260, 3575, 282, 4649, 47, 2, 198, 1, 520, 9531, 198]

    static func load(_ name: String, context: Int = 256, batch: Int = Transformer.defaultBatchSize) throws -> Transformer {
        try Transformer(file: GGUFFile(path: try Peers.model(name)), contextCapacity: context, threads: 2, batchSize: batch)
    }

    /// Models whose llama.cpp arithmetic depends on the batch: on an AVX2 machine llama.cpp
    /// repacks their Q4_K matrices and multiplies groups of 4 inputs with a gemm kernel that
    /// rounds per pair of sub-blocks, single inputs with a gemv kernel that rounds per block. The
    /// engine follows both (ReferenceTests checks it against llama.cpp), so its batched and
    /// token-by-token logits differ exactly where llama.cpp's do.
    static let batchDependent: Set<String> = [Peers.gemma3, "tiny-qwen3-q4_k_m.gguf"]

    @Test(arguments: [Peers.smolLM2, Peers.gemma3, "tiny-qwen3-q4_k_m.gguf"])
    func batchedPrefillMatchesTokenByTokenDecoding(model name: String) throws {
        let model = try Self.load(name)
        let batched = Session(model: model)
        try batched.prefill(Self.prompt)
        let a = Array(batched.logits)
        let stepwise = Session(model: model)
        for token in Self.prompt { try stepwise.append(token) }
        let b = Array(stepwise.logits)
        let maxDiff = zip(a, b).map { abs($0 - $1) }.max() ?? 0
        print("\(name): batched vs token-by-token, max |Δlogit| \(maxDiff)")
        if Self.batchDependent.contains(name) {
            // Batches of at most 3 tokens take llama.cpp's single-input arithmetic for every
            // matrix, so they must still equal token-by-token decoding to the bit.
            let small = Session(model: try Self.load(name, batch: 3))
            try small.prefill(Self.prompt)
            let smallDiff = zip(Array(small.logits), b).map { abs($0 - $1) }.max() ?? 0
            print("\(name): batches of 3 vs token-by-token, max |Δlogit| \(smallDiff)")
            #expect(smallDiff == 0)
        } else {
            // The engine feeds a batch's columns through the same arithmetic as single tokens (as
            // llama.cpp does for these types), so splitting the prompt changes nothing, to the bit.
            #expect(maxDiff == 0)
        }
    }

    @Test func smallBatchesGiveTheSameLogitsAsOneBatch() throws {
        let one = Session(model: try Self.load(Peers.smolLM2))
        try one.prefill(Self.prompt)
        let chunked = Session(model: try Self.load(Peers.smolLM2, batch: 7))
        try chunked.prefill(Self.prompt)
        let maxDiff = zip(Array(one.logits), Array(chunked.logits)).map { abs($0 - $1) }.max() ?? 0
        #expect(maxDiff == 0)
    }

    @Test func reusedPrefixGivesExactlyTheLogitsOfAFreshSession() throws {
        let model = try Self.load(Peers.smolLM2)
        let reused = Session(model: model)
        try reused.prefill(Array(Self.prompt.prefix(20)) + [504, 2683, 359])
        let evaluated = try reused.prefill(Self.prompt)
        #expect(evaluated == Self.prompt.count - 20)
        #expect(reused.tokens == Self.prompt)
        let fresh = Session(model: model)
        try fresh.prefill(Self.prompt)
        #expect(Array(reused.logits) == Array(fresh.logits))
        // The same prompt again costs one token (its last, to recover the logits)… or none.
        let again = try reused.prefill(Self.prompt)
        #expect(again == 0)
        reused.truncate(to: Self.prompt.count - 1)
        let lastOnly = try reused.prefill(Self.prompt)
        #expect(lastOnly == 1)
        #expect(Array(reused.logits) == Array(fresh.logits))
    }

    @Test func aPromptLongerThanTheContextIsRefused() throws {
        let session = Session(model: try Self.load(Peers.smolLM2, context: 16))
        #expect(throws: Session.SessionError.contextFull(needed: Self.prompt.count, capacity: 16)) {
            try session.prefill(Self.prompt)
        }
        #expect(throws: Session.SessionError.badToken(99_999_999)) { try session.prefill([1, 99_999_999]) }
    }

    @Test func slidingWindowHidesDistantKeysOnLocalLayersOnly() throws {
        // Gemma 3 with a window of 4: a long prompt must differ from the unwindowed result, and the
        // last few positions' logits must still be finite and sensible.
        let file = try GGUFFile(path: try Peers.model(Peers.gemma3))
        let model = try Transformer(file: file, contextCapacity: 64, threads: 2)
        let windowed = Session(model: model)
        model.config.slidingWindow = 4
        try windowed.prefill(Array(Self.prompt.prefix(24)))
        let a = Array(windowed.logits)
        model.config.slidingWindow = nil
        let global = Session(model: model)
        try global.prefill(Array(Self.prompt.prefix(24)))
        let b = Array(global.logits)
        #expect(a.allSatisfy { $0.isFinite })
        #expect(zip(a, b).contains { abs($0 - $1) > 1e-3 })
    }

    // MARK: - Refusals

    @Test func unsupportedArchitectureIsRefusedAtLoad() throws {
        let bytes = TinyGGUF(architecture: "mamba").bytes()
        let file = try GGUFFile(bytes: bytes, name: "mamba.gguf")
        #expect(throws: ModelLoadError.unsupportedArchitecture("mamba")) {
            try Transformer(file: file, contextCapacity: 8, threads: 1)
        }
    }

    @Test func unsupportedTensorTypeIsRefusedWithTheSupportedList() throws {
        var gguf = TinyGGUF(architecture: "llama")
        gguf.attnQType = .iq2_xxs
        gguf.dim = 256  // a whole IQ2_XXS block per row
        let file = try GGUFFile(bytes: gguf.bytes(), name: "iq2xxs.gguf")
        do {
            _ = try Transformer(file: file, contextCapacity: 8, threads: 1)
            Issue.record("an IQ2_XXS tensor was accepted")
        } catch {
            let message = error.description
            #expect(message.contains("blk.0.attn_q.weight") && message.contains("IQ2_XXS") && message.contains("Q4_K")
                    && message.contains("IQ4_XS"))
        }
    }

    @Test func aMissingTensorIsNamed() throws {
        var gguf = TinyGGUF(architecture: "llama")
        gguf.omit = "blk.0.ffn_up.weight"
        let file = try GGUFFile(bytes: gguf.bytes(), name: "missing.gguf")
        #expect(throws: ModelLoadError.missingTensor("blk.0.ffn_up.weight")) {
            try Transformer(file: file, contextCapacity: 8, threads: 1)
        }
    }

    @Test func aTinyGeneratedModelRuns() throws {
        let file = try GGUFFile(bytes: TinyGGUF(architecture: "qwen2").bytes(), name: "tiny.gguf")
        let model = try Transformer(file: file, contextCapacity: 8, threads: 1)
        let session = Session(model: model)
        try session.prefill([1, 2, 3])
        #expect(session.logits.allSatisfy { $0.isFinite })
    }
}

/// A minimal GGUF v3 file in memory: one layer of a llama-style model with F32 weights, for the
/// load-time checks (architecture, tensor types, missing tensors).
struct TinyGGUF {
    var architecture: String
    var dim = 32, ffn = 64, heads = 2, vocab = 16
    var attnQType: GGMLType = .f32
    var omit: String?

    func bytes() -> [UInt8] {
        var out: [UInt8] = []
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        func string(_ s: String) { u64(UInt64(s.utf8.count)); out.append(contentsOf: s.utf8) }
        let a = architecture
        let kv: [(String, UInt32)] = [
            ("\(a).embedding_length", UInt32(dim)), ("\(a).block_count", 1), ("\(a).attention.head_count", UInt32(heads)),
            ("\(a).attention.head_count_kv", UInt32(heads)), ("\(a).feed_forward_length", UInt32(ffn)),
            ("\(a).context_length", 64),
        ]
        var tensors: [(String, GGMLType, [Int])] = [
            ("token_embd.weight", .f32, [dim, vocab]), ("output_norm.weight", .f32, [dim]),
            ("blk.0.attn_norm.weight", .f32, [dim]), ("blk.0.attn_q.weight", attnQType, [dim, dim]),
            ("blk.0.attn_k.weight", .f32, [dim, dim]), ("blk.0.attn_v.weight", .f32, [dim, dim]),
            ("blk.0.attn_output.weight", .f32, [dim, dim]), ("blk.0.ffn_norm.weight", .f32, [dim]),
            ("blk.0.ffn_gate.weight", .f32, [dim, ffn]), ("blk.0.ffn_up.weight", .f32, [dim, ffn]),
            ("blk.0.ffn_down.weight", .f32, [ffn, dim]),
        ]
        tensors.removeAll { $0.0 == omit }
        out.append(contentsOf: Array("GGUF".utf8))
        u32(3)
        u64(UInt64(tensors.count))
        u64(UInt64(kv.count + 1))
        string("general.architecture"); u32(8); string(a)
        for (key, value) in kv { string(key); u32(4); u32(value) }
        var offset = 0
        var blobs: [[UInt8]] = []
        for (name, type, shape) in tensors {
            string(name)
            u32(UInt32(shape.count))
            for d in shape { u64(UInt64(d)) }
            u32(type.rawValue)
            u64(UInt64(offset))
            let size = type.byteCount(elements: shape.reduce(1, *)) ?? 0
            // Small deterministic values (F32), or zeros for other types.
            var blob = [UInt8](repeating: 0, count: size)
            if type == .f32 {
                for i in 0..<(size / 4) {
                    let v = Float((i * 7919) % 17) / 170 - 0.05 + (name.hasSuffix("norm.weight") ? 1 : 0)
                    withUnsafeBytes(of: v.bitPattern.littleEndian) { blob.replaceSubrange((4 * i)..<(4 * i + 4), with: $0) }
                }
            }
            blobs.append(blob)
            offset += (size + 31) / 32 * 32
        }
        while out.count % 32 != 0 { out.append(0) }
        for blob in blobs {
            out.append(contentsOf: blob)
            while out.count % 32 != 0 { out.append(0) }
        }
        return out
    }
}
