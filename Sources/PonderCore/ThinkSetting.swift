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
