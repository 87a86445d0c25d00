import Foundation

/// What `/model` switches between: the models on offer for one kind of backend, and a backend for
/// the one picked.
///
/// ```swift
/// let choices = try await catalog.choices()             // the picker's list
/// let next = try catalog.backend(named: "qwen3:1.7b")    // not loaded yet
/// let info = try await next.prepare()                    // loads it; the old backend stays until then
/// ```
/// The chat's effect runner uses it; the reducer only ever sees the choices and the result.
public protocol ModelCatalog: Sendable {
    /// The models on offer, in the order to show them.
    ///
    /// - Throws: a ``BackendError`` with one line saying where it looked and what went wrong (no
    ///   model at all is an error too, naming the folders or the endpoint).
    func choices() async throws -> [ModelChoice]

    /// A backend for model `name` (a ``ModelChoice/name``, or anything else the backend's own
    /// flag takes), not yet prepared.
    ///
    /// - Throws: a ``BackendError`` when the name stands for no model.
    func backend(named name: String) throws -> any ChatBackend
}
