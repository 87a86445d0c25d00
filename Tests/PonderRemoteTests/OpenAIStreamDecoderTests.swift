import Foundation
import PonderCore
import PonderTestSupport
import Testing

@testable import PonderRemote

/// Runs a whole capture through the SSE parser and the decoder.
private func decode(
    _ name: String, startsInsideThink: Bool = false, contextSize: Int? = 2048
) throws -> (events: [ChatEvent], error: BackendError?) {
    var parser = SSEParser()
    var decoder = OpenAIStreamDecoder(startsInsideThink: startsInsideThink, contextSize: contextSize)
    var events: [ChatEvent] = []
    for event in try parser.feed(try Fixtures.data("llama-server/\(name)")) + parser.finish() {
        events += try decoder.decode(event)
    }
    let end = decoder.endOfBody()
    return (events + end.events, end.error)
}

private func text(_ events: [ChatEvent]) -> (reasoning: String, content: String) {
    var reasoning = "", content = ""
    for event in events {
        if case .reasoning(let text) = event { reasoning += text }
        if case .content(let text) = event { content += text }
    }
    return (reasoning, content)
}

/// The reasoning_content and content a capture carries, read with Foundation's JSON parser.
private func fields(_ name: String) throws -> (reasoning: String, content: String) {
    var reasoning = "", content = ""
    for line in try Fixtures.string("llama-server/\(name)").split(separator: "\n") where line.hasPrefix("data: {") {
        let json = try JSONSerialization.jsonObject(with: Data(line.dropFirst(6).utf8)) as? [String: Any]
        for choice in json?["choices"] as? [[String: Any]] ?? [] {
            let delta = choice["delta"] as? [String: Any] ?? [:]
            reasoning += delta["reasoning_content"] as? String ?? ""
            content += delta["content"] as? String ?? ""
        }
    }
    return (reasoning, content)
}

struct OpenAIStreamDecoderTests {
    @Test
    func plainCaptureIsContentThenUsageThenFinished() throws {
        let (events, error) = try decode("plain-stream.sse")
        #expect(error == nil)
        #expect(text(events).reasoning.isEmpty)
        #expect(text(events).content == (try fields("plain-stream.sse")).content)
        #expect(text(events).content.hasPrefix("L'Étoile"))
        // From the capture's last chunk: finish_reason "length" and llama-server's timings.
        #expect(events.last == .finished(.length))
        let usage = try #require(
            extract(events.dropLast().last) { if case .usage(let u) = $0 { u } else { nil } },
            "no usage before .finished: \(events.suffix(2))")
        #expect(usage.promptTokens == 24 + 13)
        #expect(usage.promptTokensEvaluated == 13)
        #expect(usage.completionTokens == 24)
        #expect(usage.tokensPerSecond == 180.95275559576726)
        #expect(usage.promptTokensPerSecond == 345.60680579556026)
        #expect(usage.contextSize == 2048)
        #expect(usage.contextUsed == 37 + 24)
    }

    @Test
    func reasoningCaptureStreamsReasoningContent() throws {
        let (events, error) = try decode("reasoning-stream.sse")
        #expect(error == nil)
        let expected = try fields("reasoning-stream.sse")
        #expect(text(events).reasoning == expected.reasoning)
        #expect(text(events).reasoning.hasPrefix("\n\nThe color of the user"))
        #expect(text(events).content.isEmpty)
        #expect(events.last == .finished(.length))
        // Every reasoning delta arrives as its own event, in order, before anything else.
        #expect(events.prefix(while: { if case .reasoning = $0 { true } else { false } }).count > 30)
    }

    @Test
    func inlineCaptureSplitsIntoTheSameReasoningAsTheServersParser() throws {
        let (events, error) = try decode("reasoning-inline-stream.sse")
        #expect(error == nil)
        #expect(text(events).reasoning == (try fields("reasoning-stream.sse")).reasoning)
        #expect(text(events).content.isEmpty)
        #expect(events.last == .finished(.length))
    }

    @Test
    func closedInlineCaptureMatchesTheServerSplitUpToLeadingAnswerWhitespace() throws {
        let inline = text(try decode("reasoning-closed-inline-stream.sse").events)
        let parsed = text(try decode("reasoning-closed-stream.sse").events)
        let server = try fields("reasoning-closed-stream.sse")
        #expect(inline.reasoning == server.reasoning)
        #expect(parsed.reasoning == server.reasoning)
        // The server's content starts "\n\n"; both paths drop whitespace at the start of an answer.
        let answer = String(server.content.drop(while: \.isWhitespace))
        #expect(inline.content == answer && parsed.content == answer)
        #expect(answer.hasSuffix("</think>assue"))  // A later </think> is answer text.
    }

    @Test
    func emptyTraceCaptureIsAnswerOnly() throws {
        // The server parsed and found a whitespace-only trace: no reasoning_content at all, and the
        // answer verbatim (no trace was seen, so nothing marks where an answer "starts").
        let parsed = try decode("reasoning-empty-stream.sse").events
        #expect(text(parsed).reasoning.isEmpty)
        #expect(text(parsed).content == (try fields("reasoning-empty-stream.sse")).content)
        #expect(text(parsed).content == "  The color of the person is a")
        // Inline, the splitter sees "<think>\n</think>  The color…": no reasoning, answer trimmed.
        let inline = try decode("reasoning-empty-inline-stream.sse").events
        #expect(text(inline).reasoning.isEmpty && text(inline).content == "The color of the person is a")
    }

    @Test
    func nonStreamedCompletionDecodes() throws {
        let events = try OpenAIStreamDecoder.decodeCompletion(try Fixtures.data("llama-server/reasoning-nonstream.json"), contextSize: 4096)
        let json = try JSONSerialization.jsonObject(with: try Fixtures.data("llama-server/reasoning-nonstream.json")) as? [String: Any]
        let message = ((json?["choices"] as? [[String: Any]])?.first?["message"]) as? [String: Any]
        #expect(text(events).reasoning == message?["reasoning_content"] as? String)
        #expect(text(events).content.isEmpty)
        #expect(events.last == .finished(.length))
        #expect(events.contains(.usage(Usage(
            promptTokens: 26, promptTokensEvaluated: 1, completionTokens: 40, promptTokensPerSecond: 145.66642388929353,
            tokensPerSecond: 163.12531370252634, contextSize: 4096, contextUsed: 66))))
    }

    @Test
    func nonStreamedAnswerWithOnlyAClosingTagTreatsTheTextBeforeItAsReasoning() throws {
        let body = #"{"choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":"Hmm, blue.\n</think>\n\nBlue."}}]}"#
        let events = try OpenAIStreamDecoder.decodeCompletion(Data(body.utf8), contextSize: nil)
        #expect(events == [.reasoning("Hmm, blue.\n"), .content("Blue."), .finished(.stop)])
    }

    @Test
    func vllmChunksWithBothReasoningFieldsCountOnce() throws {
        // vLLM during the rename (issue #29408) sent the same text in both fields.
        var decoder = OpenAIStreamDecoder(startsInsideThink: false, contextSize: nil)
        let chunks = [
            #"{"choices":[{"index":0,"delta":{"reasoning":"好的","reasoning_content":"好的"},"finish_reason":null}]}"#,
            #"{"choices":[{"index":0,"delta":{"content":"，","reasoning_content":null},"finish_reason":null}]}"#,
            #"{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#,
            "[DONE]",
        ]
        var events: [ChatEvent] = []
        for chunk in chunks { events += try decoder.decode(SSEEvent(data: chunk)) }
        #expect(events == [.reasoning("好的"), .content("，"), .finished(.stop)])
    }

    @Test
    func openRouterReasoningFieldAndOpenAIUsageDecode() throws {
        var decoder = OpenAIStreamDecoder(startsInsideThink: false, contextSize: nil)
        let chunks = [
            #"{"id":"gen-1","provider":"Azure","model":"deepseek/deepseek-r1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":"","reasoning":", so I need","reasoning_details":[]},"finish_reason":null}]}"#,
            #"{"choices":[{"index":0,"delta":{"content":"\n\nHello"},"finish_reason":"stop"}]}"#,
            #"{"choices":[],"usage":{"prompt_tokens":12,"completion_tokens":30,"total_tokens":42,"prompt_tokens_details":{"cached_tokens":4},"completion_tokens_details":{"reasoning_tokens":25}}}"#,
            "[DONE]",
        ]
        var events: [ChatEvent] = []
        for chunk in chunks { events += try decoder.decode(SSEEvent(data: chunk)) }
        #expect(events == [
            .reasoning(", so I need"), .content("Hello"),
            .usage(Usage(promptTokens: 12, promptTokensEvaluated: 8, completionTokens: 30, reasoningTokens: 25, contextUsed: 42)),
            .finished(.stop),
        ])
    }

    /// A server's numbers are not trusted: counts beyond 2³¹−1 or below zero and speeds that are
    /// negative are dropped (they once crashed the TUI in arithmetic), sensible ones are kept.
    @Test
    func impossibleUsageNumbersAreDroppedNotTrapped() throws {
        var decoder = OpenAIStreamDecoder(startsInsideThink: false, contextSize: nil)
        let chunks = [
            #"{"choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":"stop"}]}"#,
            #"{"choices":[],"usage":{"prompt_tokens":9223372036854775807,"completion_tokens":9223372036854775807,"prompt_tokens_details":{"cached_tokens":-9223372036854775808},"completion_tokens_details":{"reasoning_tokens":-5}},"timings":{"prompt_n":-9223372036854775808,"cache_n":9223372036854775807,"predicted_n":7,"predicted_per_second":-3.5,"prompt_per_second":12.5}}"#,
            "[DONE]",
        ]
        var events: [ChatEvent] = []
        for chunk in chunks { events += try decoder.decode(SSEEvent(data: chunk)) }
        #expect(events == [
            .content("Hi"),
            .usage(Usage(completionTokens: 7, promptTokensPerSecond: 12.5)),
            .finished(.stop),
        ])
    }

    @Test
    func deepseekLegacyFormatDoesNotRepeatTheTrace() throws {
        // llama.cpp's deepseek-legacy sends reasoning_content and keeps <think>… in content too.
        var decoder = OpenAIStreamDecoder(startsInsideThink: false, contextSize: nil)
        let chunks = [
            #"{"choices":[{"index":0,"delta":{"reasoning_content":"plan","content":"<think>plan"}}]}"#,
            #"{"choices":[{"index":0,"delta":{"content":"</think>\n\nDone."},"finish_reason":"stop"}]}"#,
            "[DONE]",
        ]
        var events: [ChatEvent] = []
        for chunk in chunks { events += try decoder.decode(SSEEvent(data: chunk)) }
        #expect(events == [.reasoning("plan"), .content("Done."), .finished(.stop)])
    }

    @Test
    func errorInsideTheStreamBecomesOneLine() throws {
        var decoder = OpenAIStreamDecoder(startsInsideThink: false, contextSize: nil)
        _ = try decoder.decode(SSEEvent(data: #"{"choices":[{"index":0,"delta":{"content":"Hi"}}]}"#))
        let error = #"{"error":{"code":500,"message":"slot unavailable\nretry later","type":"server_error"}}"#
        #expect(throws: BackendError("server: slot unavailable retry later (in the stream)")) {
            try decoder.decode(SSEEvent(data: error))
        }
        #expect(throws: BackendError("the server sent a stream chunk that is not JSON: {\"choices\":[")) {
            try decoder.decode(SSEEvent(data: #"{"choices":["#))
        }
    }

    @Test
    func streamEndingWithoutFinishIsCutMidReply() throws {
        // The first half of the real reasoning capture, as if the connection ended there.
        let bytes = try Fixtures.data("llama-server/reasoning-stream.sse")
        var parser = SSEParser()
        var decoder = OpenAIStreamDecoder(startsInsideThink: false, contextSize: nil)
        var events: [ChatEvent] = []
        for event in try parser.feed(bytes.prefix(bytes.count / 2)) { events += try decoder.decode(event) }
        let end = decoder.endOfBody()
        #expect(end.error == BackendError("the server closed the stream mid-reply"))
        #expect(!text(events).reasoning.isEmpty)
        #expect(!(events + end.events).contains { if case .finished = $0 { true } else { false } })
    }

    @Test
    func finishReasonWithoutDoneStillFinishes() throws {
        var decoder = OpenAIStreamDecoder(startsInsideThink: false, contextSize: nil)
        let events = try decoder.decode(SSEEvent(data: #"{"choices":[{"index":0,"delta":{"content":"ok"},"finish_reason":"stop"}]}"#))
        let end = decoder.endOfBody()
        #expect(events + end.events == [.content("ok"), .finished(.stop)])
        #expect(end.error == nil)
    }
}
