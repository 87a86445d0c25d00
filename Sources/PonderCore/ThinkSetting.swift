import Foundation

/// How much the model should reason for the next reply.
public struct ThinkSetting: Sendable, Equatable {
    public var mode: ThinkMode
    /// Maximum reasoning tokens; when reached, the trace is closed and the model answers.
    public var budget: Int?
    /// A `reasoning_effort` string (`low`, `medium`, `high`) for servers that take one.
    public var effort: String?

    /// The levels `effort` takes, least first.
    public static let effortLevels = ["low", "medium", "high"]

    /// The token budget an effort level stands for where a model has no effort setting of its own
    /// (the embedded engine, llama-server): `low` 256, `medium` 1024, `high` 4096 tokens.
    public static func budget(forEffort effort: String) -> Int? {
        switch effort {
        case "low": return 256
        case "medium": return 1024
        case "high": return 4096
        default: return nil
        }
    }

    /// The budget a backend without effort levels enforces: the explicit one, else the effort's.
    public var effectiveBudget: Int? { budget ?? effort.flatMap(Self.budget(forEffort:)) }

    public init(mode: ThinkMode, budget: Int? = nil, effort: String? = nil) {
        self.mode = mode
        self.budget = budget
        self.effort = effort
    }
}
