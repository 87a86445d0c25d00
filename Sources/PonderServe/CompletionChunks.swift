import Foundation
import PonderCore

/// One reply as OpenAI's `chat.completion.chunk`s, each a server-sent event (`data: {…}\n\n`), a
/// pure value fed the engine's ``ChatEvent``s in order.
///
/// ```
/// data: {"id":"chatcmpl-…","object":"chat.completion.chunk",…,"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}
/// data: {…"delta":{"reasoning_content":"The user asks"}…}      the trace
/// data: {…"delta":{"content":"Paris."}…}                        the answer
/// data: {…"delta":{},"finish_reason":"stop"}…}
/// data: {…"choices":[],"usage":{…},"timings":{…}}              with stream_options.include_usage
/// data: [DONE]
/// ```
public struct CompletionChunks: Sendable {
    public let reply: ReplyIdentity
    public let includeUsage: Bool
    /// The latest counts the engine reported.
    public private(set) var usage: Usage?
    public private(set) var finish: FinishReason?

    public init(reply: ReplyIdentity, includeUsage: Bool) {
        self.reply = reply
        self.includeUsage = includeUsage
    }

    /// The first event: the assistant's role, sent as soon as the reply starts.
    public func start() -> String {
        event(delta: "{\"role\":\"assistant\",\"content\":\"\"}", finishReason: nil)
    }

    /// The events one engine event becomes (none for progress, notices and the sampler).
    public mutating func events(for chatEvent: ChatEvent) -> [String] {
        switch chatEvent {
        case .reasoning(let text):
            return [event(delta: "{\"reasoning_content\":\(JSONText.quoted(text))}", finishReason: nil)]
        case .content(let text):
            return [event(delta: "{\"content\":\(JSONText.quoted(text))}", finishReason: nil)]
        case .usage(let latest):
            usage = latest
            return []
        case .finished(let reason):
            finish = reason
            var events = [event(delta: "{}", finishReason: CompletionJSON.finishReason(reason))]
            if includeUsage {
                events.append("data: " + reply.prefix(object: "chat.completion.chunk") + ",\"choices\":[],"
                              + CompletionJSON.usageMembers(usage ?? Usage()) + "}\n\n")
            }
            events.append("data: [DONE]\n\n")
            return events
        default:
            // Trace cuts, progress, notices, the sampler: the engine's business, not OpenAI's.
            return []
        }
    }

    /// The event that ends a stream the engine failed: the error, as OpenAI's clients read it.
    public static func failure(_ message: String) -> String {
        "data: " + ServeError(.internalServerError, message).body + "\n\n"
    }

    private func event(delta: String, finishReason: String?) -> String {
        "data: " + reply.prefix(object: "chat.completion.chunk") + ",\"choices\":[{\"index\":0,\"delta\":" + delta
            + ",\"finish_reason\":" + (finishReason.map(JSONText.quoted) ?? "null") + "}]}\n\n"
    }
}

/// What names one reply in every chunk: its id, when it was created and the model.
public struct ReplyIdentity: Sendable, Equatable {
    public var id: String
    public var created: Int
    public var model: String

    public init(id: String, created: Int, model: String) {
        self.id = id
        self.created = created
        self.model = model
    }

    /// A new reply's identity: `chatcmpl-` and 24 random hex digits, the time now.
    public static func new(model: String) -> ReplyIdentity {
        var random = SystemRandomNumberGenerator()
        let hex = (0..<3).map { _ in String(random.next() as UInt32, radix: 16) }.joined()
        return ReplyIdentity(id: "chatcmpl-" + hex, created: Int(Date().timeIntervalSince1970), model: model)
    }

    /// `{"id":…,"object":…,"created":…,"model":…` (the object left open).
    func prefix(object: String) -> String {
        "{\"id\":\(JSONText.quoted(id)),\"object\":\(JSONText.quoted(object)),\"created\":\(created),\"model\":\(JSONText.quoted(model))"
    }
}

/// A whole reply, gathered for a request that did not ask to stream: one `chat.completion`.
public struct CompletionResult: Sendable {
    public let reply: ReplyIdentity
    public private(set) var reasoning = ""
    public private(set) var content = ""
    public private(set) var usage: Usage?
    public private(set) var finish: FinishReason?

    public init(reply: ReplyIdentity) { self.reply = reply }

    public mutating func add(_ event: ChatEvent) {
        switch event {
        case .reasoning(let text): reasoning += text
        case .content(let text): content += text
        case .usage(let latest): usage = latest
        case .finished(let reason): finish = reason
        default: break
        }
    }

    /// The response body. The answer starts at its first non-space character after a trace, as a
    /// streaming client shows it.
    public var body: String {
        var message = "{\"role\":\"assistant\",\"content\":"
        let answer = reasoning.isEmpty ? content : String(content.drop(while: \.isWhitespace))
        message += JSONText.quoted(answer)
        if !reasoning.isEmpty { message += ",\"reasoning_content\":" + JSONText.quoted(reasoning) }
        message += "}"
        return reply.prefix(object: "chat.completion") + ",\"choices\":[{\"index\":0,\"message\":" + message
            + ",\"finish_reason\":" + JSONText.quoted(CompletionJSON.finishReason(finish ?? .stop)) + "}],"
            + CompletionJSON.usageMembers(usage ?? Usage()) + "}"
    }
}

/// The JSON members the two shapes share.
enum CompletionJSON {
    /// OpenAI's finish reasons: the loop guard's stop is a `stop` (the reply ended by the server).
    static func finishReason(_ reason: FinishReason) -> String {
        switch reason {
        case .length: return "length"
        case .stop, .repetition, .cancelled: return "stop"
        }
    }

    /// `"usage":{…},"timings":{…}`: OpenAI's counts (the prompt tokens the cache held as
    /// `cached_tokens`, the trace's as `reasoning_tokens`) and llama-server's `timings`, which
    /// ponder's own client and llama.cpp's tools read.
    static func usageMembers(_ usage: Usage) -> String {
        let prompt = usage.promptTokens ?? 0
        let evaluated = usage.promptTokensEvaluated ?? prompt
        let completion = usage.completionTokens ?? 0
        var text = "\"usage\":{\"prompt_tokens\":\(prompt),\"completion_tokens\":\(completion),"
            + "\"total_tokens\":\(prompt + completion),"
            + "\"prompt_tokens_details\":{\"cached_tokens\":\(max(0, prompt - evaluated))},"
            + "\"completion_tokens_details\":{\"reasoning_tokens\":\(usage.reasoningTokens ?? 0)}}"
        text += ",\"timings\":{\"cache_n\":\(max(0, prompt - evaluated)),\"prompt_n\":\(evaluated),"
            + "\"prompt_per_second\":\(number(usage.promptTokensPerSecond)),\"predicted_n\":\(completion),"
            + "\"predicted_per_second\":\(number(usage.tokensPerSecond))}"
        return text
    }

    private static func number(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "null" }
        return String(format: "%.3f", value)
    }
}
