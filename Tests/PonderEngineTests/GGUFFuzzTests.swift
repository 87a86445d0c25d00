import Foundation
@testable import PonderEngine
import PonderTestSupport
import Testing

/// The reader fed truncated and bit-flipped copies of the real model files: it must never crash
/// or hang, and every failure must be a `GGUFError` with a one-line message naming the file.
@Suite("GGUF reader on truncated and corrupted files")
struct GGUFFuzzTests {
    static let models = [Peers.smolLM2, Peers.gemma3, "tiny-qwen3-q4_k_m.gguf"]

    /// Every truncation point of the header, metadata and tensor descriptions, except inside
    /// arrays longer than 4 KiB: there the first and last 1 KiB are cut at every byte and the
    /// middle at 1500 evenly spaced points (each such cut takes the same path, a string or
    /// element running off the end, and re-walking a 262k-token vocabulary for every byte would
    /// take hours); then 200 cuts spread over the tensor data.
    @Test("every truncation of the header region fails with a GGUFError", arguments: models)
    func truncatedCopies(model: String) throws {
        let path = try Peers.model(model)
        let file = try GGUFFile(path: path)
        let bytes = file.bytes
        let interiors: [Range<Int>] = file.metadata.entries.compactMap {
            guard case .array(let array) = $0.value, array.end - array.start > 4096 else { return nil }
            return (array.start + 1024)..<(array.end - 1024)
        }
        var cuts = (0..<file.dataOffset).filter { offset in !interiors.contains { $0.contains(offset) } }
        for interior in interiors {
            cuts += (0..<1500).map { interior.lowerBound + $0 * interior.count / 1500 }
        }
        let headerCuts = cuts.count
        let stride = max(1, (file.fileSize - file.dataOffset) / 200)
        cuts += Swift.stride(from: file.dataOffset, to: file.fileSize, by: stride).map { $0 }
        cuts.append(file.fileSize - 1)

        var problems: [String: Int] = [:]
        var slowest = 0.0
        for cut in cuts {
            let started = Date()
            do {
                _ = try GGUFFile(borrowing: UnsafeRawBufferPointer(rebasing: bytes[0..<cut]), name: "cut.gguf")
                Issue.record("\(model) cut at \(cut) of \(file.fileSize) bytes parsed without error")
            } catch {
                Self.check(error, file: "cut.gguf")
                problems[Self.kind(error.problem), default: 0] += 1
            }
            slowest = max(slowest, Date().timeIntervalSince(started))
        }
        #expect(slowest < 30, "one parse took \(slowest) s: a hang?")
        print("[gguf-fuzz] \(model): \(cuts.count) truncated copies (\(headerCuts) in the \(file.dataOffset)-byte header region), all typed errors: \(problems.sorted { $0.key < $1.key }); slowest parse \(String(format: "%.1f", slowest * 1000)) ms")
    }

    /// Seeded random bit flips, one to four per copy, half anywhere in the header region and half
    /// in its structural bytes (the first 4 KiB, the small metadata values and the tensor
    /// descriptions). A copy that still parses must then load its tokenizer without crashing.
    @Test("bit-flipped copies parse or fail with a GGUFError, never crash", arguments: models)
    func bitFlippedCopies(model: String) throws {
        let path = try Peers.model(model)
        var data = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let original = try GGUFFile(path: path)
        let bigArrays: [Range<Int>] = original.metadata.entries.compactMap {
            guard case .array(let array) = $0.value, array.end - array.start > 4096 else { return nil }
            return array.start..<array.end
        }
        let structural = (0..<original.dataOffset).filter { offset in
            offset < 4096 || !bigArrays.contains { $0.contains(offset) }
        }
        var random = SplitMix64(seed: 0x5EED_0000 &+ UInt64(model.utf8.count))
        let cases = 400
        var parsed = 0, tokenizerLoads = 0, tokenizerErrors = 0
        var problems: [String: Int] = [:]
        var slowest = 0.0
        for _ in 0..<cases {
            var flipped: [(Int, UInt8)] = []
            for _ in 0..<(1 + Int(random.next() % 4)) {
                let position = random.next() % 2 == 0
                    ? Int(random.next() % UInt64(original.dataOffset))
                    : structural[Int(random.next() % UInt64(structural.count))]
                let mask = UInt8(1) << UInt8(random.next() % 8)
                flipped.append((position, mask))
                data[position] ^= mask
            }
            let started = Date()
            try data.withUnsafeBytes { buffer in
                do {
                    let file = try GGUFFile(borrowing: buffer, name: "flipped.gguf")
                    parsed += 1
                    // Loading a vocabulary is slower than parsing; a sample of the survivors suffices.
                    if tokenizerLoads < 25 {
                        tokenizerLoads += 1
                        do {
                            let tokenizer = try Tokenizer.load(from: file)
                            _ = tokenizer.encode("Hello <|im_start|> wörld 123", addSpecial: true, parseSpecial: true)
                        } catch is TokenizerError {
                            tokenizerErrors += 1
                        } catch is GGUFError {
                            tokenizerErrors += 1
                        } catch {
                            Issue.record("untyped tokenizer error: \(error)")
                        }
                    }
                } catch let error as GGUFError {
                    Self.check(error, file: "flipped.gguf")
                    problems[Self.kind(error.problem), default: 0] += 1
                }
            }
            slowest = max(slowest, Date().timeIntervalSince(started))
            for (position, mask) in flipped.reversed() { data[position] ^= mask }
        }
        #expect(slowest < 30, "one case took \(slowest) s: a hang?")
        print("[gguf-fuzz] \(model): \(cases) bit-flipped copies: \(parsed) still parse (\(tokenizerLoads) tokenizer loads, \(tokenizerErrors) typed tokenizer errors), \(cases - parsed) typed errors: \(problems.sorted { $0.key < $1.key }); slowest \(String(format: "%.1f", slowest * 1000)) ms")
    }

    static func check(_ error: GGUFError, file: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let message = error.description
        #expect(message.hasPrefix(file + ": "), sourceLocation: sourceLocation)
        #expect(!message.contains("\n") && message.count < 400, "\(message)", sourceLocation: sourceLocation)
    }

    static func kind(_ problem: GGUFError.Problem) -> String {
        String(String(describing: problem).prefix { $0 != "(" })
    }
}
