import Foundation
import PonderCore
import PonderTestSupport
import Testing

@testable import PonderRemote

/// The stream's fast path (`OpenAIChunkScanner`) must read every chunk it accepts exactly as
/// `JSONDecoder` does, and leave everything else to it.
struct OpenAIChunkScannerTests {
    /// What JSONDecoder makes of `text`, as the stream decoder calls it.
    static func decoded(_ text: String) -> OpenAIWire.Chunk? {
        try? OpenAIWire.decoder().decode(OpenAIWire.Chunk.self, from: Data(text.utf8))
    }

    /// Checks one text; true when the scanner accepted it.
    @discardableResult
    static func expectAgreement(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        guard let fast = OpenAIChunkScanner.chunk(in: text) else { return false }
        let slow = decoded(text)
        #expect(slow != nil, "the scanner accepted what JSONDecoder refuses: \(text)", sourceLocation: sourceLocation)
        #expect(fast == slow, "the scanner read \(text) differently:\n\(fast)\nJSONDecoder:\n\(String(describing: slow))",
                sourceLocation: sourceLocation)
        return true
    }

    @Test func recordedStreamsAreReadAsJSONDecoderReadsThem() throws {
        let folder = Fixtures.url("llama-server")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".sse") }
            + ["../fuzz/sse/usage-numbers-at-the-edges.sse"]
        var chunks = 0
        var accepted = 0
        for file in files {
            var parser = SSEParser()
            let events = try parser.feed(Array(try Fixtures.data("llama-server/" + file))) + parser.finish()
            for event in events where event.data.hasPrefix("{") {
                chunks += 1
                if Self.expectAgreement(event.data) { accepted += 1 }
            }
        }
        #expect(chunks > 150, "the recorded streams were not found")
        // Only the 19-digit counts of the fuzz input are left to JSONDecoder.
        #expect(accepted == chunks - 1, "\(accepted) of \(chunks) recorded chunks took the fast path")
    }

    @Test(arguments: [
        #"{"choices":[{"index":0,"delta":{"content":"a\"b\\c\/d\b\f\n\r\t\u00e9\ud83d\ude00\u0000"}}]}"#,
        #"  {"choices":null,"usage":null,"timings":null}  "#,
        #"{"choices":[{"index":-0,"delta":null,"message":{"content":null,"reasoning":"r"},"finish_reason":"length"}]}"#,
        #"{"choices":[],"timings":{"prompt_per_second":1e3,"predicted_per_second":-2.5E-1,"prompt_n":3,"predicted_ms":1.5}}"#,
        #"{"choices":[{"index":0,"delta":{"role":"assistant","content":"x","tool_calls":[{"a":[1,2,{"b":true}]}]}}]}"#,
        #"{"usage":{"prompt_tokens":1,"total_tokens":3,"completion_tokens_details":{"reasoning_tokens":2,"x":[]}}}"#,
        #"{}"#,
    ])
    func chunksOfEveryShapeTheFastPathReads(_ text: String) {
        #expect(Self.expectAgreement(text), "declined: \(text)")
    }

    @Test(arguments: [
        // Keys JSONDecoder's snake-case conversion maps onto a field, or might.
        #"{"choices":[{"index":0,"delta":{"reasoningContent":"x"}}]}"#,
        #"{"choices":[{"index":0,"delta":{"reasoning__content":"x"}}]}"#,
        #"{"choices":[{"index":0,"finishReason":"stop"}]}"#,
        #"{"choices":[{"index":0,"delta":{"Content":"x"}}]}"#,
        #"{"choices":[{"index":0,"delta":{"cont\u0065nt":"x"}}]}"#,
        // A key twice, an error, types that are not the field's.
        #"{"choices":[{"index":0,"delta":{"content":"a","content":"b"}}]}"#,
        #"{"error":{"message":"boom"}}"#,
        #"{"choices":[{"index":1.0}]}"#,
        #"{"choices":[{"index":"0"}]}"#,
        #"{"choices":[null]}"#,
        #"{"choices":{}}"#,
        #"{"timings":{"prompt_per_second":1e999}}"#,
        #"{"usage":{"prompt_tokens":12345678901234567890}}"#,
        // Not strict JSON.
        #"{"choices":[],}"#,
        #"{"choices":[01]}"#,
        #"{"choices":[{"delta":{"content":"\ud800"}}]}"#,
        #"{"choices":[{"delta":{"content":"\x"}}]}"#,
        "{\"choices\":[{\"delta\":{\"content\":\"a\u{1}b\"}}]}",
        #"{"choices":[]} x"#,
        #"[DONE]"#,
        #"{"a":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}"#,
    ])
    func chunksTheFastPathLeavesToJSONDecoder(_ text: String) {
        #expect(OpenAIChunkScanner.chunk(in: text) == nil, "accepted: \(text)")
    }

    /// Chunks made from random pieces: every key spelling, value type, escape and nesting above,
    /// mixed, some torn or doubled. Whatever the scanner accepts, JSONDecoder reads the same.
    @Test func randomChunksAreReadAsJSONDecoderReadsThem() {
        var rng = SplitMix64(seed: 7)
        let keys = ["choices", "usage", "timings", "index", "delta", "message", "finish_reason", "finishReason",
                    "content", "reasoning_content", "reasoning", "reasoningContent", "role", "id", "model", "x_y",
                    "prompt_tokens", "completion_tokens", "prompt_tokens_details", "cached_tokens", "reasoning_tokens",
                    "completion_tokens_details", "cache_n", "prompt_n", "prompt_per_second", "predicted_n",
                    "predicted_per_second", "total_tokens", "CONTENT", "_content", "content_", "error"]
        let strings = [#""""#, #""the""#, #"" \n""#, #""\u00e9\ud83d\ude00""#, #""a\"b""#, #""世界""#, #""\ud800""#,
                       #""x\\""#, #""\/""#, #""stop""#]
        let numbers = ["0", "-0", "1", "-7", "12", "1.5", "1e2", "-2.5E-1", "01", "1.", "9223372036854775807", "1e999"]
        func value(_ depth: Int) -> String {
            switch rng.next(below: depth > 3 ? 4 : 7) {
            case 0: return strings[rng.next(below: strings.count)]
            case 1: return numbers[rng.next(below: numbers.count)]
            case 2: return ["null", "true", "false"][rng.next(below: 3)]
            case 3: return rng.next(below: 2) == 0 ? "null" : strings[rng.next(below: 4)]
            case 4, 5: return object(depth + 1)
            default: return "[" + (0..<rng.next(below: 3)).map { _ in value(depth + 1) }.joined(separator: ",") + "]"
            }
        }
        func object(_ depth: Int) -> String {
            let members = (0..<rng.next(below: 4)).map { _ in
                "\"" + keys[rng.next(below: keys.count)] + "\"" + [":", " : "][rng.next(below: 2)] + value(depth)
            }
            return "{" + members.joined(separator: ",") + "}"
        }
        func likelyChunk() -> String {
            let delta = "{\"" + ["content", "reasoning_content", "reasoning"][rng.next(below: 3)] + "\":" + value(4) + "}"
            let choice = "{\"index\":" + ["0", "null", "1"][rng.next(below: 3)] + ",\"delta\":" + delta
                + ",\"finish_reason\":" + ["null", #""stop""#][rng.next(below: 2)] + "}"
            return "{\"id\":\"c\",\"choices\":[" + choice + "],\"model\":\"m\"}"
        }
        var accepted = 0
        let total = 20_000
        for _ in 0..<total {
            var text = rng.next(below: 2) == 0 ? likelyChunk() : object(0)
            switch rng.next(below: 20) {
            case 0: text = String(text.dropLast(1 + rng.next(below: 3)))
            case 1: text += text
            case 2: text = " \n\t" + text + "\r\n"
            default: break
            }
            if Self.expectAgreement(text) { accepted += 1 }
        }
        #expect(accepted > total / 4, "only \(accepted) of \(total) random chunks took the fast path")
    }
}
