import CKernels
import PonderTestSupport
import Testing

@testable import PonderEngine

/// Dequantization against the Python `gguf` package (`gguf.quants.dequantize`), value for value.
///
/// Real tensors come from the models the app ships with (SmolLM2: Q8_0/Q4_1/F32; Gemma 3:
/// Q5_0/Q4_K/Q6_K/Q8_0; tiny Qwen3: Q4_K/Q6_K, and Q2_K, Q3_K, IQ4_NL, IQ4_XS as llama-quantize
/// writes them). Types no shipped model uses are generated and quantized in Python (MXFP4 with
/// `gguf.quants.quantize`). The comparison is bit-exact: both sides round `d * q - m` the same way.
@Suite(.timeLimit(.minutes(10))) struct DequantTests {
    struct RealTensor: CustomTestStringConvertible, Sendable {
        var model: String
        var name: String
        var type: GGMLType
        var testDescription: String { "\(type) \(name) of \(model)" }
    }

    static let realTensors: [RealTensor] = [
        RealTensor(model: Peers.smolLM2, name: "token_embd.weight", type: .q8_0),
        RealTensor(model: Peers.smolLM2, name: "blk.0.ffn_down.weight", type: .q4_1),
        RealTensor(model: Peers.smolLM2, name: "blk.29.attn_q.weight", type: .q4_1),
        RealTensor(model: Peers.smolLM2, name: "blk.0.attn_norm.weight", type: .f32),
        RealTensor(model: Peers.gemma3, name: "blk.0.attn_k.weight", type: .q5_0),
        RealTensor(model: Peers.gemma3, name: "blk.0.attn_output.weight", type: .q4_K),
        RealTensor(model: Peers.gemma3, name: "blk.0.ffn_down.weight", type: .q6_K),
        RealTensor(model: Peers.gemma3, name: "token_embd.weight", type: .q8_0),
        RealTensor(model: "tiny-qwen3-q4_k_m.gguf", name: "blk.0.attn_k.weight", type: .q4_K),
        RealTensor(model: "tiny-qwen3-q4_k_m.gguf", name: "token_embd.weight", type: .q6_K),
        RealTensor(model: "tiny-qwen3-q2_k.gguf", name: "blk.0.attn_q.weight", type: .q2_K),
        RealTensor(model: "tiny-qwen3-q2_k.gguf", name: "blk.1.ffn_gate.weight", type: .q2_K),
        RealTensor(model: "tiny-qwen3-q2_k.gguf", name: "blk.0.ffn_down.weight", type: .q3_K),
        RealTensor(model: "tiny-qwen3-q3_k_m.gguf", name: "blk.0.attn_q.weight", type: .q3_K),
        RealTensor(model: "tiny-qwen3-q3_k_m.gguf", name: "blk.2.ffn_gate.weight", type: .q3_K),
        RealTensor(model: "tiny-qwen3-iq4_nl.gguf", name: "blk.0.attn_q.weight", type: .iq4_nl),
        RealTensor(model: "tiny-qwen3-iq4_nl.gguf", name: "blk.1.ffn_down.weight", type: .iq4_nl),
        RealTensor(model: "tiny-qwen3-iq4_xs.gguf", name: "blk.0.attn_q.weight", type: .iq4_xs),
        RealTensor(model: "tiny-qwen3-iq4_xs.gguf", name: "blk.1.ffn_down.weight", type: .iq4_xs),
    ]

    @Test(arguments: realTensors)
    func realTensorMatchesGGUFPackage(_ tensor: RealTensor) throws {
        let reference = try RealTensors.tensor(tensor.model, tensor.name)
        #expect(reference.type == tensor.type, "the model file changed: \(tensor.name) is \(reference.type)")
        try expectBitExact(reference)
    }

    /// Every weight type the Python side can quantize, including those no shipped model uses (Q4_0,
    /// Q5_1, Q5_K, F16, BF16, MXFP4: gpt-oss's expert weights, which llama-quantize writes only for
    /// mixture-of-experts tensors).
    static let generatedTypes: [GGMLType] = [.f32, .f16, .bf16, .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q4_K, .q5_K, .q6_K, .mxfp4]

    @Test(arguments: generatedTypes)
    func generatedTensorMatchesGGUFPackage(_ type: GGMLType) throws {
        let reference = try GGUFPython.generate(type, rows: 9, cols: 1024, seed: 7)
        try expectBitExact(reference)
        // The quantized blocks must also be a faithful encoding of the source, or the bit-exact
        // comparison above could pass on degenerate data (all zeros).
        let source = try #require(reference.source)
        let sourceRMS = rms(source)
        let errorRMS = rms(zip(source, reference.reference).map { $0 - $1 })
        #expect(sourceRMS > 0.01 && errorRMS / sourceRMS < 0.2, "\(type): relative quantization error \(errorRMS / sourceRMS)")
    }

    @Test func typeTableAgreesWithGGMLType() {
        for type in Kernels.supportedWeightTypes {
            let n = type.blockSize * 3
            #expect(pk_row_size(type.rawValue, Int64(n)) == type.byteCount(elements: n)!, "\(type)")
            #expect(pk_block_size(type.rawValue) == Int64(type.blockSize), "\(type)")
        }
        #expect(Kernels.supportedWeightTypes == [.f32, .f16, .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q2_K, .q3_K, .q4_K, .q5_K,
                                                 .q6_K, .iq4_nl, .iq4_xs, .bf16, .mxfp4])
    }

    @Test func unsupportedTypeIsRefusedNamingTheSupportedOnes() throws {
        let bytes = [UInt8](repeating: 0, count: 66)
        let error = bytes.withUnsafeBytes { raw -> KernelError? in
            do throws(KernelError) {
                _ = try WeightMatrix(type: .iq2_xxs, rows: 1, cols: 256, data: raw.baseAddress!)
                return nil
            } catch { return error }
        }
        #expect(error == .unsupportedType(.iq2_xxs))
        #expect(error?.description == "tensor type IQ2_XXS is not supported by ponder's engine "
            + "(supported: F32, F16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, IQ4_NL, IQ4_XS, BF16, MXFP4)")
    }

    @Test func partialBlockRowIsRefused() {
        let bytes = [UInt8](repeating: 0, count: 64)
        _ = bytes.withUnsafeBytes { raw in
            #expect(throws: KernelError.partialBlock(type: .q8_0, cols: 48)) {
                try WeightMatrix(type: .q8_0, rows: 1, cols: 48, data: raw.baseAddress!)
            }
        }
    }

    private func expectBitExact(_ reference: ReferenceTensor, sourceLocation: SourceLocation = #_sourceLocation) throws {
        var row = [Float](repeating: .nan, count: reference.cols)
        var mismatches = 0
        var first: String?
        try reference.withMatrix { matrix in
            for r in 0..<reference.rows {
                row.withUnsafeMutableBufferPointer { Kernels.dequantizeRow(matrix, row: r, into: $0.baseAddress!) }
                for c in 0..<reference.cols {
                    let expected = reference.reference[r * reference.cols + c]
                    if row[c].bitPattern != expected.bitPattern {
                        mismatches += 1
                        if first == nil { first = "row \(r) col \(c): ponder \(row[c]) gguf \(expected)" }
                    }
                }
            }
        }
        #expect(
            mismatches == 0,
            "\(reference.type) (\(reference.quantizer)): \(mismatches) of \(reference.rows * reference.cols) values differ; first \(first ?? "")",
            sourceLocation: sourceLocation)
    }

    private func rms(_ values: [Float]) -> Float {
        (values.reduce(0) { $0 + Double($1) * Double($1) } / Double(max(values.count, 1))).squareRoot().float
    }
}

extension Double {
    fileprivate var float: Float { Float(self) }
}
