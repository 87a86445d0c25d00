import Foundation
import PonderCore
import PonderRemote
import PonderServe
import Testing

/// A reply's events as OpenAI chunks: read back by ponder's own client decoder (the one that reads
/// llama-server and vLLM) they are the same reply, and read as plain JSON they have OpenAI's shape.
@Suite struct CompletionChunksTests {
    static let identity = ReplyIdentity(id: "chatcmpl-test", created: 1_700_000_000, model: "tiny \"model\"")
    static let usage = Usage(
        promptTokens: 75, promptTokensEvaluated: 26, completionTokens: 30, reasoningTokens: 12,
        promptTokensPerSecond: 310, tokensPerSecond: 18.5)
    static let reply: [ChatEvent] = [
        .sampler(SamplerSettings(temperature: 0)), .usage(Usage(promptTokens: 75, promptTokensEvaluated: 26)),
        .reasoning("The user asks about "), .reasoning("France.\n"), .traceCut(.budget), .content("\n\nParis"),
        .content(" — \"la ville\"\u{1}.\n"), .notice("ignored"), .usage(usage), .finished(.length),
    ]

    static func stream(_ events: [ChatEvent], includeUsage: Bool) -> String {
        var chunks = CompletionChunks(reply: identity, includeUsage: includeUsage)
        return chunks.start() + events.flatMap { chunks.events(for: $0) }.joined()
    }

    @Test func ponderClientReadsTheSameReplyBack() throws {
        let text = Self.stream(Self.reply, includeUsage: true)
        var parser = SSEParser()
        var decoder = OpenAIStreamDecoder(startsInsideThink: false, contextSize: 4096)
        var decoded: [ChatEvent] = []
        for event in try parser.feed(Array(text.utf8)) { decoded += try decoder.decode(event) }
        #expect(decoder.endOfBody().error == nil)

        func joined(_ pick: (ChatEvent) -> String?) -> String { decoded.compactMap(pick).joined() }
        #expect(joined { if case .reasoning(let t) = $0 { t } else { nil } } == "The user asks about France.\n")
        // The client drops the white space that opens an answer after a trace, as it does for any server.
        #expect(joined { if case .content(let t) = $0 { t } else { nil } } == "Paris — \"la ville\"\u{1}.\n")
        #expect(decoded.last == .finished(.length))
        let usage = try #require(decoded.compactMap { if case .usage(let u) = $0 { u } else { nil } }.last)
        #expect(usage.promptTokens == 75 && usage.promptTokensEvaluated == 26)
        #expect(usage.completionTokens == 30 && usage.reasoningTokens == 12)
        #expect(usage.promptTokensPerSecond == 310 && usage.tokensPerSecond == 18.5)
    }

    @Test func eachEventHasOpenAIsChunkShapeAndTheStreamEndsWithDone() throws {
        let payloads = Self.stream(Self.reply, includeUsage: true).components(separatedBy: "\n\n").filter { !$0.isEmpty }
        #expect(payloads.allSatisfy { $0.hasPrefix("data: ") && !$0.dropFirst(6).contains("\n") })
        #expect(payloads.last == "data: [DONE]")
        let objects = try payloads.dropLast().map { payload in
            try #require(try JSONSerialization.jsonObject(with: Data(payload.dropFirst(6).utf8)) as? [String: Any])
        }
        for object in objects {
            #expect(object["id"] as? String == "chatcmpl-test" && object["object"] as? String == "chat.completion.chunk")
            #expect(object["created"] as? Int == 1_700_000_000 && object["model"] as? String == "tiny \"model\"")
        }
        func delta(_ object: [String: Any]) -> [String: Any]? {
            ((object["choices"] as? [[String: Any]])?.first?["delta"]) as? [String: Any]
        }
        #expect(delta(objects[0])?["role"] as? String == "assistant")
        #expect(delta(objects[1])?["reasoning_content"] as? String == "The user asks about ")
        #expect(delta(objects[3])?["content"] as? String == "\n\nParis")
        // The finish chunk, then the usage chunk with no choices.
        let finish = try #require((objects[objects.count - 2]["choices"] as? [[String: Any]])?.first)
        #expect(finish["finish_reason"] as? String == "length")
        #expect((objects.last?["choices"] as? [Any])?.isEmpty == true)
        let usage = try #require(objects.last?["usage"] as? [String: Any])
        #expect(usage["prompt_tokens"] as? Int == 75 && usage["completion_tokens"] as? Int == 30 && usage["total_tokens"] as? Int == 105)
        #expect((usage["prompt_tokens_details"] as? [String: Any])?["cached_tokens"] as? Int == 49)
        #expect((usage["completion_tokens_details"] as? [String: Any])?["reasoning_tokens"] as? Int == 12)
    }

    @Test func withoutIncludeUsageNoUsageChunkIsSent() {
        let payloads = eventPayloads(Self.stream(Self.reply, includeUsage: false))
        #expect(!payloads.contains { $0.contains("\"usage\"") })
        #expect(payloads.last == "[DONE]")
    }

    @Test func aFailedStreamEndsWithAnErrorTheClientReports() throws {
        let text = Self.stream([.content("Par")], includeUsage: false) + CompletionChunks.failure("the model broke\nbadly")
        var parser = SSEParser()
        var decoder = OpenAIStreamDecoder(startsInsideThink: false, contextSize: nil)
        let error = try #require(throws: BackendError.self) {
            for event in try parser.feed(Array(text.utf8)) { _ = try decoder.decode(event) }
        }
        #expect(error.message.contains("the model broke"))
    }

    @Test func aWholeReplyIsOneChatCompletion() throws {
        var result = CompletionResult(reply: Self.identity)
        for event in Self.reply { result.add(event) }
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.body.utf8)) as? [String: Any])
        #expect(object["object"] as? String == "chat.completion")
        let choice = try #require((object["choices"] as? [[String: Any]])?.first)
        let message = try #require(choice["message"] as? [String: Any])
        #expect(message["role"] as? String == "assistant")
        #expect(message["reasoning_content"] as? String == "The user asks about France.\n")
        #expect(message["content"] as? String == "Paris — \"la ville\"\u{1}.\n")
        #expect(choice["finish_reason"] as? String == "length")
        let usage = try #require(object["usage"] as? [String: Any])
        #expect((usage["prompt_tokens_details"] as? [String: Any])?["cached_tokens"] as? Int == 49)
    }

    /// The loop guard's end is the server's own stop; OpenAI has no name for it.
    @Test func finishReasonsMapToOpenAIs() {
        for (reason, expected) in [(FinishReason.stop, "stop"), (.length, "length"), (.repetition, "stop")] {
            var chunks = CompletionChunks(reply: Self.identity, includeUsage: false)
            #expect(chunks.events(for: .finished(reason)).first?.contains("\"finish_reason\":\"\(expected)\"") == true)
        }
    }
}
