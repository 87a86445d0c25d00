import Foundation
import PonderCore

/// A short message in the status bar that goes away by itself.
public struct Notice: Sendable, Equatable {
    public var text: String
    public var isError: Bool
    /// Uptime after which it disappears.
    public var until: Double
    /// A path after `text`; when the whole does not fit, the path loses its start (the file name
    /// matters most) and `text` stays.
    public var path: String? = nil
}
