import Foundation

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
