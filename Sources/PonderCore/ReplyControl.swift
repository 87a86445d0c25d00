import Foundation

/// What the user can ask of a reply while it streams, besides stopping it (which is cancelling the
/// task that reads the stream): end the thinking and answer now (Ctrl-G).
///
/// One control goes with one reply. The UI calls ``answerNow()`` from its own thread; the backend
/// polls ``isAnswerNowRequested`` between tokens (the embedded engine) or registers a handler with
/// ``onAnswerNow(_:)`` to break off a network read (a server). Asking twice is asking once.
public final class ReplyControl: @unchecked Sendable {
    private let lock = NSLock()
    private var requested = false
    private var handlers: [@Sendable () -> Void] = []

    public init() {}

    /// Asks the model to close its trace and answer. Handlers run on the calling thread, once.
    public func answerNow() {
        lock.lock()
        guard !requested else { lock.unlock(); return }
        requested = true
        let run = handlers
        handlers = []
        lock.unlock()
        for handler in run { handler() }
    }

    public var isAnswerNowRequested: Bool {
        lock.lock()
        defer { lock.unlock() }
        return requested
    }

    /// Runs `handler` when the answer is asked for (at once, if it already was).
    public func onAnswerNow(_ handler: @escaping @Sendable () -> Void) {
        lock.lock()
        guard !requested else { lock.unlock(); handler(); return }
        handlers.append(handler)
        lock.unlock()
    }
}
