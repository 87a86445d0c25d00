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
    /// The model that wrote this assistant reply, as the backend names it (`BackendInfo.model`);
    /// `/model` can change it in the middle of a conversation. Nil when not recorded.
    public var model: String?
    /// The trace's parts as the server sealed them (Anthropic's signed and redacted thinking blocks),
    /// in the order they came; sent back before the answer in later requests to that server.
    public var sealedReasoning: [SealedReasoning] = []
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
    /// The other versions of this assistant turn (Ctrl-R, `/compare`), in the order they were
    /// made, without this one; each has no versions of its own.
    public var otherVersions: [Message] = []
    /// This version's place (1-based) among all of them: `otherVersions` with this one inserted
    /// before the `version`-th.
    public var version: Int = 1

    public init(
        role: Role, content: String, reasoning: String? = nil, think: ThinkMode? = nil,
        traceCut: TraceCut? = nil, reasoningTokens: Int? = nil, contentTokens: Int? = nil,
        timeToFirstToken: Double? = nil, timeToFirstAnswerToken: Double? = nil, reasoningDuration: Double? = nil,
        answerDuration: Double? = nil, duration: Double? = nil,
        stopped: Bool = false, repeating: Bool = false, sampler: SamplerSettings? = nil, error: String? = nil,
        date: Date? = nil, model: String? = nil
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
        self.model = model
    }

    public static func user(_ text: String) -> Message { Message(role: .user, content: text) }
    public static func system(_ text: String) -> Message { Message(role: .system, content: text) }
    /// How many versions this turn has (1 when it was never regenerated).
    public var versionCount: Int { otherVersions.count + 1 }

    /// Every version of this turn, in the order they were made, each without versions.
    public var allVersions: [Message] {
        var me = self
        me.otherVersions = []
        me.version = 1
        var all = otherVersions
        all.insert(me, at: min(max(0, version - 1), all.count))
        return all
    }

    /// The same turn showing its `number`-th version (1-based, clamped) with the others beside it.
    public func showingVersion(_ number: Int) -> Message {
        let all = allVersions
        let index = min(max(1, number), all.count) - 1
        var shown = all[index]
        shown.otherVersions = Array(all[..<index] + all[(index + 1)...])
        shown.version = index + 1
        return shown
    }

    /// `new` shown as the last version of this turn, every version so far kept beside it.
    public func addingVersion(_ new: Message) -> Message {
        var shown = new
        shown.otherVersions = allVersions
        shown.version = shown.otherVersions.count + 1
        return shown
    }

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
