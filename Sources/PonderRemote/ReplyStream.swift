import PonderCore

/// Turns a backend's async event producer into the `AsyncThrowingStream` of `ChatBackend.reply`.
///
/// The producer runs in its own task and yields events as they are decoded; the stream finishes
/// when it returns, or with its error. When the consumer stops listening (the user pressed Esc),
/// the task is cancelled, and the error a cancelled transfer throws is not reported: a stop is
/// not a failure.
enum ReplyStream {
    static func run(
        _ produce: @escaping @Sendable (_ yield: (ChatEvent) -> Void) async throws -> Void
    ) -> AsyncThrowingStream<ChatEvent, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    try await produce { continuation.yield($0) }
                    continuation.finish()
                } catch {
                    if Task.isCancelled { continuation.finish() } else { continuation.finish(throwing: error) }
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
