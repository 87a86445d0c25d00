import Foundation
import PonderCore

/// Turns the server-sent events of one `/v1/chat/completions` stream into ``ChatEvent``s.
///
/// A pure value: feed it events, it returns chat events or throws the one-line error the stream
/// carried. Where the trace comes from, in order of trust:
///
/// 1. `delta.reasoning_content` (llama-server, SGLang, DeepSeek, NIM), else `delta.reasoning` (vLLM
///    since late 2025, OpenRouter, Ollama `/v1`); a chunk carrying both is counted once.
/// 2. Inline `<think>…</think>` in `delta.content`, through a ``ThinkSplitter``. Once a reasoning field
///    has been seen the server is evidently parsing, so tags in `content` are not counted twice
///    (llama.cpp's `deepseek-legacy` format sends both).
///
/// Whitespace at the start of the answer after a trace is dropped on both paths, so the answer looks
/// the same whoever split it. `finish_reason` is remembered and `.finished` is sent at `[DONE]` (or at
/// the end of the body), after the usage chunk that OpenAI-style servers send last.
public struct OpenAIStreamDecoder: Sendable {
    private var splitter: ThinkSplitter
    private let contextSize: Int?
    private var usage = Usage()
    private var finishReason: FinishReason?
    private var sawReasoningField = false
    private var sawContent = false
    private var answerStarted = false
    /// True after `[DONE]`; later events are ignored.
    private(set) var isDone = false

    /// - Parameters:
    ///   - startsInsideThink: the prompt opened the trace (see ``ThinkSplitter``).
    ///   - contextSize: the context window, to fill ``Usage/contextSize`` and `contextUsed`.
    public init(startsInsideThink: Bool, contextSize: Int?) {
        self.splitter = ThinkSplitter(startsInsideThink: startsInsideThink)
        self.contextSize = contextSize
    }

    /// A `</think>` arrived in the answer with no `<think>` before it and no reasoning field: the
    /// template opened the trace in the prompt and the server does not parse it.
    var sawUnopenedClose: Bool { !sawReasoningField && splitter.sawUnopenedClose }

    /// Decodes one event.
    /// - Throws: a ``BackendError`` for an error the server sent in the stream, or a chunk that is not JSON.
    public mutating func decode(_ event: SSEEvent) throws(BackendError) -> [ChatEvent] {
        guard !isDone else { return [] }
        // The usual chunk, read in one pass; anything else goes through JSONDecoder.
        if let chunk = OpenAIChunkScanner.chunk(in: event.data) { return events(from: chunk) }
        let data = Self.trimmed(event.data)
        if data == "[DONE]" {
            isDone = true
            return drain() + [.finished(finishReason ?? .stop)]
        }
        if data.isEmpty { return [] }
        let chunk = try OpenAIWire.streamChunk(OpenAIWire.Chunk.self, data: data, event: event)
        if let error = chunk.error { throw OpenAIWire.streamError(error, data: data) }
        return events(from: chunk)
    }

    /// `text` without white space at either end (Foundation's trimming costs tens of microseconds
    /// even when there is nothing to trim, as for every `[DONE]`).
    static func trimmed(_ text: String) -> String {
        let space = CharacterSet.whitespacesAndNewlines
        guard let first = text.unicodeScalars.first, let last = text.unicodeScalars.last,
              space.contains(first) || space.contains(last)
        else { return text }
        return text.trimmingCharacters(in: space)
    }

    /// The end of the body. Returns the last events, plus an error when the reply was cut short.
    public mutating func endOfBody() -> (events: [ChatEvent], error: BackendError?) {
        if isDone { return ([], nil) }
        isDone = true
        let rest = drain()
        if let finishReason { return (rest + [.finished(finishReason)], nil) }
        return (rest, BackendError("the server closed the stream mid-reply"))
    }

    /// Decodes a whole non-streamed `chat.completion` (a server that ignored `stream: true`).
    static func decodeCompletion(_ data: Data, contextSize: Int?) throws(BackendError) -> [ChatEvent] {
        let chunk: OpenAIWire.Chunk
        do {
            chunk = try OpenAIWire.decoder().decode(OpenAIWire.Chunk.self, from: data)
        } catch {
            let text = String(decoding: data.prefix(200), as: UTF8.self)
            throw BackendError("the server's answer is not a chat completion: \(RemoteErrorText.oneLine(text, limit: 80))")
        }
        // The whole text is here, so an unopened `</think>` can be judged before anything is shown.
        let message = chunk.choices?.first?.message
        let content = message?.content ?? ""
        let hasField = !(message?.reasoningContent ?? message?.reasoning ?? "").isEmpty
        let trimmed = content.drop(while: { $0.isWhitespace })
        let forcedOpen = !hasField && content.contains("</think>") && !trimmed.hasPrefix("<think>")
        var decoder = OpenAIStreamDecoder(startsInsideThink: forcedOpen, contextSize: contextSize)
        var events = decoder.events(from: chunk)
        events += decoder.drain()
        events.append(.finished(decoder.finishReason ?? .stop))
        return events
    }

    // MARK: - Chunks

    private mutating func events(from chunk: OpenAIWire.Chunk) -> [ChatEvent] {
        var events: [ChatEvent] = []
        for choice in chunk.choices ?? [] where (choice.index ?? 0) == 0 {
            let delta = choice.delta ?? choice.message
            if let text = nonEmpty(delta?.reasoningContent) ?? nonEmpty(delta?.reasoning) {
                if !sawReasoningField && !sawContent {
                    // The server parses: content is the answer, whatever the template did.
                    splitter = ThinkSplitter(startsInsideThink: false)
                }
                sawReasoningField = true
                events.append(.reasoning(text))
            }
            if let text = nonEmpty(delta?.content) {
                sawContent = true
                events += pieces(splitter.feed(text))
            }
            if let reason = choice.finishReason { finishReason = Self.finishReason(reason) }
        }
        if chunk.usage != nil || chunk.timings != nil {
            merge(chunk.usage, chunk.timings)
            events.append(.usage(usage))
        }
        return events
    }

    private mutating func drain() -> [ChatEvent] { pieces(splitter.finish()) }

    private mutating func pieces(_ pieces: [ThinkPiece]) -> [ChatEvent] {
        var events: [ChatEvent] = []
        for piece in pieces {
            switch piece {
            case .reasoning(let text):
                // A parsing server already sent the trace in its own field.
                if !sawReasoningField { events.append(.reasoning(text)) }
            case .content(var text):
                if !answerStarted && (sawReasoningField || splitter.hasClosedReasoning) {
                    text = String(text.drop(while: { $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" }))
                    if text.isEmpty { continue }
                }
                answerStarted = true
                events.append(.content(text))
            }
        }
        return events
    }

    private mutating func merge(_ body: OpenAIWire.UsageBody?, _ timings: OpenAIWire.Timings?) {
        // Every number is the server's: counts outside 0...2³¹−1 and speeds that are negative or
        // not finite are dropped (Usage.count, Usage.rate) before any arithmetic.
        if let body {
            let prompt = Usage.count(body.promptTokens)
            usage.promptTokens = prompt ?? usage.promptTokens
            usage.completionTokens = Usage.count(body.completionTokens) ?? usage.completionTokens
            usage.reasoningTokens = Usage.count(body.completionTokensDetails?.reasoningTokens) ?? usage.reasoningTokens
            if let prompt, let cached = Usage.count(body.promptTokensDetails?.cachedTokens) {
                usage.promptTokensEvaluated = max(0, prompt - cached)
            }
        }
        if let timings {
            if let evaluated = Usage.count(timings.promptN) {
                usage.promptTokensEvaluated = evaluated
                usage.promptTokens = evaluated + (Usage.count(timings.cacheN) ?? 0)
            }
            usage.completionTokens = Usage.count(timings.predictedN) ?? usage.completionTokens
            usage.promptTokensPerSecond = Usage.rate(timings.promptPerSecond) ?? usage.promptTokensPerSecond
            usage.tokensPerSecond = Usage.rate(timings.predictedPerSecond) ?? usage.tokensPerSecond
        }
        usage.contextSize = contextSize
        if let prompt = usage.promptTokens, let completion = usage.completionTokens {
            usage.contextUsed = prompt + completion
        }
    }

    static func finishReason(_ text: String) -> FinishReason {
        text == "length" ? .length : .stop
    }

    private func nonEmpty(_ text: String?) -> String? {
        guard let text, !text.isEmpty else { return nil }
        return text
    }
}
