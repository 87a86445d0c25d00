import Foundation

/// A whole conversation: an optional system prompt and the turns that followed.
public struct Conversation: Sendable, Equatable {
    public var title: String
    public var systemPrompt: String?
    public var messages: [Message]
    public var created: Date
    public var updated: Date

    public init(
        title: String = "", systemPrompt: String? = nil, messages: [Message] = [],
        created: Date = Date(), updated: Date? = nil
    ) {
        self.title = title
        self.systemPrompt = systemPrompt
        self.messages = messages
        self.created = created
        self.updated = updated ?? created
    }

    /// A title derived from the first user message (first line, at most 60 characters).
    public var derivedTitle: String {
        if !title.isEmpty { return title }
        guard let first = messages.first(where: { $0.role == .user }) else { return "New conversation" }
        let line = first.content.split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? ""
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        return trimmed.count > 60 ? String(trimmed.prefix(59)) + "…" : (trimmed.isEmpty ? "New conversation" : trimmed)
    }
}
