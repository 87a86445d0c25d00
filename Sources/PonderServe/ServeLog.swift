import Foundation
import NIOConcurrencyHelpers

/// Where `ponder serve` reports what it does, one line per event: requests, queue positions,
/// prompt-cache use, disconnects. Standard error by default; tests may keep the lines.
public struct ServeLog: Sendable {
    private let sink: @Sendable (String) -> Void

    public init(_ sink: @escaping @Sendable (String) -> Void) { self.sink = sink }

    /// Lines to standard error, each written whole (one `write` per line).
    public static let standardError = ServeLog { line in
        let data = Data(("ponder serve: " + line + "\n").utf8)
        ServeLog.lock.withLock { FileHandle.standardError.write(data) }
    }

    private static let lock = NIOLock()

    public func callAsFunction(_ line: String) { sink(line) }
}
