import Foundation
import PonderCore

/// The chat's settings: what the flags and the configuration file say when it starts; `/budget`
/// and `/sampler` change some of them during the chat.
public struct ChatSettings: Sendable, Equatable {
    /// The system prompt a new conversation starts with.
    public var systemPrompt: String?
    /// What the user set (flags, config, `/sampler`); the rest is the model's or the server's.
    public var sampler: SamplerSettings
    /// Where each value in `sampler` came from.
    public var samplerSources: [SamplerField: SamplerSource]
    /// Stop a reply that falls into a loop.
    public var loopGuard: Bool
    public var maxTokens: Int?
    /// Reasoning token budget sent with think-on requests, when set.
    public var thinkBudget: Int?
    /// `reasoning_effort` (`low`, `medium`, `high`) sent with think-on requests to servers that take one.
    public var thinkEffort: String?
    /// What the status bar says while the backend connects or loads (`127.0.0.1:8080`).
    public var backendLabel: String
    /// Whether earlier traces go back to the model (`/context`); nil: as the model's template does.
    public var contextPolicy: ContextPolicy? = nil

    /// How much the next think-on reply thinks, as the status bar says it: `≤16 tok`, `high`.
    var thinkAmountLabel: String? {
        if let thinkBudget { return "≤\(thinkBudget) tok" }
        return thinkEffort
    }

    public init(
        systemPrompt: String? = nil, sampler: SamplerSettings = SamplerSettings(),
        samplerSources: [SamplerField: SamplerSource] = [:], loopGuard: Bool = true, maxTokens: Int? = nil,
        thinkBudget: Int? = nil, thinkEffort: String? = nil, backendLabel: String = ""
    ) {
        self.thinkEffort = thinkEffort
        self.systemPrompt = systemPrompt
        self.sampler = sampler
        self.samplerSources = samplerSources
        self.loopGuard = loopGuard
        self.maxTokens = maxTokens
        self.thinkBudget = thinkBudget
        self.backendLabel = backendLabel
    }
}
