import Foundation

/// Whether the model was asked to reason before answering.
public enum ThinkMode: String, Sendable, Codable, CaseIterable {
    case on, off

    public var toggled: ThinkMode { self == .on ? .off : .on }
}
