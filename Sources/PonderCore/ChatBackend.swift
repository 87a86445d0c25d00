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
    /// Streams the next assistant reply. Errors end the stream with a `BackendError`.
    func reply(to request: ChatRequest) -> AsyncThrowingStream<ChatEvent, any Error>
}
