import Foundation
import PonderTestSupport
import Testing

@testable import PonderEngine

/// A tensor and its dequantization by the Python `gguf` package (Tests/Conformance/gguf_dequant.py).
struct ReferenceTensor: Sendable {
    var type: GGMLType
    var rows: Int
    var cols: Int
    var rowBytes: Int
    /// How the blocks were made: "file", "gguf.quants.quantize" or the script's reference quantizer.
    var quantizer: String
    /// `rows × rowBytes` block bytes.
    var raw: [UInt8]
    /// `rows × cols` values from `gguf.quants.dequantize(raw)`.
    var reference: [Float]
    /// The floats that were quantized (generated tensors only).
    var source: [Float]?

    /// The first `count` rows.
    func prefix(rows count: Int) -> ReferenceTensor {
        var copy = self
        copy.rows = min(count, rows)
        copy.raw = Array(raw[0..<(copy.rows * rowBytes)])
        copy.reference = Array(reference[0..<(copy.rows * cols)])
        copy.source = source.map { Array($0[0..<(copy.rows * cols)]) }
        return copy
    }

    /// Calls `body` with the raw bytes viewed as a matrix.
    func withMatrix<R>(_ body: (WeightMatrix) throws -> R) throws -> R {
        try raw.withUnsafeBytes { bytes in
            try body(try WeightMatrix(type: type, rows: rows, cols: cols, data: bytes.baseAddress!))
        }
    }
}

/// Runs the Python helper and loads what it wrote. Missing Python or `gguf` fails the test.
enum GGUFPython {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Conformance/gguf_dequant.py").path

    /// The first rows of real tensors of model file `model` (a name under the models directory),
    /// read with one Python call: `requests` maps tensor names to row counts.
    static func tensors(model: String, _ requests: [(name: String, rows: Int)]) throws -> [String: ReferenceTensor] {
        let path = try Peers.model(model)
        let loaded = try run(["tensors", path, "OUTDIR"] + requests.map { "\($0.name):\($0.rows)" }, count: requests.count)
        return Dictionary(uniqueKeysWithValues: zip(requests.map(\.name), loaded))
    }

    /// `rows × cols` seeded random values quantized to `type`.
    static func generate(_ type: GGMLType, rows: Int, cols: Int, seed: Int) throws -> ReferenceTensor {
        try run(["generate", type.description, String(rows), String(cols), String(seed), "OUTDIR"], count: 1)[0]
    }

    /// Runs the script with `OUTDIR` replaced by a fresh directory; loads `count` results from
    /// OUTDIR (generate) or OUTDIR/0, OUTDIR/1, … (tensors).
    private static func run(_ arguments: [String], count: Int) throws -> [ReferenceTensor] {
        let python = try Peers.program("PYTHON")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ponder-kernels-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try Program.run(python, [script] + arguments.map { $0 == "OUTDIR" ? dir.path : $0 })
        guard run.status == 0 else {
            throw ReferenceScriptError(
                message: "\(python) \(script) \(arguments.joined(separator: " ")) exited \(run.status): " + run.stderr)
        }
        let stdout = run.stdoutData
        struct Info: Decodable { var type: String; var rows: Int; var cols: Int; var row_bytes: Int; var quantizer: String }
        let lines = stdout.split(separator: UInt8(ascii: "\n"))
        guard lines.count == count else {
            throw ReferenceScriptError(message: "expected \(count) results, got: \(String(decoding: stdout, as: UTF8.self))")
        }
        return try lines.enumerated().map { index, line in
            let info = try JSONDecoder().decode(Info.self, from: Data(line))
            guard let type = GGMLType.allCases.first(where: { $0.description == info.type }) else {
                throw ReferenceScriptError(message: "gguf_dequant.py reported type \(info.type), which GGMLType lacks")
            }
            let folder = arguments[0] == "tensors" ? dir.appendingPathComponent(String(index)) : dir
            let raw = [UInt8](try Data(contentsOf: folder.appendingPathComponent("raw.bin")))
            let reference = floats(try Data(contentsOf: folder.appendingPathComponent("ref.f32")))
            let sourceURL = folder.appendingPathComponent("src.f32")
            let source = FileManager.default.fileExists(atPath: sourceURL.path) ? floats(try Data(contentsOf: sourceURL)) : nil
            guard raw.count == info.rows * info.row_bytes, reference.count == info.rows * info.cols else {
                throw ReferenceScriptError(message: "\(info.type): \(raw.count) bytes / \(reference.count) values for \(info.rows) rows")
            }
            return ReferenceTensor(
                type: type, rows: info.rows, cols: info.cols, rowBytes: info.row_bytes, quantizer: info.quantizer, raw: raw,
                reference: reference, source: source)
        }
    }

    private static func floats(_ data: Data) -> [Float] {
        data.withUnsafeBytes { bytes in
            (0..<(bytes.count / 4)).map { Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
    }
}

/// The real tensors the kernel tests read, loaded once per test run (one Python call per model).
enum RealTensors {
    static let rows = 96
    static let names: [String: [String]] = [
        Peers.smolLM2: ["token_embd.weight", "blk.0.ffn_down.weight", "blk.3.ffn_down.weight", "blk.29.attn_q.weight",
                        "blk.0.attn_norm.weight"],
        Peers.gemma3: ["blk.0.attn_k.weight", "blk.0.attn_output.weight", "blk.0.ffn_down.weight", "token_embd.weight",
                       "blk.2.attn_q.weight", "blk.2.attn_output.weight", "blk.4.ffn_down.weight", "blk.2.ffn_down.weight",
                       "blk.0.attn_v.weight"],
        "tiny-qwen3-q4_k_m.gguf": ["blk.0.attn_k.weight", "token_embd.weight"],
        // The types llama-quantize writes but gguf.quants cannot quantize: Q2_K, Q3_K (Q2_K's
        // attn_output/attn_v/ffn_down and Q3_K_M's attn_q/ffn_gate), IQ4_NL, IQ4_XS.
        "tiny-qwen3-q2_k.gguf": ["blk.0.attn_q.weight", "blk.1.ffn_gate.weight", "blk.0.ffn_down.weight"],
        "tiny-qwen3-q3_k_m.gguf": ["blk.0.attn_q.weight", "blk.2.ffn_gate.weight"],
        "tiny-qwen3-iq4_nl.gguf": ["blk.0.attn_q.weight", "blk.1.ffn_down.weight"],
        "tiny-qwen3-iq4_xs.gguf": ["blk.0.attn_q.weight", "blk.1.ffn_down.weight"],
    ]
    private static let smolLM2 = load(Peers.smolLM2)
    private static let gemma3 = load(Peers.gemma3)
    private static let tinyQwen3 = load("tiny-qwen3-q4_k_m.gguf")
    private static let tinyQwen3Quants = Dictionary(
        uniqueKeysWithValues: ["tiny-qwen3-q2_k.gguf", "tiny-qwen3-q3_k_m.gguf", "tiny-qwen3-iq4_nl.gguf",
                               "tiny-qwen3-iq4_xs.gguf"].map { ($0, load($0)) })

    private static func load(_ model: String) -> Result<[String: ReferenceTensor], ReferenceScriptError> {
        do {
            return .success(try GGUFPython.tensors(model: model, names[model]!.map { ($0, rows) }))
        } catch {
            return .failure(ReferenceScriptError(message: "\(model): \(error)"))
        }
    }

    /// The first `rows` rows (at most 96) of tensor `name` of `model`.
    static func tensor(_ model: String, _ name: String, rows: Int = rows) throws -> ReferenceTensor {
        let all: Result<[String: ReferenceTensor], ReferenceScriptError> = switch model {
        case Peers.smolLM2: smolLM2
        case Peers.gemma3: gemma3
        default: tinyQwen3Quants[model] ?? tinyQwen3
        }
        guard let tensor = try all.get()[name] else {
            throw ReferenceScriptError(message: "RealTensors.names lacks \(name) of \(model)")
        }
        return tensor.prefix(rows: rows)
    }
}

/// The Python reference failed (numpy or gguf missing, unknown tensor): the test fails with its stderr.
struct ReferenceScriptError: Error, CustomStringConvertible {
    var message: String
    var description: String { "gguf reference script failed: \(message)" }
}

/// The engine tests' seeded generator (PonderTestSupport's SplitMix64) and the values they draw.
typealias SeededRandom = SplitMix64

extension SplitMix64 {
    /// A standard normal value (Box-Muller).
    mutating func normal() -> Float {
        let u1 = Double.random(in: Double.ulpOfOne..<1, using: &self)
        let u2 = Double.random(in: 0..<1, using: &self)
        return Float((-2 * Foundation.log(u1)).squareRoot() * cos(2 * Double.pi * u2))
    }

    /// `count` normal values times `scale`, with about 1% of them ten times larger.
    mutating func activations(_ count: Int, scale: Float = 1) -> [Float] {
        (0..<count).map { _ in
            let v = normal() * scale
            return Double.random(in: 0..<1, using: &self) < 0.01 ? v * 10 : v
        }
    }
}

extension Array where Element == [UInt8] {
    /// Calls `body` with every element's bytes pinned at once.
    func withUnsafeBufferPointers<R>(_ body: ([UnsafeBufferPointer<UInt8>]) throws -> R) rethrows -> R {
        func pin(_ index: Int, _ pinned: [UnsafeBufferPointer<UInt8>]) throws -> R {
            if index == count { return try body(pinned) }
            return try self[index].withUnsafeBufferPointer { try pin(index + 1, pinned + [$0]) }
        }
        return try pin(0, [])
    }
}
