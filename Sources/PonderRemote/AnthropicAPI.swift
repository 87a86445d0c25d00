import Foundation
import NIOConcurrencyHelpers
import NIOCore
import PonderCore

/// The Anthropic API of a ``RemoteBackend`` (`--api anthropic`, or a server at `api.anthropic.com`):
/// Claude behind `POST /v1/messages`, streamed as server-sent events, the key in `x-api-key`
/// (``HTTPTransport`` adds it and `anthropic-version`).
///
/// `prepare()` asks `GET /v1/models` (which also checks the key early) for the model, unless
/// `apiModel` names one: the API lists its newest model first. Ctrl-T is Anthropic's extended
/// thinking (``AnthropicWire/body(for:model:)``): a budget, never a mid-thought answer (Ctrl-G stops
/// the reply). The trace's signed and redacted thinking blocks come back as
/// ``ChatEvent/sealedReasoning(_:)`` and go out again with their turn in later requests.
///
/// Tested against event streams written from Anthropic's documentation (`Tests/Fixtures/anthropic`),
/// not against the live API.
final class AnthropicAPI: RemoteAPI {
    struct Prepared: Sendable {
        var model: String
    }

    let transport: HTTPTransport
    private let state = NIOLockedValueBox<Prepared?>(nil)

    init(transport: HTTPTransport) { self.transport = transport }

    /// Thinking has a budget (`budget_tokens`) and effort levels that stand for budgets; it can be
    /// left off; a trace cannot be ended early and answered.
    static let capabilities = ReasoningCapabilities(budget: true, effort: true, canTurnOff: true, prefill: false, answerNow: false)

    func info() async throws -> BackendInfo {
        let prepared = try await prepare()
        return BackendInfo(
            kind: .remote, model: prepared.model, serverURL: transport.configuration.displayURL,
            dialect: .anthropicThinking, capabilities: Self.capabilities)
    }

    func prepare() async throws(BackendError) -> Prepared {
        let configuration = transport.configuration
        let key = try configuration.apiKey()
        let models = try await ServerProbe(transport: transport, apiKey: key).models()
        guard let model = configuration.apiModel ?? models.list?.data?.first?.id else {
            let why = models.status.map { "(HTTP \($0))" } ?? "(it lists none)"
            throw BackendError("the server named no model at /v1/models \(why): name one with --api-model, e.g. claude-sonnet-4-5")
        }
        let prepared = Prepared(model: model)
        state.withLockedValue { $0 = prepared }
        return prepared
    }

    func stream(_ request: ChatRequest, control: ReplyControl, yield: (ChatEvent) -> Void) async throws {
        let prepared: Prepared
        if let known = state.withLockedValue({ $0 }) { prepared = known } else { prepared = try await prepare() }
        let key = try transport.configuration.apiKey()
        let built = try AnthropicWire.body(for: request, model: prepared.model)
        let path = "/v1/messages"
        let response = try await transport.postStreaming(
            path, body: try OpenAIWire.encoder().encode(built.body), apiKey: key, accept: "text/event-stream")
        guard (200..<300).contains(Int(response.status.code)) else {
            throw await transport.httpError(response, path: path, apiKey: key)
        }
        for notice in built.notices { yield(.notice(notice)) }
        var parser = SSEParser()
        var decoder = AnthropicStreamDecoder()
        do {
            for try await buffer in response.body {
                for event in try parser.feed(buffer.readableBytesView) {
                    for chatEvent in try decoder.decode(event) { yield(chatEvent) }
                }
            }
        } catch let error as BackendError {
            throw error
        } catch {
            if Task.isCancelled { throw CancellationError() }
            if decoder.isDone { return }  // The reply was complete; only the connection's end failed.
            for event in decoder.endOfBody().events { yield(event) }
            throw transport.failure(error, phase: .streaming, apiKey: key)
        }
        // A body that ended inside an event: what is complete counts, a torn last event does not
        // (the error below says the stream was cut).
        for event in parser.finish() {
            guard let events = try? decoder.decode(event) else { break }
            for chatEvent in events { yield(chatEvent) }
        }
        let end = decoder.endOfBody()
        for event in end.events { yield(event) }
        if let error = end.error { throw error }
    }
}
