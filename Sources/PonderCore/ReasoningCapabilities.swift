/// What a backend can do with a model's reasoning, known once it is ready, so the UI can say what
/// a setting will do before a reply starts.
public struct ReasoningCapabilities: Sendable, Equatable {
    /// A thinking budget in tokens is enforced (the embedded engine; llama-server's
    /// `thinking_budget_tokens`).
    public var budget: Bool
    /// Effort levels (`low`/`medium`/`high`) reach the model.
    public var effort: Bool
    /// Reasoning can be switched off.
    public var canTurnOff: Bool
    /// The backend can continue from text it is given (the embedded engine): what ending a trace
    /// early, or forcing one open or closed, is built on.
    public var prefill: Bool
    /// A streaming trace can be ended and answered at once (Ctrl-G): the embedded engine, and
    /// llama-server through `/apply-template` and `/completion`. A client-side budget uses the same.
    public var answerNow: Bool

    /// What the user is told, once, when a budget is set for a backend without `budget`.
    public static let noBudgetNotice = "this server takes no thinking budget; the budget is not enforced"

    /// What the user is told when Ctrl-G cannot end this backend's trace early.
    public static let noAnswerNowNotice = "this server can't be interrupted mid-thought; the reply was stopped (Esc does the same)"

    public init(
        budget: Bool = false, effort: Bool = false, canTurnOff: Bool = true, prefill: Bool = false, answerNow: Bool = false
    ) {
        self.answerNow = answerNow
        self.budget = budget
        self.effort = effort
        self.canTurnOff = canTurnOff
        self.prefill = prefill
    }
}
