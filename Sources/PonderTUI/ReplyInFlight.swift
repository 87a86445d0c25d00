import Foundation
import PonderCore

/// The reply being streamed.
struct ReplyInFlight: Sendable, Equatable {
    var id: Int
    var messageIndex: Int
    var started: Double
    var firstToken: Double?
    var reasoningStart: Double?
    /// The last reasoning token: the trace's duration runs from the first to this one.
    var reasoningLast: Double?
    var reasoningEnd: Double?
    /// The first answer token.
    var answerStart: Double?
    /// Ctrl-G was pressed and sent on: the trace is being closed.
    var answerNowSent = false
    var lastToken: Double?
    var reasoningDeltas = 0
    var contentDeltas = 0
    var usage: Usage?
    /// What the backend said about this reply (older turns left out, say): still shown when the
    /// reply ends, ahead of how it ended.
    var backendNotice: String?
    /// Prompt evaluation so far (`ChatEvent.progress`): the embedded engine re-reading a long
    /// history before the first token.
    var prefillDone = 0
    var prefillTotal = 0
}
