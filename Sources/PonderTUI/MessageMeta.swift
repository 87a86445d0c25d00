import Foundation
import PonderCore

/// What the view remembers about a message besides the message itself.
struct MessageMeta: Sendable, Equatable {
    /// Stable identity for the layout cache (never reused).
    var id: Int
    /// Bumped on every change of the reasoning or the content, so cached lines are re-made.
    var reasoningRevision = 0
    var contentRevision = 0
    /// The user's fold choice for the thinking block; nil follows the default (expanded while the
    /// model thinks, folded once the answer starts).
    var expanded: Bool? = nil
}
