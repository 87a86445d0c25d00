import Foundation

/// Everything a backend needs to produce the next assistant reply.
public struct ChatRequest: Sendable, Equatable {
    public var systemPrompt: String?
    /// The conversation so far, ending with the user turn to answer.
    public var messages: [Message]
    public var think: ThinkSetting
    public var sampler: SamplerSettings
    public var maxTokens: Int?
    /// Whether earlier assistant traces go back to the model; nil: as its template does.
    public var pastReasoning: ContextPolicy?
    /// Stop the reply when it falls into a loop (``RepetitionGuard``); on unless the user turns it off.
    public var loopGuard: Bool

    public init(
        systemPrompt: String? = nil, messages: [Message], think: ThinkSetting,
        sampler: SamplerSettings = SamplerSettings(), maxTokens: Int? = nil, pastReasoning: ContextPolicy? = nil,
        loopGuard: Bool = true
    ) {
        self.systemPrompt = systemPrompt
        self.messages = messages
        self.think = think
        self.sampler = sampler
        self.maxTokens = maxTokens
        self.pastReasoning = pastReasoning
        self.loopGuard = loopGuard
    }
}
