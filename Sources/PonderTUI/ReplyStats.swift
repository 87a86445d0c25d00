import Foundation
import PonderCore

/// Speed figures of the last finished reply, for the status bar.
public struct ReplyStats: Sendable, Equatable {
    public var tokensPerSecond: Double?
    public var timeToFirstToken: Double?
    public var contextUsed: Int?
    public var contextSize: Int?
    /// Prompt tokens the backend evaluated for the reply, and how many it took from its cache
    /// instead (a follow-up message costs its own tokens, not the history).
    public var promptEvaluated: Int? = nil
    public var promptCached: Int? = nil

    /// `prompt +23 (150 cached)`, or `prompt +173` when nothing came from the cache.
    public var promptFigure: String? {
        guard let promptEvaluated else { return nil }
        let cached = promptCached ?? 0
        return "prompt +\(promptEvaluated)" + (cached > 0 ? " (\(cached) cached)" : "")
    }
}
