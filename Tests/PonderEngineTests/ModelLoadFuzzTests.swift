import Foundation
@testable import PonderEngine
import PonderTestSupport
import Testing

/// Model loading on hostile numbers: every integer in a real model's metadata (sizes, counts,
/// lengths, token ids) set in turn to values at and beyond every edge — zero, one, odd, negative,
/// 2³¹, 2⁴⁰, the largest of its width — and to seeded random values. Each copy must load and run
/// a forward pass, or fail with one typed line; none may trap, hang or try to reserve memory the
/// file cannot back.
@Suite("Model loading on hostile metadata numbers", .timeLimit(.minutes(10)))
struct ModelLoadFuzzTests {
    static let models = ["tiny-qwen3-q4_k_m.gguf", "tiny-qwen2-q8_0.gguf", Peers.smolLM2, "tiny-phi3-q8_0.gguf"]

    /// The byte offset and width of every integer scalar's value in the header.
    static func integerSlots(_ file: GGUFFile, _ bytes: [UInt8]) -> [(key: String, offset: Int, width: Int, signed: Bool)] {
        var slots: [(String, Int, Int, Bool)] = []
        for (key, value) in file.metadata.entries {
            let (width, signed): (Int, Bool)
            switch value {
            case .uint32: (width, signed) = (4, false)
            case .int32: (width, signed) = (4, true)
            case .uint64: (width, signed) = (8, false)
            case .int64: (width, signed) = (8, true)
            default: continue
            }
            // In the file: the key's length (u64), its bytes, the type (u32), then the value.
            let needle = withUnsafeBytes(of: UInt64(key.utf8.count).littleEndian, Array.init) + Array(key.utf8)
            guard let at = Self.find(needle, in: bytes, before: file.dataOffset) else { continue }
            slots.append((key, at + needle.count + 4, width, signed))
        }
        return slots
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], before end: Int) -> Int? {
        guard end >= needle.count else { return nil }
        for i in 0...(end - needle.count) where haystack[i] == needle[0] && haystack[i..<(i + needle.count)].elementsEqual(needle) {
            return i
        }
        return nil
    }

    /// Loads a copy as ponder would — GGUF, tokenizer, model, a 64-token context — and evaluates
    /// two tokens. Returns the error's kind, or "loaded".
    static func load(_ bytes: [UInt8]) -> String {
        bytes.withUnsafeBytes { buffer -> String in
            do {
                let file = try GGUFFile(borrowing: buffer, name: "hostile.gguf")
                let tokenizer = try Tokenizer.load(from: file)
                let model = try Transformer(file: file, contextCapacity: 64, threads: 1)
                let session = Session(model: model)
                let ids = tokenizer.encode("Hi there", addSpecial: true, parseSpecial: false)
                try session.prefill(Array(ids.prefix(8)))
                return "loaded"
            } catch {
                let text = String(describing: error)
                #expect(!text.contains("\n") && text.count < 500, "\(text)")
                return String(describing: type(of: error))
            }
        }
    }

    @Test(arguments: models)
    func everyIntegerAtEveryEdge(model: String) throws {
        let path = try Peers.model(model)
        let original = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let file = try GGUFFile(path: path)
        let slots = Self.integerSlots(file, original)
        #expect(slots.count >= 8, "found the integer keys: \(slots.map(\.key))")
        // Small values, the bound every size is held to (2²⁰) and just past it, and the ends of
        // every integer width.
        let edges: [Int64] = [0, 1, 2, 3, 7, 63, 64, 65, -1, -2, 1 << 20, (1 << 20) + 1, Int64(Int32.max), Int64(Int32.min),
                              1 << 31, 1 << 32, 1 << 40, 1 << 62, Int64.max, Int64.min]
        var random = SplitMix64(seed: 0x10AD_F022 &+ UInt64(model.utf8.count))
        var outcomes: [String: Int] = [:]
        var copy = original
        var slowest = 0.0
        for slot in slots {
            let values = edges + (0..<6).map { _ in Int64(bitPattern: random.next()) >> (random.next() % 62) }
            for value in values {
                var raw = UInt64(bitPattern: value)
                if slot.width == 4 {
                    guard slot.signed ? Int32(exactly: value) != nil : UInt32(exactly: value) != nil else { continue }
                    raw &= 0xFFFF_FFFF
                }
                for i in 0..<slot.width { copy[slot.offset + i] = UInt8(truncatingIfNeeded: raw >> (8 * UInt64(i))) }
                let started = Date()
                outcomes[Self.load(copy), default: 0] += 1
                slowest = max(slowest, Date().timeIntervalSince(started))
            }
            for i in 0..<slot.width { copy[slot.offset + i] = original[slot.offset + i] }
        }
        #expect(slowest < 30, "one load took \(slowest) s: a hang?")
        #expect(outcomes["loaded", default: 0] > 0, "some harmless values still load: \(outcomes)")
        print("[model-fuzz] \(model): \(slots.count) integer keys, \(outcomes.values.reduce(0, +)) copies: \(outcomes.sorted { $0.key < $1.key }); slowest \(String(format: "%.0f", slowest * 1000)) ms")
    }
}
