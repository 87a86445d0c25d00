/// Why a reasoning trace was closed before the model closed it itself: the model was made to
/// answer there, with the end-of-thinking marker written for it.
public enum TraceCut: String, Sendable, Equatable, CaseIterable {
    /// The thinking budget (`/think N`, or the budget an effort level stands for) ran out.
    case budget
    /// The user asked for the answer now (Ctrl-G).
    case answerNow = "answer-now"

    /// How a trace's header says it, after its duration and size.
    public var label: String {
        switch self {
        case .budget: return "budget reached"
        case .answerNow: return "cut short by Ctrl-G"
        }
    }
}
