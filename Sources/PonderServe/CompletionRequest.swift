import PonderCore

/// A `POST /v1/chat/completions` body, decoded from hostile JSON into ponder's ``ChatRequest``.
///
/// What is read:
///
/// | field | becomes |
/// | --- | --- |
/// | `messages` (`system`/`developer`, `user`, `assistant`; `content` a string or a list of `text` parts; an assistant's `reasoning_content` or `reasoning`) | the system prompt and the turns; earlier traces go to the model's template, which decides (most drop them) |
/// | `chat_template_kwargs.enable_thinking` (or `.thinking`) | think on / off |
/// | `reasoning_effort`: `none`, `minimal` / `low`, `medium`, `high` | think off / on with that effort (a budget of 256, 1024, 4096 tokens where the template has no effort levels) |
/// | `thinking_budget_tokens` (llama-server's name) | the trace's token budget (and thinking on, unless turned off) |
/// | `max_tokens` / `max_completion_tokens`, `temperature`, `top_p`, `seed`, and llama.cpp's `top_k`, `min_p`, `repeat_penalty`, `repeat_last_n` | the reply's limit and sampler |
/// | `stream`, `stream_options.include_usage` | server-sent events or one JSON answer; a usage chunk at the end |
///
/// A request that says nothing about thinking gets the server's default (`ponder serve --think`).
/// The reply runs until the model ends it or `max_tokens`, as llama-server's does: ponder's loop
/// guard is the client's to apply (ponder's own remote backend does, and its stopping the stream
/// stops the engine).
/// Fields the engine cannot honour (`n` above 1, `tools`, `stop`, non-zero `frequency_penalty` /
/// `presence_penalty`, `logprobs`, a `response_format` other than text) are refused with a 400
/// rather than ignored; other unknown fields are ignored, as OpenAI's own clients send many.
public struct CompletionRequest: Sendable, Equatable {
    public var chat: ChatRequest
    public var stream: Bool
    public var includeUsage: Bool
    /// The model the client named (any name is served by the one loaded model).
    public var model: String?

    /// The most tokens a reply may ask for.
    static let maxTokensLimit = 1 << 20

    /// Decodes a request body.
    /// - Parameter defaults: the think setting of a request that sets none.
    /// - Throws: a 400 ``ServeError`` naming the first field that is wrong.
    public static func decode(_ body: [UInt8], defaults: ThinkSetting) throws(ServeError) -> CompletionRequest {
        guard body.contains(where: { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }) else {
            throw ServeError(.badRequest, "the request has no body: expected a JSON object with \"messages\"")
        }
        let root: JSONDocument.Node
        do {
            root = try JSONDocument.parse(body)
        } catch {
            throw ServeError(.badRequest, "the body is not valid JSON: \(error)")
        }
        let object = try RequestObject(root.value, path: "", expected: "a JSON object with \"messages\"")
        try refuseUnsupported(object)

        let (systemPrompt, messages) = try conversation(object)
        var sampler = SamplerSettings()
        sampler.temperature = try object.double("temperature", in: 0...100)
        sampler.topP = try object.double("top_p", in: 0...1)
        sampler.topK = try object.int("top_k", in: 0...1_000_000)
        sampler.minP = try object.double("min_p", in: 0...1)
        sampler.repeatPenalty = try object.double("repeat_penalty", in: 0...10)
        sampler.repeatLastN = try object.int("repeat_last_n", in: 0...4096)
        sampler.seed = try object.int("seed", in: 0...Int(Int64.max)).map { UInt64($0) }
        var maxTokens = try object.int("max_completion_tokens", in: 1...maxTokensLimit)
        if maxTokens == nil { maxTokens = try object.int("max_tokens", in: 1...maxTokensLimit) }

        let stream = try object.bool("stream") ?? false
        let includeUsage = try object.object("stream_options")?.bool("include_usage") ?? false
        let chat = ChatRequest(
            systemPrompt: systemPrompt, messages: messages, think: try think(object, defaults: defaults),
            sampler: sampler, maxTokens: maxTokens, loopGuard: false)
        return CompletionRequest(chat: chat, stream: stream, includeUsage: includeUsage, model: try object.string("model"))
    }

    /// The think setting: the request's switches over the server's default.
    static func think(_ object: RequestObject, defaults: ThinkSetting) throws(ServeError) -> ThinkSetting {
        var mode: ThinkMode?
        if let kwargs = try object.object("chat_template_kwargs") {
            var on = try kwargs.bool("enable_thinking")
            if on == nil { on = try kwargs.bool("thinking") }
            if let on { mode = on ? .on : .off }
        }
        var effort: String?
        if let level = try object.string("reasoning_effort") {
            switch level {
            case "none", "minimal":
                mode = mode ?? .off
            case _ where ThinkSetting.effortLevels.contains(level):
                effort = level
                mode = mode ?? .on
            default:
                throw ServeError.field(
                    "reasoning_effort", "expected \"none\", \"minimal\", \"low\", \"medium\" or \"high\", found \(ServeError.quoted(level))")
            }
        }
        let budget = try object.int("thinking_budget_tokens", in: 0...maxTokensLimit)
        if budget != nil { mode = mode ?? .on }
        // The server's budget or effort goes with its default, unless the request set its own.
        if effort == nil && budget == nil {
            return ThinkSetting(mode: mode ?? defaults.mode, budget: defaults.budget, effort: defaults.effort)
        }
        return ThinkSetting(mode: mode ?? defaults.mode, budget: budget, effort: effort)
    }

    /// The system prompt (every system or developer message, joined) and the turns.
    static func conversation(_ object: RequestObject) throws(ServeError) -> (String?, [Message]) {
        guard let items = try object.array("messages", of: "messages") else {
            throw ServeError.field("messages", "required: a list of {\"role\", \"content\"} objects")
        }
        guard !items.isEmpty else { throw ServeError.field("messages", "expected at least one message") }
        var system: [String] = []
        var messages: [Message] = []
        for (index, item) in items.enumerated() {
            let path = "messages[\(index)]"
            let entry = try RequestObject(item.value, path: path, expected: "an object with \"role\" and \"content\"")
            guard let role = try entry.string("role") else {
                throw ServeError.field(entry.path("role"), "required: \"system\", \"user\" or \"assistant\"")
            }
            let content = try text(of: entry, key: "content")
            switch role {
            case "system", "developer":
                if !content.isEmpty { system.append(content) }
            case "user":
                messages.append(.user(content))
            case "assistant":
                var reasoning = try entry.string("reasoning_content")
                if reasoning == nil { reasoning = try entry.string("reasoning") }
                messages.append(.assistant(content, reasoning: reasoning.flatMap { $0.isEmpty ? nil : $0 }))
            case let other:
                throw ServeError.field(
                    entry.path("role"), "expected \"system\", \"developer\", \"user\" or \"assistant\", found \(ServeError.quoted(other))")
            }
        }
        guard let last = messages.last, last.role == .user else {
            throw ServeError.field("messages", "the last message must be the user's (the one to answer)")
        }
        return (system.isEmpty ? nil : system.joined(separator: "\n\n"), messages)
    }

    /// A message's text: a string, or a list of `{"type": "text", "text": …}` parts joined.
    static func text(of entry: RequestObject, key: String) throws(ServeError) -> String {
        guard let value = entry.value(key) else { return "" }
        switch value {
        case .string(let text):
            return text
        case .array(let parts):
            var text = ""
            for (index, part) in parts.enumerated() {
                let object = try RequestObject(part.value, path: entry.path(key) + "[\(index)]", expected: "a {\"type\": \"text\"} part")
                guard let type = try object.string("type") else {
                    throw ServeError.field(object.path("type"), "required: \"text\"")
                }
                guard type == "text" else {
                    throw ServeError.unsupported(object.path("type"), "a \(ServeError.quoted(type)) part (text only)")
                }
                text += try object.string("text") ?? ""
            }
            return text
        default:
            throw entry.mismatch(key, "a string or a list of text parts", value)
        }
    }

    /// Refuses what the engine cannot honour, rather than answer as if it had.
    static func refuseUnsupported(_ object: RequestObject) throws(ServeError) {
        if let n = try object.int("n", in: 0...Int(Int32.max)), n != 1 { throw ServeError.unsupported("n", "more than one choice") }
        if let tools = try object.array("tools", of: "tools"), !tools.isEmpty { throw ServeError.unsupported("tools", "tool calling") }
        if let functions = try object.array("functions", of: "functions"), !functions.isEmpty {
            throw ServeError.unsupported("functions", "function calling")
        }
        switch object.value("stop") {
        case nil: break
        case .array(let stops)? where stops.isEmpty: break
        default: throw ServeError.unsupported("stop", "a stop sequence")
        }
        for key in ["frequency_penalty", "presence_penalty"] {
            if let value = try object.double(key, in: -2...2), value != 0 {
                throw ServeError.unsupported(key, "a non-zero \(key) (repeat_penalty is)")
            }
        }
        if try object.bool("logprobs") == true { throw ServeError.unsupported("logprobs", "log-probabilities") }
        if let format = try object.object("response_format"), let type = try format.string("type"), type != "text" {
            throw ServeError.unsupported(format.path("type"), "a \(ServeError.quoted(type)) response format")
        }
    }
}
