import Foundation

/// Who wrote a message.
public enum Role: String, Sendable, Codable, CaseIterable {
    case system, user, assistant
}

/// Whether the model was asked to reason before answering.
public enum ThinkMode: String, Sendable, Codable, CaseIterable {
    case on, off

    public var toggled: ThinkMode { self == .on ? .off : .on }
}

/// One turn of a conversation.
///
/// Assistant messages remember how they were produced (`think`, budget, timings), so a transcript
/// can say which replies reasoned and how long it took.
public struct Message: Sendable, Equatable {
    public var role: Role
    /// The answer text (for assistant turns: without the reasoning trace).
    public var content: String
    /// The reasoning trace, when the model produced one.
    public var reasoning: String?
    /// The think mode this assistant reply was requested with.
    public var think: ThinkMode?
    /// True when a thinking budget cut the trace short.
    public var budgetHit: Bool
    /// Tokens spent on the trace and on the answer, when the backend reports them.
    public var reasoningTokens: Int?
    public var contentTokens: Int?
    /// Seconds from sending the request to the first streamed token.
    public var timeToFirstToken: Double?
    /// Seconds spent reasoning (first to last reasoning token) and in the whole reply.
    public var reasoningDuration: Double?
    public var duration: Double?
    /// The user pressed Esc before the reply finished.
    public var stopped: Bool
    /// The loop guard stopped the reply: the model was repeating itself.
    public var repeating: Bool
    /// The sampler settings the reply was generated with (every one the backend reported; for a
    /// server, the ones ponder sent).
    public var sampler: SamplerSettings?
    /// A one-line error that ended the reply, if any.
    public var error: String?
    /// When the message was created.
    public var date: Date?

    public init(
        role: Role, content: String, reasoning: String? = nil, think: ThinkMode? = nil,
        budgetHit: Bool = false, reasoningTokens: Int? = nil, contentTokens: Int? = nil,
        timeToFirstToken: Double? = nil, reasoningDuration: Double? = nil, duration: Double? = nil,
        stopped: Bool = false, repeating: Bool = false, sampler: SamplerSettings? = nil, error: String? = nil,
        date: Date? = nil
    ) {
        self.role = role
        self.content = content
        self.reasoning = reasoning
        self.think = think
        self.budgetHit = budgetHit
        self.reasoningTokens = reasoningTokens
        self.contentTokens = contentTokens
        self.timeToFirstToken = timeToFirstToken
        self.reasoningDuration = reasoningDuration
        self.duration = duration
        self.stopped = stopped
        self.repeating = repeating
        self.sampler = sampler
        self.error = error
        self.date = date
    }

    public static func user(_ text: String) -> Message { Message(role: .user, content: text) }
    public static func system(_ text: String) -> Message { Message(role: .system, content: text) }
    public static func assistant(_ text: String, reasoning: String? = nil, think: ThinkMode? = nil) -> Message {
        Message(role: .assistant, content: text, reasoning: reasoning, think: think)
    }
}

/// A whole conversation: an optional system prompt and the turns that followed.
public struct Conversation: Sendable, Equatable {
    public var title: String
    public var systemPrompt: String?
    public var messages: [Message]
    public var created: Date
    public var updated: Date

    public init(
        title: String = "", systemPrompt: String? = nil, messages: [Message] = [],
        created: Date = Date(), updated: Date? = nil
    ) {
        self.title = title
        self.systemPrompt = systemPrompt
        self.messages = messages
        self.created = created
        self.updated = updated ?? created
    }

    /// A title derived from the first user message (first line, at most 60 characters).
    public var derivedTitle: String {
        if !title.isEmpty { return title }
        guard let first = messages.first(where: { $0.role == .user }) else { return "New conversation" }
        let line = first.content.split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? ""
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        return trimmed.count > 60 ? String(trimmed.prefix(59)) + "…" : (trimmed.isEmpty ? "New conversation" : trimmed)
    }
}
