import Foundation
import PonderCore

/// Search (`Search`): opening it, typing the query, moving between hits, leaving it.
extension ChatState {
    /// Ctrl-F: type a query (again, when a search is open).
    mutating func openSearch() {
        if search != nil {
            search?.editing = true
        } else {
            search = Search(query: "", editing: true)
        }
    }

    /// `/search TEXT`, or Enter on a typed query: find every hit and go to the last one (the
    /// most recent); `N` walks back from there.
    mutating func startSearch(_ query: String, in view: ChatView) -> [Effect] {
        var found = Search(query: query, editing: false)
        found.hits = Search.hits(of: query, in: conversation.messages)
        found.messagesWithHits = Set(found.hits.map(\.message))
        guard !found.hits.isEmpty else {
            search = nil
            show("no match for “\(query)” in the answers or the traces", seconds: 4)
            return []
        }
        found.current = found.hits.count - 1
        search = found
        goToCurrentHit(in: view)
        return []
    }

    /// Keys while search is open; nil lets the key do its usual work (and closes the search).
    mutating func searchKey(_ action: Action, at moment: Moment, in view: ChatView) -> [Effect]? {
        guard let current = search else { return nil }
        if current.editing {
            switch action {
            case .send:
                if current.query.isEmpty { search = nil; return [] }
                return startSearch(current.query, in: view)
            case .stop, .interrupt:
                search = nil
                return []
            case .backspace:
                if !current.query.isEmpty { search?.query.removeLast() }
                return []
            case .killToLineStart, .killWordBackward:
                search?.query = ""
                return []
            default:
                return []
            }
        }
        switch action {
        case .send: moveHit(by: 1, in: view)
        case .newline: moveHit(by: -1, in: view)  // Shift-Enter arrives as the newline key
        case .search: search?.editing = true
        case .stop:
            search = nil
        default:
            search = nil
            return nil
        }
        return []
    }

    /// `n`, `N` while moving between hits; other text closes the search and is typed.
    mutating func searchText(_ text: String, at moment: Moment, in view: ChatView) -> [Effect] {
        switch text {
        case "n": moveHit(by: 1, in: view)
        case "N": moveHit(by: -1, in: view)
        default:
            search = nil
            history.stopBrowsing()
            input.insert(text)
        }
        return []
    }

    private mutating func moveHit(by step: Int, in view: ChatView) {
        guard var found = search, let current = found.current, !found.hits.isEmpty else { return }
        found.current = (current + step + found.hits.count) % found.hits.count
        search = found
        goToCurrentHit(in: view)
    }

    /// Unfolds the trace holding the current hit and scrolls its line into view.
    private mutating func goToCurrentHit(in view: ChatView) {
        guard let hit = search?.currentHit else { return }
        if hit.inTrace { editMessage(hit.message) { _, meta in meta.expanded = true } }
        let line = view.layout.currentHitLine(self, width: ScreenRegions(self).width) ?? 0
        reveal(message: hit.message, line: line, in: view)
    }
}
