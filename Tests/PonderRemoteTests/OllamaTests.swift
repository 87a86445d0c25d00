import Foundation
import PonderCore
import Testing

@testable import PonderRemote

/// NDJSON written from Ollama's documented types (`api/types.go`: `ChatResponse`, `Message`,
/// `Metrics`), as in the research notes §7.3. There is no real Ollama on this machine: these lines
/// are constructed, not captured.
private let thinkingStream = """
{"model":"qwen3","created_at":"2026-08-21T10:00:00.000Z","message":{"role":"assistant","content":"","thinking":"Okay"},"done":false}
{"model":"qwen3","created_at":"2026-08-21T10:00:00.020Z","message":{"role":"assistant","content":"","thinking":", the user"},"done":false}
{"model":"qwen3","created_at":"2026-08-21T10:00:01.500Z","message":{"role":"assistant","content":"There are"},"done":false}
{"model":"qwen3","created_at":"2026-08-21T10:00:01.700Z","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","total_duration":1834000000,"prompt_eval_count":18,"prompt_eval_duration":90000000,"eval_count":212,"eval_duration":1600000000}

"""

private func decodeOllama(_ pieces: [ArraySlice<UInt8>]) throws -> (events: [ChatEvent], error: BackendError?) {
    var lines = JSONLinesParser()
    var decoder = OllamaStreamDecoder(contextSize: 8192)
    var events: [ChatEvent] = []
    for piece in pieces {
        for line in try lines.feed(piece) { events += try decoder.decode(line: line) }
    }
    for line in lines.finish() {  // As the backend does: a torn last line is left to the "mid-reply" error.
        guard let more = try? decoder.decode(line: line) else { break }
        events += more
    }
    let end = decoder.endOfBody()
    return (events + end.events, end.error)
}

struct OllamaTests {
    @Test
    func thinkingStreamDecodesAtEveryByteBoundary() throws {
        let bytes = Array(thinkingStream.utf8)
        let expected: [ChatEvent] = [
            .reasoning("Okay"), .reasoning(", the user"), .content("There are"),
            .usage(Usage(promptTokens: 18, promptTokensEvaluated: 18, completionTokens: 212,
                         promptTokensPerSecond: 200, tokensPerSecond: 132.5, contextSize: 8192, contextUsed: 230)),
            .finished(.stop),
        ]
        for cut in 0...bytes.count {
            let (events, error) = try decodeOllama([bytes[..<cut], bytes[cut...]])
            #expect(error == nil)
            #expect(events == expected, "cut at byte \(cut)")
        }
    }

    @Test
    func answerWithoutThinkingAndLengthLimit() throws {
        // The non-thinking shape of a real line (ollama issue #12917), streamed.
        let text = """
        {"model":"qwen3:4b-instruct","created_at":"2025-11-03T05:33:47.149505368Z","message":{"role":"assistant","content":"The answer to 1 + 1 is **2**."},"done":false}\r
        {"model":"qwen3:4b-instruct","created_at":"2025-11-03T05:33:47.2Z","message":{"role":"assistant","content":""},"done":true,"done_reason":"length","eval_count":12}
        """
        let (events, error) = try decodeOllama([Array(text.utf8)[...]])
        #expect(error == nil)
        #expect(events.first == .content("The answer to 1 + 1 is **2**."))
        #expect(events.last == .finished(.length))
    }

    @Test
    func oldOllamaInlineTagsAreSplit() throws {
        let text = #"""
        {"message":{"role":"assistant","content":"<think>\nhmm"},"done":false}
        {"message":{"role":"assistant","content":"\n</think>\n\nHi."},"done":false}
        {"message":{"role":"assistant","content":""},"done":true,"done_reason":"stop"}
        """#
        let events = try decodeOllama([Array(text.utf8)[...]]).events
        #expect(events.prefix(2) == [.reasoning("\nhmm"), .reasoning("\n")])
        #expect(events.contains(.content("Hi.")))
    }

    @Test
    func errorLineAndCutStream() throws {
        let error = #"{"error":"model requires more system memory (8 GiB) than is available (4 GiB)"}"# + "\n"
        #expect(throws: BackendError("server: model requires more system memory (8 GiB) than is available (4 GiB) (in the stream)")) {
            try decodeOllama([Array(error.utf8)[...]])
        }
        let cut = try decodeOllama([Array(thinkingStream.utf8).prefix(200)])
        #expect(cut.error == BackendError("the server closed the stream mid-reply"))
        #expect(cut.events == [.reasoning("Okay")])
    }

    @Test
    func requestBodyCarriesThinkAndOptions() throws {
        func body(_ request: ChatRequest, model: String = "qwen3", supportsThinking: Bool? = true) throws -> [String: Any] {
            let wire = OllamaWire.body(for: request, model: model, supportsThinking: supportsThinking)
            return try #require(try JSONSerialization.jsonObject(with: OpenAIWire.encoder().encode(wire)) as? [String: Any])
        }
        var request = ChatRequest(systemPrompt: "Be brief.",
                                  messages: [.user("Hi"), .assistant("Hello", reasoning: "greet"), .user("Why?")],
                                  think: ThinkSetting(mode: .on), sampler: SamplerSettings(temperature: 0.6, topK: 20, seed: 1),
                                  maxTokens: 100)
        let on = try body(request)
        #expect(on["think"] as? Bool == true && on["stream"] as? Bool == true && on["model"] as? String == "qwen3")
        #expect(on["options"] as? [String: Int] == nil)
        let options = on["options"] as? [String: Any] ?? [:]
        #expect(options["temperature"] as? Double == 0.6 && options["top_k"] as? Int == 20)
        #expect(options["seed"] as? Int == 1 && options["num_predict"] as? Int == 100)
        let messages = on["messages"] as? [[String: String]] ?? []
        #expect(messages == [["role": "system", "content": "Be brief."], ["role": "user", "content": "Hi"],
                             ["role": "assistant", "content": "Hello"], ["role": "user", "content": "Why?"]])
        request.pastReasoning = .keep
        #expect((try body(request)["messages"] as? [[String: String]])?[2]["thinking"] == "greet")

        request.think = ThinkSetting(mode: .off)
        #expect(try body(request)["think"] as? Bool == false)
        #expect(try body(request, model: "gpt-oss:20b")["think"] as? String == "low")
        #expect(try body(request, supportsThinking: false)["think"] == nil)
        request.think = ThinkSetting(mode: .on, effort: "high")
        #expect(try body(request)["think"] as? String == "high")
        #expect(try body(request, model: "gpt-oss:20b")["think"] as? String == "high")
        request.think = ThinkSetting(mode: .on)
        #expect(try body(request, model: "gpt-oss:20b")["think"] as? String == "medium")
    }

    @Test
    func showParametersGiveTheContextSize() throws {
        let text = #"{"parameters":"num_ctx                        8192\nstop                           \"<|im_end|>\"","capabilities":["completion","thinking"]}"#
        let show = try OpenAIWire.decoder().decode(OllamaWire.Show.self, from: Data(text.utf8))
        #expect(show.contextSize == 8192)
        #expect(show.capabilities?.contains("thinking") == true)
    }
}
