import Foundation
import PonderCore

/// Turns the NDJSON lines of Ollama's `/api/chat` stream into ``ChatEvent``s.
///
/// `message.thinking` is the trace and `message.content` the answer (through a ``ThinkSplitter``,
/// for Ollama before 0.9, which left `<think>` tags in the content). The last line has `done: true`,
/// `done_reason` and the counts; a line `{"error": "…"}` ends the stream with that error.
public struct OllamaStreamDecoder: Sendable {
    private var splitter = ThinkSplitter()
    private let contextSize: Int?
    private var sawThinking = false
    private var answerStarted = false
    private(set) var isDone = false

    public init(contextSize: Int?) { self.contextSize = contextSize }

    public mutating func decode(line: String) throws(BackendError) -> [ChatEvent] {
        guard !isDone else { return [] }
        let chunk: OllamaWire.ChatLine
        do {
            chunk = try OpenAIWire.decoder().decode(OllamaWire.ChatLine.self, from: Data(line.utf8))
        } catch {
            throw BackendError("the server sent a stream line that is not JSON: \(RemoteErrorText.oneLine(line, limit: 80))")
        }
        if let error = chunk.error { throw BackendError("server: \(RemoteErrorText.oneLine(error)) (in the stream)") }
        var events: [ChatEvent] = []
        if let thinking = chunk.message?.thinking, !thinking.isEmpty {
            sawThinking = true
            events.append(.reasoning(thinking))
        }
        if let content = chunk.message?.content, !content.isEmpty {
            events += pieces(splitter.feed(content))
        }
        if chunk.done == true {
            isDone = true
            events += pieces(splitter.finish())
            events.append(.usage(usage(chunk)))
            events.append(.finished(chunk.doneReason == "length" ? .length : .stop))
        }
        return events
    }

    /// The end of the body: an error unless the `done` line came.
    public mutating func endOfBody() -> (events: [ChatEvent], error: BackendError?) {
        if isDone { return ([], nil) }
        isDone = true
        return (pieces(splitter.finish()), BackendError("the server closed the stream mid-reply"))
    }

    private mutating func pieces(_ pieces: [ThinkPiece]) -> [ChatEvent] {
        var events: [ChatEvent] = []
        for piece in pieces {
            switch piece {
            case .reasoning(let text):
                events.append(.reasoning(text))
            case .content(var text):
                if !answerStarted && (sawThinking || splitter.hasClosedReasoning) {
                    text = String(text.drop(while: { $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" }))
                    if text.isEmpty { continue }
                }
                answerStarted = true
                events.append(.content(text))
            }
        }
        return events
    }

    private func usage(_ line: OllamaWire.ChatLine) -> Usage {
        // The server's numbers: counts outside 0...2³¹−1 are dropped before any arithmetic.
        func rate(_ count: Int?, _ nanoseconds: Int64?) -> Double? {
            guard let count, let nanoseconds, nanoseconds > 0 else { return nil }
            return Double(count) / (Double(nanoseconds) / 1e9)
        }
        let prompt = Usage.count(line.promptEvalCount)
        let completion = Usage.count(line.evalCount)
        var usage = Usage(
            promptTokens: prompt, promptTokensEvaluated: prompt,
            completionTokens: completion,
            promptTokensPerSecond: rate(prompt, line.promptEvalDuration),
            tokensPerSecond: rate(completion, line.evalDuration), contextSize: contextSize)
        if let prompt, let completion { usage.contextUsed = prompt + completion }
        return usage
    }
}
