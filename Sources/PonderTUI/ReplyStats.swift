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
    /// The trace's and the answer's own figures, when the reply had a trace.
    public var reasoning: Phase? = nil
    public var answer: Phase? = nil
    /// Seconds from sending to the first token of the answer (after the trace).
    public var timeToFirstAnswerToken: Double? = nil

    /// Tokens, seconds and speed of one phase of a reply (thinking, or answering).
    public struct Phase: Sendable, Equatable {
        public var tokens: Int
        public var seconds: Double
        public var tokensPerSecond: Double?

        /// `212 tok 4.1 s 51.7/s` (the speed only when there is one).
        public var figure: String {
            var text = briefFigure
            if let tokensPerSecond { text += String(format: " %.1f/s", tokensPerSecond) }
            return text
        }

        /// `212 tok 4.1 s` (under a second: `0.04 s`).
        public var briefFigure: String {
            "\(tokens) tok " + String(format: seconds < 0.95 ? "%.2f s" : "%.1f s", seconds)
        }
    }

    /// The phases of a finished message: both when it reasoned and answered, else none.
    static func phases(of message: Message) -> (reasoning: Phase, answer: Phase)? {
        guard let thinkTokens = message.reasoningTokens, let thinkSeconds = message.reasoningDuration,
              let answerTokens = message.contentTokens, let answerSeconds = message.answerDuration
        else { return nil }
        return (Phase(tokens: thinkTokens, seconds: thinkSeconds, tokensPerSecond: message.reasoningTokensPerSecond),
                Phase(tokens: answerTokens, seconds: answerSeconds, tokensPerSecond: message.answerTokensPerSecond))
    }

    /// `prompt +23 (150 cached)`, or `prompt +173` when nothing came from the cache.
    public var promptFigure: String? {
        guard let promptEvaluated else { return nil }
        let cached = promptCached ?? 0
        return "prompt +\(promptEvaluated)" + (cached > 0 ? " (\(cached) cached)" : "")
    }
}
