import Foundation

/// How much the model should reason for the next reply.
public struct ThinkSetting: Sendable, Equatable {
    public var mode: ThinkMode
    /// Maximum reasoning tokens; when reached, the trace is closed and the model answers.
    public var budget: Int?
    /// A `reasoning_effort` string (`low`, `medium`, `high`) for servers that take one.
    public var effort: String?

    public init(mode: ThinkMode, budget: Int? = nil, effort: String? = nil) {
        self.mode = mode
        self.budget = budget
        self.effort = effort
    }
}

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

/// Token counts and speeds for one reply, as far as the backend knows them.
public struct Usage: Sendable, Equatable {
    public var promptTokens: Int?
    /// Prompt tokens actually evaluated (the rest came from a cache).
    public var promptTokensEvaluated: Int?
    public var completionTokens: Int?
    public var reasoningTokens: Int?
    /// Prompt evaluation and generation speeds, tokens per second.
    public var promptTokensPerSecond: Double?
    public var tokensPerSecond: Double?
    /// The model's context window and how much of it the conversation now fills.
    public var contextSize: Int?
    public var contextUsed: Int?

    public init(
        promptTokens: Int? = nil, promptTokensEvaluated: Int? = nil, completionTokens: Int? = nil,
        reasoningTokens: Int? = nil, promptTokensPerSecond: Double? = nil, tokensPerSecond: Double? = nil,
        contextSize: Int? = nil, contextUsed: Int? = nil
    ) {
        self.promptTokens = promptTokens
        self.promptTokensEvaluated = promptTokensEvaluated
        self.completionTokens = completionTokens
        self.reasoningTokens = reasoningTokens
        self.promptTokensPerSecond = promptTokensPerSecond
        self.tokensPerSecond = tokensPerSecond
        self.contextSize = contextSize
        self.contextUsed = contextUsed
    }
}

/// Why a reply ended.
public enum FinishReason: String, Sendable, Equatable {
    /// The model ended its turn.
    case stop
    /// The token limit was reached.
    case length
    /// The consumer cancelled (Esc).
    case cancelled
    /// The reply fell into a loop and the loop guard stopped it.
    case repetition
}

/// One event of a streamed reply.
public enum ChatEvent: Sendable, Equatable {
    /// More reasoning-trace text.
    case reasoning(String)
    /// More answer text.
    case content(String)
    /// Counts and speeds; may arrive more than once, the latest wins.
    case usage(Usage)
    /// The thinking budget was reached: the trace was closed and the model now answers.
    case budgetHit
    /// Prompt evaluation progress (re-prefilling a long history), `done` of `total` tokens.
    case progress(done: Int, total: Int)
    /// Something the user should know that does not stop the reply (e.g. old turns dropped).
    case notice(String)
    /// The sampler settings the reply is generated with, every one the backend knows (the embedded
    /// engine: all of them, the seed it drew included). Sent once, before the first token.
    case sampler(SamplerSettings)
    /// The reply ended; always the last event of a successful stream.
    case finished(FinishReason)
}

/// What the UI shows about a backend.
public struct BackendInfo: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable { case embedded, remote }
    public var kind: Kind
    /// Model name (file name for the embedded engine, id for a server).
    public var model: String
    /// Server URL without credentials (remote only).
    public var serverURL: String?
    /// Context window in tokens, when known.
    public var contextSize: Int?
    /// How reasoning on/off is spoken to this model; nil when not known (a transcript that did
    /// not record it).
    public var dialect: ReasoningDialect?
    /// What the backend can do with the reasoning (budget, effort, switching it off, prefill).
    public var capabilities: ReasoningCapabilities
    /// The sampler settings the backend uses where the user sets none, per think mode, with their
    /// sources (GGUF, family table, default). Empty when the server decides.
    public var samplerDefaults: [ThinkMode: SamplerProfile]

    public init(
        kind: Kind, model: String, serverURL: String? = nil, contextSize: Int? = nil, dialect: ReasoningDialect? = nil,
        capabilities: ReasoningCapabilities = ReasoningCapabilities(), samplerDefaults: [ThinkMode: SamplerProfile] = [:]
    ) {
        self.kind = kind
        self.model = model
        self.serverURL = serverURL
        self.contextSize = contextSize
        self.dialect = dialect
        self.capabilities = capabilities
        self.samplerDefaults = samplerDefaults
    }
}

/// A failure a backend reports, as one readable line.
public struct BackendError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The only thing the UI knows about a model.
///
/// ```swift
/// let info = try await backend.prepare()
/// for try await event in backend.reply(to: request) { ... }
/// ```
/// Cancelling the task that consumes the stream cancels generation.
public protocol ChatBackend: Sendable {
    /// Loads the model or contacts the server; returns what to show in the status bar.
    func prepare() async throws -> BackendInfo
    /// Streams the next assistant reply. Errors end the stream with a `BackendError`.
    func reply(to request: ChatRequest) -> AsyncThrowingStream<ChatEvent, any Error>
}
