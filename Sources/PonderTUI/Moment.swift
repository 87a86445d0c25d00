import Foundation
import PonderCore

/// When an event happened: a monotonic clock for durations and the wall clock for dates.
public struct Moment: Sendable, Equatable {
    /// Seconds on a monotonic clock (only differences mean anything).
    public var uptime: Double
    public var date: Date

    public init(uptime: Double, date: Date) {
        self.uptime = uptime
        self.date = date
    }
}
