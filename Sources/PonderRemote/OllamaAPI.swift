import AsyncHTTPClient
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import PonderCore

/// The Ollama API of a ``RemoteBackend`` (`--api ollama`): a model served by Ollama's native
/// `POST /api/chat` streaming NDJSON, with the trace in `message.thinking` and the switch in `think`.
///
/// `prepare()` takes the model from `apiModel` or the first of `GET /api/tags`, and asks
/// `POST /api/show` for its capabilities (no `think` is sent to a model without `thinking`, which
/// Ollama would refuse) and its `num_ctx`, when the Modelfile sets one.
///
/// Tested against NDJSON written from Ollama's documented types, not against a running Ollama.
final class OllamaAPI: RemoteAPI {
    struct Prepared: Sendable {
        var model: String
        var contextSize: Int?
        var supportsThinking: Bool?
    }

    let transport: HTTPTransport
    private let state = NIOLockedValueBox<Prepared?>(nil)

    init(transport: HTTPTransport) { self.transport = transport }

    func info() async throws -> BackendInfo {
        let prepared = try await prepare()
        let levels = OllamaWire.takesLevelsOnly(model: prepared.model)
        return BackendInfo(
            kind: .remote, model: prepared.model, serverURL: transport.configuration.displayURL,
            contextSize: prepared.contextSize, dialect: .ollamaThink,
            capabilities: ReasoningCapabilities(
                budget: false, effort: prepared.supportsThinking != false,
                canTurnOff: prepared.supportsThinking != false && !levels, prefill: false))
    }

    func prepare() async throws(BackendError) -> Prepared {
        let key = try transport.configuration.apiKey()
        var model = transport.configuration.apiModel
        if model == nil {
            let path = "/api/tags"
            let answer = try await transport.get(path, apiKey: key)
            guard answer.isSuccess else {
                if answer.status == 404 {
                    throw BackendError("server has no \(path) (HTTP 404): is \(transport.configuration.displayURL) an Ollama server?")
                }
                throw RemoteErrorText.http(status: answer.status, headers: answer.headers, body: answer.body,
                                           context: transport.context(path, key))
            }
            let tags = try? OpenAIWire.decoder().decode(OllamaWire.Tags.self, from: answer.body)
            guard let first = tags?.models?.first?.name else {
                throw BackendError("Ollama has no models (/api/tags is empty): pull one, or name one with --api-model")
            }
            model = first
        }
        let name = model ?? ""
        var prepared = Prepared(model: name)
        struct ShowBody: Encodable { var model: String }
        if let body = try? JSONEncoder().encode(ShowBody(model: name)),
           let answer = try? await transport.postJSON("/api/show", body: body, apiKey: key), answer.isSuccess,
           let show = try? OpenAIWire.decoder().decode(OllamaWire.Show.self, from: answer.body) {
            prepared.contextSize = show.contextSize
            prepared.supportsThinking = show.capabilities.map { $0.contains("thinking") }
        }
        state.withLockedValue { $0 = prepared }
        return prepared
    }

    func stream(_ request: ChatRequest, control: ReplyControl, yield: (ChatEvent) -> Void) async throws {
        let prepared: Prepared
        if let known = state.withLockedValue({ $0 }) { prepared = known } else { prepared = try await prepare() }
        let key = try transport.configuration.apiKey()
        let wire = OllamaWire.body(for: request, model: prepared.model, supportsThinking: prepared.supportsThinking)
        let body = try OpenAIWire.encoder().encode(wire)
        let path = "/api/chat"
        let response = try await transport.postStreaming(path, body: body, apiKey: key, accept: "application/x-ndjson")
        guard (200..<300).contains(Int(response.status.code)) else {
            throw await transport.httpError(response, path: path, apiKey: key)
        }
        var lines = JSONLinesParser()
        var decoder = OllamaStreamDecoder(contextSize: prepared.contextSize)
        do {
            for try await buffer in response.body {
                for line in try lines.feed(buffer.readableBytesView) {
                    for event in try decoder.decode(line: line) { yield(event) }
                }
            }
        } catch let error as BackendError {
            throw error
        } catch {
            if Task.isCancelled { throw CancellationError() }
            if decoder.isDone { return }
            for event in decoder.endOfBody().events { yield(event) }
            throw transport.failure(error, phase: .streaming, apiKey: key)
        }
        for line in lines.finish() {  // A torn last line is left to the "mid-reply" error below.
            guard let events = try? decoder.decode(line: line) else { break }
            for event in events { yield(event) }
        }
        let end = decoder.endOfBody()
        for event in end.events { yield(event) }
        if let error = end.error { throw error }
    }
}
