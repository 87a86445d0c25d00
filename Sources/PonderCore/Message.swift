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
    /// Why the trace was closed for the model (budget, Ctrl-G); nil when the model closed it.
    public var traceCut: TraceCut?
    /// Tokens spent on the trace and on the answer, when the backend reports them.
    public var reasoningTokens: Int?
    public var contentTokens: Int?
    /// Seconds from sending the request to the first streamed token, and to the first answer token.
    public var timeToFirstToken: Double?
    public var timeToFirstAnswerToken: Double?
    /// Seconds spent reasoning (first to last reasoning token), answering (first to last answer
    /// token) and in the whole reply.
    public var reasoningDuration: Double?
    public var answerDuration: Double?
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
        traceCut: TraceCut? = nil, reasoningTokens: Int? = nil, contentTokens: Int? = nil,
        timeToFirstToken: Double? = nil, timeToFirstAnswerToken: Double? = nil, reasoningDuration: Double? = nil,
        answerDuration: Double? = nil, duration: Double? = nil,
        stopped: Bool = false, repeating: Bool = false, sampler: SamplerSettings? = nil, error: String? = nil,
        date: Date? = nil
    ) {
        self.role = role
        self.content = content
        self.reasoning = reasoning
        self.think = think
        self.traceCut = traceCut
        self.reasoningTokens = reasoningTokens
        self.contentTokens = contentTokens
        self.timeToFirstToken = timeToFirstToken
        self.timeToFirstAnswerToken = timeToFirstAnswerToken
        self.reasoningDuration = reasoningDuration
        self.answerDuration = answerDuration
        self.duration = duration
        self.stopped = stopped
        self.repeating = repeating
        self.sampler = sampler
        self.error = error
        self.date = date
    }

    public static func user(_ text: String) -> Message { Message(role: .user, content: text) }
    public static func system(_ text: String) -> Message { Message(role: .system, content: text) }
    /// Reasoning tokens per second over the trace's duration, when both are known.
    public var reasoningTokensPerSecond: Double? { Self.rate(reasoningTokens, reasoningDuration) }
    /// Answer tokens per second over the answer's duration, when both are known.
    public var answerTokensPerSecond: Double? { Self.rate(contentTokens, answerDuration) }

    private static func rate(_ tokens: Int?, _ seconds: Double?) -> Double? {
        guard let tokens, let seconds, tokens > 1, seconds > 0 else { return nil }
        // n tokens span n-1 gaps between the first and the last.
        return Double(tokens - 1) / seconds
    }

    public static func assistant(_ text: String, reasoning: String? = nil, think: ThinkMode? = nil) -> Message {
        Message(role: .assistant, content: text, reasoning: reasoning, think: think)
    }
}
