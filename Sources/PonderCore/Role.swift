import Foundation

/// Who wrote a message.
public enum Role: String, Sendable, Codable, CaseIterable {
    case system, user, assistant
}
