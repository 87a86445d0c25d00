import Foundation
import PonderCore

/// The JSON shapes of Anthropic's Messages API (`POST /v1/messages`, `anthropic-version: 2023-06-01`)
/// and the request ponder builds from a ``ChatRequest``.
///
/// From Anthropic's documentation: "Messages" in the API reference (the request), "Streaming
/// Messages" (the events) and "Building with extended thinking" (`thinking`, `budget_tokens`, and
/// thinking blocks sent back with their `signature`).
///
/// ```
/// {"model": "claude-sonnet-4-5", "max_tokens": 12288, "stream": true,
///  "system": "Be brief.",
///  "thinking": {"type": "enabled", "budget_tokens": 4096},
///  "messages": [{"role": "user", "content": [{"type": "text", "text": "Hi"}]},
///               {"role": "assistant", "content": [{"type": "thinking", "thinking": "…", "signature": "…"},
///                                                 {"type": "text", "text": "Hello."}]},
///               {"role": "user", "content": [{"type": "text", "text": "Why?"}]}]}
/// ```
enum AnthropicWire {
    /// The `anthropic-version` header every request carries.
    static let version = "2023-06-01"

    /// `max_tokens` when the user sets none: the answer's room, to which a thinking budget is added.
    static let answerTokens = 8192
    /// The smallest `budget_tokens` the API takes.
    static let minimumBudget = 1024

    /// The thinking budget for an effort level. Claude reasons at a larger scale than the small local
    /// models ``ThinkSetting/budget(forEffort:)`` is made for, so the levels get budgets of their own:
    /// `low` is the API's minimum.
    static func budget(forEffort effort: String?) -> Int {
        switch effort {
        case "low": return minimumBudget
        case "high": return 16384
        default: return 4096
        }
    }

    // MARK: - Request

    struct MessagesBody: Encodable, Equatable {
        var model: String
        var maxTokens: Int
        var system: String?
        var messages: [Turn]
        var stream = true
        var thinking: Thinking?
        var temperature: Double?
        var topP: Double?
        var topK: Int?

        enum CodingKeys: String, CodingKey {
            case model, system, messages, stream, thinking, temperature
            case maxTokens = "max_tokens"
            case topP = "top_p"
            case topK = "top_k"
        }
    }

    /// `{"type": "enabled", "budget_tokens": N}`.
    struct Thinking: Encodable, Equatable {
        var type = "enabled"
        var budgetTokens: Int

        enum CodingKeys: String, CodingKey {
            case type
            case budgetTokens = "budget_tokens"
        }
    }

    /// One message: a role and its content blocks.
    struct Turn: Encodable, Equatable {
        var role: String
        var content: [Block]
    }

    /// A content block of a request.
    enum Block: Encodable, Equatable {
        case text(String)
        case thinking(String, signature: String)
        case redactedThinking(data: String)

        private enum Key: String, CodingKey { case type, text, thinking, signature, data }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            switch self {
            case .text(let text):
                try container.encode("text", forKey: .type)
                try container.encode(text, forKey: .text)
            case .thinking(let thinking, let signature):
                try container.encode("thinking", forKey: .type)
                try container.encode(thinking, forKey: .thinking)
                try container.encode(signature, forKey: .signature)
            case .redactedThinking(let data):
                try container.encode("redacted_thinking", forKey: .type)
                try container.encode(data, forKey: .data)
            }
        }

        init(_ part: SealedReasoning) {
            switch part {
            case .signed(let thinking, let signature): self = .thinking(thinking, signature: signature)
            case .redacted(let data): self = .redactedThinking(data: data)
            }
        }
    }

    /// A request's body, and what the user should know about how it was fitted to the API.
    struct Built: Equatable {
        var body: MessagesBody
        var notices: [String]
    }

    /// Builds the `/v1/messages` body for a request.
    ///
    /// - The system prompt and the conversation's system turns go into the top-level `system`.
    /// - User and assistant turns alternate: consecutive turns of one role (a reply that failed
    ///   leaves two user turns) are joined into one message of several blocks, as the API would.
    /// - An assistant turn's sealed trace (``Message/sealedReasoning``) goes first, unchanged, then
    ///   its text. A trace without a signature cannot be sent back as thinking and is left out;
    ///   `/context strip` leaves out the sealed ones too.
    /// - Think on: `thinking: {type: enabled, budget_tokens}`, the budget being the request's own,
    ///   else its effort level's (``budget(forEffort:)``), at least 1024 (the API's minimum) and below
    ///   `max_tokens`, which is the user's `--max-tokens` or the budget + 8192. Thinking takes no
    ///   `temperature` or `top_k`, and `top_p` only from 0.95 to 1: those are left out, with a notice.
    /// - Think off: no `thinking`; `max_tokens` is the user's or 8192.
    ///
    /// - Throws: when `--max-tokens` leaves no room for the smallest budget with thinking on.
    static func body(for request: ChatRequest, model: String) throws(BackendError) -> Built {
        var notices: [String] = []
        var system = request.systemPrompt ?? ""
        for message in request.messages where message.role == .system && !message.content.isEmpty {
            system += (system.isEmpty ? "" : "\n\n") + message.content
        }
        var turns: [Turn] = []
        for message in request.messages where message.role != .system && !message.content.isEmpty {
            let role = message.role == .assistant ? "assistant" : "user"
            var blocks: [Block] = []
            // Thinking blocks lead their turn: not after the text of an earlier turn joined to it.
            let joinsEarlierTurn = turns.last?.role == role
            if message.role == .assistant, request.pastReasoning != .strip, !joinsEarlierTurn {
                blocks += message.sealedReasoning.map(Block.init)
            }
            blocks.append(.text(message.content))
            if joinsEarlierTurn { turns[turns.count - 1].content += blocks } else { turns.append(Turn(role: role, content: blocks)) }
        }
        var body = MessagesBody(
            model: model, maxTokens: request.maxTokens ?? answerTokens, system: system.isEmpty ? nil : system,
            messages: turns)
        let sampler = request.sampler
        guard request.think.mode == .on else {
            body.temperature = sampler.temperature
            body.topP = sampler.topP
            body.topK = sampler.topK
            return Built(body: body, notices: notices)
        }
        // Any count the user can type: kept where adding the answer's room cannot overflow.
        var budget = min(request.think.budget ?? Self.budget(forEffort: request.think.effort), Int(Int32.max))
        if budget < minimumBudget {
            notices.append("Anthropic's API takes a thinking budget of at least \(minimumBudget) tokens; \(minimumBudget) was sent")
            budget = minimumBudget
        }
        if let limit = request.maxTokens {
            guard limit > minimumBudget else {
                throw BackendError("--max-tokens \(limit) leaves no room for thinking: Anthropic's budget_tokens must be at "
                    + "least \(minimumBudget) and below max_tokens (raise --max-tokens, or turn thinking off with Ctrl-T)")
            }
            budget = min(budget, limit - 1)
        } else {
            body.maxTokens = budget + answerTokens
        }
        body.thinking = Thinking(budgetTokens: budget)
        if let topP = sampler.topP, (0.95...1).contains(topP) { body.topP = topP }
        var unsent: [String] = []
        if sampler.temperature != nil { unsent.append("temperature") }
        if sampler.topK != nil { unsent.append("top-k") }
        if let topP = sampler.topP, !(0.95...1).contains(topP) { unsent.append("top-p below 0.95") }
        if !unsent.isEmpty {
            notices.append("with thinking on, Anthropic's API takes no \(unsent.joined(separator: ", ")); not sent")
        }
        return Built(body: body, notices: notices)
    }

    // MARK: - Stream

    /// One event of the `/v1/messages` stream: `message_start`, `content_block_start`,
    /// `content_block_delta`, `content_block_stop`, `message_delta`, `message_stop`, `ping`, `error`.
    struct StreamEvent: Decodable {
        var type: String
        var index: Int?
        /// `message_start`.
        var message: MessageHead?
        /// `content_block_start`.
        var contentBlock: ContentBlock?
        /// `content_block_delta` (a block's next piece) and `message_delta` (`stop_reason`).
        var delta: Delta?
        /// `message_delta`: the counts so far.
        var usage: UsageBody?
        /// `error`.
        var error: OpenAIWire.ErrorBody?
    }

    struct MessageHead: Decodable {
        var model: String?
        var usage: UsageBody?
    }

    struct ContentBlock: Decodable {
        var type: String
        var text: String?
        var thinking: String?
        var signature: String?
        var data: String?
    }

    struct Delta: Decodable {
        var type: String?
        var text: String?
        var thinking: String?
        var signature: String?
        var stopReason: String?
    }

    struct UsageBody: Decodable {
        var inputTokens: Int?
        var outputTokens: Int?
        var cacheCreationInputTokens: Int?
        var cacheReadInputTokens: Int?
    }
}
