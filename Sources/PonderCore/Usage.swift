import Foundation

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

    /// A token count from outside (a server's usage, timings): kept when it is a count a context
    /// could hold (0...2³¹−1), dropped (nil) otherwise, so sums and differences of counts never
    /// overflow. A speed: kept when finite and not negative.
    public static func count(_ value: Int?) -> Int? {
        guard let value, (0...Int(Int32.max)).contains(value) else { return nil }
        return value
    }

    public static func rate(_ value: Double?) -> Double? {
        guard let value, value.isFinite, value >= 0 else { return nil }
        return value
    }

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
