import PonderCore

/// Turns a backend's async event producer into the `AsyncThrowingStream` of `ChatBackend.reply`.
///
/// The producer runs in its own task and yields events as they are decoded; the stream finishes
/// when it returns, or with its error. When the consumer stops listening (the user pressed Esc),
/// the task is cancelled, and the error a cancelled transfer throws is not reported: a stop is
/// not a failure.
///
/// With `loopGuard`, every streamed piece of trace or answer goes through a ``RepetitionGuard``
/// (a server sends about one token per piece); when it fires, the transfer is abandoned and the
/// stream ends with `.finished(.repetition)`.
enum ReplyStream {
    static func run(
        loopGuard: Bool = true,
        _ produce: @escaping @Sendable (_ yield: (ChatEvent) -> Void) async throws -> Void
    ) -> AsyncThrowingStream<ChatEvent, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                var repetition = RepetitionGuard()
                var looped = false
                do {
                    try await produce { event in
                        guard !looped else { return }
                        continuation.yield(event)
                        guard loopGuard else { return }
                        switch event {
                        case .reasoning(let piece), .content(let piece):
                            if repetition.observe(piece: piece) {
                                looped = true
                                continuation.yield(.finished(.repetition))
                                // Abandons the transfer: the client throws at its next read.
                                withUnsafeCurrentTask { $0?.cancel() }
                            }
                        default:
                            break
                        }
                    }
                    continuation.finish()
                } catch {
                    if Task.isCancelled { continuation.finish() } else { continuation.finish(throwing: error) }
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
