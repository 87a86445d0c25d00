import Foundation
import PonderCore

/// Finding text in the conversation (Ctrl-F, `/search TEXT`): every place the query occurs in an
/// answer or a trace, and which of them is current.
///
/// While `editing`, keys type the query (shown in the status bar); Enter runs it. Then `n`/`N`
/// (or Enter/Shift-Enter) move between the hits, wrapping around, Ctrl-F edits the query again,
/// Esc leaves. Matching ignores case. The hit a move lands on is scrolled into view, and a folded
/// trace that holds it is unfolded.
public struct Search: Sendable, Equatable {
    /// One occurrence: in which message, in its trace or its answer, and which occurrence there.
    public struct Hit: Sendable, Equatable {
        public var message: Int
        public var inTrace: Bool
        public var occurrence: Int
    }

    public var query: String
    public var editing: Bool
    public var hits: [Hit] = []
    /// Index into `hits`.
    public var current: Int? = nil
    /// The messages that hold a hit (their lines are drawn with the hits marked).
    public var messagesWithHits: Set<Int> = []

    /// Every occurrence of `query` in `messages`, top to bottom (a trace before its answer).
    static func hits(of query: String, in messages: [Message]) -> [Hit] {
        guard !query.isEmpty else { return [] }
        var hits: [Hit] = []
        for (index, message) in messages.enumerated() {
            for (text, inTrace) in [(message.reasoning ?? "", true), (message.content, false)] {
                for occurrence in 0..<occurrences(of: query, in: text) {
                    hits.append(Hit(message: index, inTrace: inTrace, occurrence: occurrence))
                }
            }
        }
        return hits
    }

    /// How many times `query` occurs in `text`, without overlaps, ignoring case.
    static func occurrences(of query: String, in text: String) -> Int {
        var count = 0
        var start = text.startIndex
        while let range = text.range(of: query, options: .caseInsensitive, range: start..<text.endIndex) {
            count += 1
            start = range.upperBound
            if range.isEmpty { break }
        }
        return count
    }

    /// The current hit.
    var currentHit: Hit? { current.map { hits[$0] } }

    /// `“spiders” 3/7`.
    var position: String {
        "“\(query)” " + (current.map { "\($0 + 1)/\(hits.count)" } ?? "no match")
    }
}
