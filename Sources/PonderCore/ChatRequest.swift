import Foundation

/// Everything a backend needs to produce the next assistant reply.
public struct ChatRequest: Sendable, Equatable {
    public var systemPrompt: String?
    /// The conversation so far, ending with the user turn to answer.
    public var messages: [Message]
    public var think: ThinkSetting
    public var sampler: SamplerSettings
    public var maxTokens: Int?
    /// Re-send earlier assistant traces to the model (off by default, as the model cards advise).
    public var includePastReasoning: Bool
    /// Stop the reply when it falls into a loop (``RepetitionGuard``); on unless the user turns it off.
    public var loopGuard: Bool

    public init(
        systemPrompt: String? = nil, messages: [Message], think: ThinkSetting,
        sampler: SamplerSettings = SamplerSettings(), maxTokens: Int? = nil, includePastReasoning: Bool = false,
        loopGuard: Bool = true
    ) {
        self.systemPrompt = systemPrompt
        self.messages = messages
        self.think = think
        self.sampler = sampler
        self.maxTokens = maxTokens
        self.includePastReasoning = includePastReasoning
        self.loopGuard = loopGuard
    }
}
