import Foundation
import PonderCore

/// Turns the server-sent events of one Anthropic `/v1/messages` stream into ``ChatEvent``s.
///
/// A pure value, like ``OpenAIStreamDecoder``: feed it events, it returns chat events or throws the
/// one-line error the stream carried. The stream, as Anthropic's "Streaming Messages" page gives it:
///
/// ```
/// message_start                      usage: input (and cache) tokens
/// content_block_start  thinking      ┐
/// content_block_delta  thinking_delta│ → .reasoning
/// content_block_delta  signature_delta  (just before the block's stop)
/// content_block_stop                 ┘ → .sealedReasoning(.signed(text, signature))
/// content_block_start  redacted_thinking {data} … stop → .sealedReasoning(.redacted(data)) + a notice
/// content_block_start  text          ┐
/// content_block_delta  text_delta    │ → .content
/// content_block_stop                 ┘
/// message_delta        stop_reason; usage: output tokens so far → .usage
/// message_stop                       → .finished
/// ping (any time), error {error: {type, message}} (ends the stream)
/// ```
///
/// Blocks come one after another. A delta with no block open (a lenient server) opens one of its
/// kind; a block that starts while another is open closes that one. Unknown events, blocks and
/// deltas are skipped: Anthropic adds new ones and says clients should. A thinking block is sealed
/// only when its signature came: a trace cut short has none and cannot be sent back.
public struct AnthropicStreamDecoder: Sendable {
    /// The kind of block being streamed.
    private enum Block: Sendable {
        case thinking, redacted, text, other
    }

    private var open: Block?
    /// The open thinking block's text and signature so far (appended in place: a trace can be long),
    /// or the open redacted block's data.
    private var thinking = ""
    private var signature = ""
    private var redactedData = ""
    private var stopReason: String?
    private var sawRedacted = false
    /// The counts so far: the three kinds of input tokens (each as the server gave it) and the output.
    private var input: Int?
    private var cacheCreation: Int?
    private var cacheRead: Int?
    private var output: Int?
    /// True after `message_stop`; later events are ignored.
    private(set) var isDone = false

    public init() {}

    /// What the user is told once when part of the trace came encrypted.
    static let redactedNotice = "part of the model's reasoning came encrypted (redacted_thinking): it is kept and sent back, not shown"

    /// Decodes one event.
    /// - Throws: a ``BackendError`` for an `error` event, or an event whose data is not JSON.
    public mutating func decode(_ event: SSEEvent) throws(BackendError) -> [ChatEvent] {
        guard !isDone else { return [] }
        let data = OpenAIStreamDecoder.trimmed(event.data)
        if data.isEmpty { return [] }
        let wire: AnthropicWire.StreamEvent
        do {
            wire = try OpenAIWire.decoder().decode(AnthropicWire.StreamEvent.self, from: Data(data.utf8))
        } catch {
            if event.type == "error" { throw BackendError("server: \(RemoteErrorText.oneLine(data)) (in the stream)") }
            throw BackendError("the server sent a stream event that is not Anthropic's JSON: \(RemoteErrorText.oneLine(data, limit: 80))")
        }
        switch wire.type {
        case "message_start":
            merge(wire.message?.usage)
            return []
        case "content_block_start":
            var events = close()
            guard let block = wire.contentBlock else { return events }
            switch block.type {
            case "thinking":
                open = .thinking
                thinking = block.thinking ?? ""
                signature = block.signature ?? ""
                if !thinking.isEmpty { events.append(.reasoning(thinking)) }
            case "redacted_thinking":
                open = .redacted
                redactedData = block.data ?? ""
            case "text":
                open = .text
                if let text = block.text, !text.isEmpty { events.append(.content(text)) }
            default:
                open = .other  // tool use, server tools: nothing ponder asked for
            }
            return events
        case "content_block_delta":
            return delta(wire.delta)
        case "content_block_stop":
            return close()
        case "message_delta":
            if let reason = wire.delta?.stopReason { stopReason = reason }
            guard wire.usage != nil else { return [] }
            merge(wire.usage)
            return [.usage(usage)]
        case "message_stop":
            isDone = true
            return close() + ending()
        case "error":
            throw Self.streamError(wire.error, data: data)
        default:
            return []  // `ping`, and events this version does not know
        }
    }

    /// The end of the body. Returns the last events, plus an error when the reply was cut short: a
    /// body that ends after the stop reason came (without `message_stop`) is complete.
    public mutating func endOfBody() -> (events: [ChatEvent], error: BackendError?) {
        if isDone { return ([], nil) }
        isDone = true
        let rest = close()
        if stopReason != nil { return (rest + ending(), nil) }
        return (rest, BackendError("the server closed the stream mid-reply"))
    }

    // MARK: - Blocks

    private mutating func delta(_ delta: AnthropicWire.Delta?) -> [ChatEvent] {
        guard let delta else { return [] }
        switch delta.type {
        case "thinking_delta":
            var events = open == .thinking ? [] : close()
            open = .thinking
            let piece = delta.thinking ?? ""
            thinking += piece
            if !piece.isEmpty { events.append(.reasoning(piece)) }
            return events
        case "signature_delta":
            let events = open == .thinking ? [] : close()
            open = .thinking
            signature += delta.signature ?? ""
            return events
        case "text_delta":
            var events = open == .text ? [] : close()
            open = .text
            if let piece = delta.text, !piece.isEmpty { events.append(.content(piece)) }
            return events
        default:
            return []  // tool input, citations: nothing ponder shows
        }
    }

    /// Ends the open block: a signed thinking block or a redacted one is sealed for the transcript.
    private mutating func close() -> [ChatEvent] {
        defer {
            open = nil
            thinking = ""
            signature = ""
            redactedData = ""
        }
        switch open {
        case .thinking? where !signature.isEmpty:
            return [.sealedReasoning(.signed(thinking: thinking, signature: signature))]
        case .redacted? where !redactedData.isEmpty:
            var events: [ChatEvent] = [.sealedReasoning(.redacted(data: redactedData))]
            if !sawRedacted { events.append(.notice(Self.redactedNotice)) }
            sawRedacted = true
            return events
        default:
            return []
        }
    }

    /// `.finished` for the stop reason, after a notice when the model refused.
    private func ending() -> [ChatEvent] {
        switch stopReason {
        case "max_tokens", "model_context_window_exceeded":
            return [.finished(.length)]
        case "refusal":
            return [.notice("the model declined to answer (stop_reason: refusal)"), .finished(.stop)]
        default:
            return [.finished(.stop)]  // end_turn, stop_sequence, and any reason this version does not know
        }
    }

    // MARK: - Counts and errors

    private mutating func merge(_ body: AnthropicWire.UsageBody?) {
        // The server's numbers: counts outside 0...2³¹−1 are dropped before any arithmetic.
        guard let body else { return }
        input = Usage.count(body.inputTokens) ?? input
        cacheCreation = Usage.count(body.cacheCreationInputTokens) ?? cacheCreation
        cacheRead = Usage.count(body.cacheReadInputTokens) ?? cacheRead
        output = Usage.count(body.outputTokens) ?? output
    }

    /// Input tokens are the uncached part of the prompt; the prompt is all three kinds, of which
    /// those read from the cache were not evaluated.
    private var usage: Usage {
        var usage = Usage(completionTokens: output)
        if input != nil || cacheCreation != nil || cacheRead != nil {
            let evaluated = (input ?? 0) + (cacheCreation ?? 0)
            usage.promptTokens = Usage.count(evaluated + (cacheRead ?? 0))
            usage.promptTokensEvaluated = Usage.count(evaluated)
        }
        if let prompt = usage.promptTokens, let output { usage.contextUsed = Usage.count(prompt + output) }
        return usage
    }

    /// The one line for an `error` event: `{"type": "error", "error": {"type": …, "message": …}}`.
    static func streamError(_ error: OpenAIWire.ErrorBody?, data: String) -> BackendError {
        let text = RemoteErrorText.oneLine(error?.message ?? data)
        if error?.type == "overloaded_error" {
            return BackendError("server is overloaded, try again in a moment: \(text) (in the stream)")
        }
        let kind = error?.type.map { "\(RemoteErrorText.oneLine($0, limit: 40)), " } ?? ""
        return BackendError("server: \(text) (\(kind)in the stream)")
    }
}
