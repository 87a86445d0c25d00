/// Sent messages, recalled with Up/Down (the text being typed is kept as a draft).
public struct InputHistory: Sendable, Equatable {
    public private(set) var entries: [String] = []
    private var position: Int? = nil
    private var draft: String = ""

    public init(_ entries: [String] = []) { self.entries = entries }

    public mutating func record(_ entry: String) {
        if entries.last != entry { entries.append(entry) }
        position = nil
        draft = ""
    }

    /// The entry before the one shown (or the newest), or nil at the oldest.
    public mutating func previous(current: String) -> String? {
        guard !entries.isEmpty else { return nil }
        let next: Int
        if let position {
            guard position > 0 else { return nil }
            next = position - 1
        } else {
            draft = current
            next = entries.count - 1
        }
        position = next
        return entries[next]
    }

    /// The entry after the one shown, the draft after the newest, or nil when not browsing.
    public mutating func next() -> String? {
        guard let position else { return nil }
        if position + 1 < entries.count {
            self.position = position + 1
            return entries[position + 1]
        }
        self.position = nil
        return draft
    }

    public mutating func stopBrowsing() { position = nil }
}
