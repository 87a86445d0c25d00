import Foundation

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
