import Foundation
import PonderTestSupport
import Testing

@testable import PonderEngine

/// A tensor and its dequantization by the Python `gguf` package (Tests/Conformance/gguf_dequant.py).
struct ReferenceTensor {
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

    /// The first `maxRows` rows of tensor `name` in model file `model` (a name under the models directory
    /// or a path).
    static func tensor(model: String, name: String, maxRows: Int) throws -> ReferenceTensor {
        let path = model.hasPrefix("/") ? model : try Peers.model(model)
        return try run(["tensor", path, name, String(maxRows)])
    }

    /// `rows × cols` seeded random values quantized to `type`.
    static func generate(_ type: GGMLType, rows: Int, cols: Int, seed: Int) throws -> ReferenceTensor {
        try run(["generate", type.description, String(rows), String(cols), String(seed)])
    }

    private static func run(_ arguments: [String]) throws -> ReferenceTensor {
        let python = try Peers.program("PYTHON")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ponder-kernels-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script] + arguments + [dir.path]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ReferenceScriptError(
                message: "\(python) \(script) \(arguments.joined(separator: " ")) exited \(process.terminationStatus): "
                    + String(decoding: stderr, as: UTF8.self))
        }
        struct Info: Decodable { var type: String; var rows: Int; var cols: Int; var row_bytes: Int; var quantizer: String }
        let info = try JSONDecoder().decode(Info.self, from: stdout)
        guard let type = GGMLType.allCases.first(where: { $0.description == info.type }) else {
            throw ReferenceScriptError(message: "gguf_dequant.py reported type \(info.type), which GGMLType lacks")
        }
        let raw = [UInt8](try Data(contentsOf: dir.appendingPathComponent("raw.bin")))
        let reference = floats(try Data(contentsOf: dir.appendingPathComponent("ref.f32")))
        let sourceURL = dir.appendingPathComponent("src.f32")
        let source = FileManager.default.fileExists(atPath: sourceURL.path) ? floats(try Data(contentsOf: sourceURL)) : nil
        #expect(raw.count == info.rows * info.row_bytes)
        #expect(reference.count == info.rows * info.cols)
        return ReferenceTensor(
            type: type, rows: info.rows, cols: info.cols, rowBytes: info.row_bytes, quantizer: info.quantizer, raw: raw,
            reference: reference, source: source)
    }

    private static func floats(_ data: Data) -> [Float] {
        data.withUnsafeBytes { bytes in
            (0..<(bytes.count / 4)).map { Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
    }
}

/// The Python reference failed (numpy or gguf missing, unknown tensor): the test fails with its stderr.
struct ReferenceScriptError: Error, CustomStringConvertible {
    var message: String
    var description: String { "gguf reference script failed: \(message)" }
}

/// SplitMix64: a small seeded generator so every test input is reproducible.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

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
