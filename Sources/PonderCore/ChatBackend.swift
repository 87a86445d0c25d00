import Foundation

/// The only thing the UI knows about a model.
///
/// ```swift
/// let info = try await backend.prepare()
/// for try await event in backend.reply(to: request) { ... }
/// ```
/// Cancelling the task that consumes the stream cancels generation.
public protocol ChatBackend: Sendable {
    /// Loads the model or contacts the server; returns what to show in the status bar.
    func prepare() async throws -> BackendInfo
    /// Streams the next assistant reply. Errors end the stream with a `BackendError`. `control`
    /// carries what the user asks of the reply while it streams (answer now).
    func reply(to request: ChatRequest, control: ReplyControl) -> AsyncThrowingStream<ChatEvent, any Error>
}

extension ChatBackend {
    /// A reply nobody will ask to answer early.
    public func reply(to request: ChatRequest) -> AsyncThrowingStream<ChatEvent, any Error> {
        reply(to: request, control: ReplyControl())
    }
}
