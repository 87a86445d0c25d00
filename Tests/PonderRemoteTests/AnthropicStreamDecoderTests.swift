import Foundation
import PonderCore
import PonderTestSupport
import Testing

@testable import PonderRemote

/// Decodes Anthropic event streams as ``AnthropicAPI`` does (SSEParser, then the decoder, then the
/// end of the body), in the given pieces: every event before an error, and the error.
private func decodeAnthropic(_ pieces: [ArraySlice<UInt8>]) -> (events: [ChatEvent], error: BackendError?) {
    var parser = SSEParser()
    var decoder = AnthropicStreamDecoder()
    var events: [ChatEvent] = []
    do {
        for piece in pieces {
            for event in try parser.feed(piece) { events += try decoder.decode(event) }
        }
    } catch {
        return (events, error)
    }
    for event in parser.finish() {  // As the backend does: a torn last event is left to the "mid-reply" error.
        guard let more = try? decoder.decode(event) else { break }
        events += more
    }
    let end = decoder.endOfBody()
    return (events + end.events, end.error)
}

private func fixture(_ name: String) throws -> [UInt8] { Array(try Fixtures.data("anthropic/" + name)) }

/// The streams of `Tests/Fixtures/anthropic`, written from Anthropic's documentation (that folder's
/// README says which example each is): "Streaming Messages",
/// https://platform.claude.com/docs/en/build-with-claude/streaming, and "Building with extended
/// thinking", https://platform.claude.com/docs/en/build-with-claude/extended-thinking.
struct AnthropicStreamDecoderTests {
    /// "Streaming Messages", basic streaming request: `text_delta`s are the answer; the prompt's
    /// 25 input tokens (from `message_start`) and the 15 output tokens (`message_delta`) are the usage.
    @Test
    func basicTextStreamDecodesAtEveryByteBoundary() throws {
        let bytes = try fixture("text-stream.sse")
        let expected: [ChatEvent] = [
            .content("Hello"), .content("!"),
            .usage(Usage(promptTokens: 25, promptTokensEvaluated: 25, completionTokens: 15, contextUsed: 40)),
            .finished(.stop),
        ]
        for cut in 0...bytes.count {
            let (events, error) = decodeAnthropic([bytes[..<cut], bytes[cut...]])
            #expect(error == nil, "cut at byte \(cut)")
            #expect(events == expected, "cut at byte \(cut)")
        }
    }

    /// "Streaming Messages", streaming with extended thinking: `thinking_delta`s are the trace,
    /// `signature_delta` seals it (text and signature kept exactly), `text_delta` is the answer.
    @Test
    func thinkingStreamGivesTheTraceItsSignatureAndTheAnswer() throws {
        let bytes = try fixture("thinking-stream.sse")
        let first = "Let me solve this step by step:\n\n1. First break down 27 * 453"
        let second = "\n2. 453 = 400 + 50 + 3"
        let expected: [ChatEvent] = [
            .reasoning(first), .reasoning(second),
            .sealedReasoning(.signed(thinking: first + second, signature: "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds...")),
            .content("27 * 453 = 12,231"),
            .finished(.stop),
        ]
        for cut in stride(from: 0, through: bytes.count, by: 7) {
            let (events, error) = decodeAnthropic([bytes[..<cut], bytes[cut...]])
            #expect(error == nil, "cut at byte \(cut)")
            #expect(events == expected, "cut at byte \(cut)")
        }
        // One byte at a time, as a slow connection would deliver it.
        let trickle = decodeAnthropic(bytes.indices.map { bytes[$0...$0] })
        #expect(trickle.events == expected)
    }

    /// "Building with extended thinking", thinking redaction: the `redacted_thinking` block's data
    /// is kept as it came (and said once), the signed block before it too; `max_tokens` is a length
    /// stop; cached and uncached input both count as the prompt.
    @Test
    func redactedThinkingIsKeptAndSaidOnce() throws {
        let (events, error) = decodeAnthropic([try fixture("redacted-thinking-stream.sse")[...]])
        #expect(error == nil)
        #expect(events == [
            .reasoning("Let me analyze this step by step..."),
            .sealedReasoning(.signed(
                thinking: "Let me analyze this step by step...",
                signature: "WaUjzkypQ2mUEVM36O2TxuC06KN8xyfbJwyem2dw3URve/op91XWHOEBLLqIOMfFG/UvLEczmEsUjavL....")),
            .sealedReasoning(.redacted(
                data: "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpPkNRj2YfWXGmKDxH4mPnZ5sQ7vB5URj2pabwHyTH62Z4Sb...")),
            .notice(AnthropicStreamDecoder.redactedNotice),
            .content("Based on my analysis..."),
            .usage(Usage(promptTokens: 96, promptTokensEvaluated: 96, completionTokens: 2048, contextUsed: 2144)),
            .finished(.length),
        ])
    }

    /// "Streaming Messages", error events: an `overloaded_error` after a 200 ends the reply with one
    /// line that says so; what arrived before it stays.
    @Test
    func overloadedErrorEventEndsTheReplyWithOneLine() throws {
        let (events, error) = decodeAnthropic([try fixture("overloaded-error-stream.sse")[...]])
        #expect(events == [.content("Hello")])
        #expect(error == BackendError("server is overloaded, try again in a moment: Overloaded (in the stream)"))
        let other = decodeAnthropic([Array(#"""
            event: error
            data: {"type": "error", "error": {"type": "api_error", "message": "Internal\nserver error"}}


            """#.utf8)[...]])
        #expect(other.error == BackendError("server: Internal server error (api_error, in the stream)"))
    }

    /// A stream cut inside the trace: the trace so far stays, but unsigned it is not sealed (it
    /// could not be sent back), and the reply ends with the "mid-reply" error.
    @Test
    func traceCutBeforeItsSignatureIsNotSealed() throws {
        let bytes = try fixture("thinking-stream.sse")
        let text = String(decoding: bytes, as: UTF8.self)
        let signature = try #require(text.range(of: "event: content_block_delta\ndata: {\"type\": \"content_block_delta\", \"index\": 0, \"delta\": {\"type\": \"signature_delta\""))
        let cut = text.utf8.distance(from: text.startIndex, to: signature.lowerBound)
        let (events, error) = decodeAnthropic([bytes[..<cut]])
        #expect(events == [
            .reasoning("Let me solve this step by step:\n\n1. First break down 27 * 453"), .reasoning("\n2. 453 = 400 + 50 + 3"),
        ])
        #expect(error == BackendError("the server closed the stream mid-reply"))
    }

    /// Every stop reason the Messages API documents, as ponder tells them apart; `refusal` says so.
    static let stopReasons: [(String, [ChatEvent])] = [
        ("end_turn", [.finished(.stop)]),
        ("stop_sequence", [.finished(.stop)]),
        ("max_tokens", [.finished(.length)]),
        ("model_context_window_exceeded", [.finished(.length)]),
        ("pause_turn", [.finished(.stop)]),
        ("refusal", [.notice("the model declined to answer (stop_reason: refusal)"), .finished(.stop)]),
    ]

    @Test(arguments: AnthropicStreamDecoderTests.stopReasons)
    func stopReasonsAreMapped(reason: String, ending: [ChatEvent]) {
        let delta = """
            event: message_delta
            data: {"type": "message_delta", "delta": {"stop_reason": "\(reason)", "stop_sequence": null}}


            """
        let stop = "event: message_stop\ndata: {\"type\": \"message_stop\"}\n\n"
        let (events, error) = decodeAnthropic([Array((delta + stop).utf8)[...]])
        #expect(error == nil)
        #expect(events == ending)
        // A body that ends after the stop reason but without `message_stop` is complete too.
        let (unstopped, unstoppedError) = decodeAnthropic([Array(delta.utf8)[...]])
        #expect(unstoppedError == nil)
        #expect(unstopped == ending)
    }

    /// What a server must not be able to do: data that is not JSON is one line naming it; unknown
    /// events, blocks and deltas are skipped (Anthropic adds new ones); a delta with no block
    /// started still counts; counts out of range are dropped, not summed.
    @Test
    func hostileAndUnknownEvents() throws {
        let notJSON = decodeAnthropic([Array("event: content_block_delta\ndata: {\"type\": \"content_bl\n\n".utf8)[...]])
        #expect(notJSON.error == BackendError(
            "the server sent a stream event that is not Anthropic's JSON: {\"type\": \"content_bl"))
        let stream = #"""
            event: message_start
            data: {"type": "message_start", "message": {"usage": {"input_tokens": 99999999999, "output_tokens": 1}}}

            event: future_event
            data: {"type": "future_event", "anything": [1, 2]}

            event: content_block_start
            data: {"type": "content_block_start", "index": 0, "content_block": {"type": "tool_use", "id": "t", "name": "x", "input": {}}}

            event: content_block_delta
            data: {"type": "content_block_delta", "index": 0, "delta": {"type": "input_json_delta", "partial_json": "{\"a\""}}

            event: content_block_delta
            data: {"type": "content_block_delta", "index": 1, "delta": {"type": "text_delta", "text": "Hi"}}

            event: message_delta
            data: {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 3}}

            event: message_stop
            data: {"type": "message_stop"}

            event: content_block_delta
            data: {"type": "content_block_delta", "index": 1, "delta": {"type": "text_delta", "text": "after the end"}}


            """#
        let (events, error) = decodeAnthropic([Array(stream.utf8)[...]])
        #expect(error == nil)
        #expect(events == [.content("Hi"), .usage(Usage(completionTokens: 3)), .finished(.stop)])
    }
}
