import PonderCore

/// A reply whose reasoning was not what its think mode asked for: the user is told once a run,
/// plainly, since the switch evidently does not reach this model the way the backend's dialect
/// says (a backend that named no dialect promised nothing, so nothing is said).
enum ReasoningSurprise: Sendable, Hashable {
    /// Think was off, and a trace came all the same.
    case reasonedWhileOff
    /// Think was on, and the reply answered without any trace.
    case noReasoningWhileOn

    /// The surprise a finished reply holds, if any.
    init?(_ message: Message) {
        let reasoned = !(message.reasoning ?? "").isEmpty
        switch message.think {
        case .off where reasoned: self = .reasonedWhileOff
        case .on where !reasoned && !message.content.isEmpty: self = .noReasoningWhileOn
        default: return nil
        }
    }

    var text: String {
        switch self {
        case .reasonedWhileOff: return "the model reasoned although think is off: this model or server decides for itself"
        case .noReasoningWhileOn: return "think is on, but no reasoning arrived: this model or server may not reason"
        }
    }
}
