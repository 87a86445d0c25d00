import Foundation
import PonderCore

/// Answer now, on llama-server: the trace streamed so far is kept, closed, and the answer follows
/// it. The chat stream is dropped; `POST /apply-template` renders the same request to the prompt
/// the server used, and `POST /completion` (streamed) continues from that prompt plus the trace
/// plus `</think>`, as if the model had closed its trace there itself.
///
/// ```
/// /v1/chat/completions ── reasoning … (Ctrl-G, or the budget) ──✕
/// /apply-template  → "<｜User｜>Name a color.<｜Assistant｜><think>\n"
/// /completion      ← prompt + trace + "\n</think>\n\n"  → content … stop
/// ```
///
/// Only for dialects whose trace is `<think>…</think>` in the text (not gpt-oss's channels).
struct LlamaContinuation: Sendable {
    let transport: HTTPTransport
    let apiKey: String?

    /// `POST /completion`'s body.
    struct CompletionBody: Encodable, Equatable {
        var prompt: String
        var stream = true
        var nPredict: Int?
        var temperature: Double?
        var topK: Int?
        var topP: Double?
        var minP: Double?
        var repeatPenalty: Double?
        var repeatLastN: Int?
        var seed: UInt64?
        var cachePrompt = true

        enum CodingKeys: String, CodingKey {
            case prompt, stream, temperature, seed
            case nPredict = "n_predict"
            case topK = "top_k"
            case topP = "top_p"
            case minP = "min_p"
            case repeatPenalty = "repeat_penalty"
            case repeatLastN = "repeat_last_n"
            case cachePrompt = "cache_prompt"
        }
    }

    /// One event of `/completion`'s stream.
    struct Chunk: Decodable {
        var content: String?
        var stop: Bool?
        var stopType: String?
        var tokensPredicted: Int?
        var tokensEvaluated: Int?
        var timings: OpenAIWire.Timings?
        var error: OpenAIWire.ErrorField?
    }

    /// The prompt text to continue from: the rendered prompt, the trace (opened here when the
    /// template did not open it), and the close.
    static func continuation(prompt: String, trace: String) -> String {
        var text = prompt
        let opened = prompt.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix("<think>")
        if !opened { text += "<think>\n" }
        text += trace
        if !trace.hasSuffix("\n") { text += "\n" }
        return text + "</think>\n\n"
    }

    /// Renders `chat` to the prompt the server would use for it.
    func renderedPrompt(_ chat: OpenAIWire.ChatBody) async throws -> String {
        let path = "/apply-template"
        let answer = try await transport.postJSON(path, body: try OpenAIWire.encoder().encode(chat), apiKey: apiKey)
        struct Rendered: Decodable { var prompt: String? }
        guard answer.isSuccess, let prompt = (try? JSONDecoder().decode(Rendered.self, from: answer.body))?.prompt
        else {
            throw BackendError("answer now: the server could not render the prompt at \(path) (HTTP \(answer.status))")
        }
        return prompt
    }

    /// Streams the answer after `trace`; yields `.content`, then `.usage` and `.finished`.
    /// - Parameters:
    ///   - reasoningTokens: tokens the trace took, counted into the usage.
    func answer(
        chat: OpenAIWire.ChatBody, trace: String, reasoningTokens: Int, contextSize: Int?,
        yield: (ChatEvent) -> Void
    ) async throws {
        let prompt = try await renderedPrompt(chat)
        var body = CompletionBody(prompt: Self.continuation(prompt: prompt, trace: trace))
        if let max = chat.maxTokens { body.nPredict = Swift.max(1, max - reasoningTokens) }
        body.temperature = chat.temperature
        body.topK = chat.topK
        body.topP = chat.topP
        body.minP = chat.minP
        body.repeatPenalty = chat.repeatPenalty
        body.repeatLastN = chat.repeatLastN
        body.seed = chat.seed
        let path = "/completion"
        let response = try await transport.postStreaming(
            path, body: try OpenAIWire.encoder().encode(body), apiKey: apiKey, accept: "text/event-stream")
        guard (200..<300).contains(Int(response.status.code)) else {
            throw await transport.httpError(response, path: path, apiKey: apiKey)
        }
        var parser = SSEParser()
        var started = false
        var finished = false
        func handle(_ event: SSEEvent) throws {
            let data = event.data.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !data.isEmpty, data != "[DONE]", !finished else { return }
            let chunk = try OpenAIWire.streamChunk(Chunk.self, data: data, event: event)
            if let error = chunk.error { throw OpenAIWire.streamError(error, data: data) }
            if var text = chunk.content, !text.isEmpty {
                // The answer starts after the blank line that closed the trace, as on the chat path.
                if !started { text = String(text.drop(while: { $0.isNewline || $0 == " " })) }
                if !text.isEmpty {
                    started = true
                    yield(.content(text))
                }
            }
            if chunk.stop == true {
                finished = true
                // The server's numbers, checked as the chat stream's are (Usage.count, Usage.rate).
                let predicted = Usage.count(chunk.timings?.predictedN) ?? Usage.count(chunk.tokensPredicted) ?? 0
                let promptTokens = Usage.count(chunk.tokensEvaluated)
                yield(.usage(Usage(
                    promptTokens: promptTokens, promptTokensEvaluated: Usage.count(chunk.timings?.promptN),
                    completionTokens: reasoningTokens + predicted, reasoningTokens: reasoningTokens,
                    promptTokensPerSecond: Usage.rate(chunk.timings?.promptPerSecond),
                    tokensPerSecond: Usage.rate(chunk.timings?.predictedPerSecond),
                    contextSize: contextSize,
                    contextUsed: promptTokens.map { $0 + predicted })))
                yield(.finished(chunk.stopType == "limit" ? .length : .stop))
            }
        }
        do {
            for try await buffer in response.body {
                for event in try parser.feed(buffer.readableBytesView) { try handle(event) }
            }
        } catch let error as BackendError {
            throw error
        } catch {
            if Task.isCancelled { throw CancellationError() }
            throw transport.failure(error, phase: .streaming, apiKey: apiKey)
        }
        for event in parser.finish() { try handle(event) }
        if !finished { throw BackendError("the server ended the answer stream at \(path) before it was complete") }
    }
}
