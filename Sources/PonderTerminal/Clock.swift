import Foundation
import PonderTUI

#if canImport(Glibc)
import Glibc
#endif

/// The clocks the loop stamps events with.
enum Clock {
    /// Seconds on the monotonic clock.
    static func uptime() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    static func moment() -> Moment { Moment(uptime: uptime(), date: Date()) }
}
