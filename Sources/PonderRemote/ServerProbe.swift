import Foundation
import PonderCore

/// The small requests `prepare()` makes to learn what a server is and what it serves.
///
/// Only `/v1/models` can fail `prepare()` (the server is unreachable, or refuses the key); every other
/// probe is optional and answers nil when the server lacks the endpoint.
struct ServerProbe: Sendable {
    let transport: HTTPTransport
    let apiKey: String?

    struct Models: Sendable {
        /// The decoded list, when the server has one.
        var list: OpenAIWire.ModelList?
        /// The HTTP status when the list could not be had.
        var status: Int?
        /// The `Server` header (llama-server says `llama.cpp`).
        var serverHeader: String?
    }

    /// `GET /v1/models`.
    /// - Throws: when the server cannot be reached, or refuses the key (401/403).
    func models() async throws(BackendError) -> Models {
        let path = "/v1/models"
        let answer = try await transport.get(path, apiKey: apiKey)
        let server = RemoteErrorText.header("server", in: answer.headers)
        if answer.status == 401 || answer.status == 403 {
            throw RemoteErrorText.http(status: answer.status, headers: answer.headers, body: answer.body,
                                       context: transport.context(path, apiKey))
        }
        guard answer.isSuccess else { return Models(list: nil, status: answer.status, serverHeader: server) }
        let list = try? OpenAIWire.decoder().decode(OpenAIWire.ModelList.self, from: answer.body)
        return Models(list: list, status: list == nil ? answer.status : nil, serverHeader: server)
    }

    /// llama-server's `GET /props`, or nil from any other server.
    func llamaProps() async -> OpenAIWire.Props? {
        guard let answer = try? await transport.get("/props", apiKey: apiKey), answer.isSuccess,
              let props = try? OpenAIWire.decoder().decode(OpenAIWire.Props.self, from: answer.body),
              props.defaultGenerationSettings != nil || props.chatTemplate != nil
        else { return nil }
        return props
    }

    /// Whether `GET /api/version` answers like Ollama (`{"version": "0.12.6"}`).
    func isOllama() async -> Bool {
        struct Version: Decodable { var version: String }
        guard let answer = try? await transport.get("/api/version", apiKey: apiKey), answer.isSuccess else { return false }
        return (try? JSONDecoder().decode(Version.self, from: answer.body)) != nil
    }

    /// llama-server: renders a one-turn prompt with `enable_thinking` true and false
    /// (`POST /apply-template`): whether the two prompts differ (the template honours the switch),
    /// and whether the prompt ends inside an open `<think>` (the template opens the trace). Nil
    /// when the server cannot say.
    func probeTemplate(model: String) async -> (honoursEnableThinking: Bool, opensThink: Bool)? {
        struct Body: Encodable {
            struct Message: Encodable { var role = "user", content = "Hi" }
            var model: String
            var messages = [Message()]
            var chat_template_kwargs: [String: Bool]
        }
        func render(_ on: Bool) async -> String? {
            guard let body = try? JSONEncoder().encode(Body(model: model, chat_template_kwargs: ["enable_thinking": on])),
                  let answer = try? await transport.postJSON("/apply-template", body: body, apiKey: apiKey), answer.isSuccess
            else { return nil }
            return (try? JSONDecoder().decode(OpenAIWire.AppliedTemplate.self, from: answer.body))?.prompt
        }
        guard let on = await render(true), let off = await render(false) else { return nil }
        let open = on.range(of: "<think>", options: .backwards)
        let close = on.range(of: "</think>", options: .backwards)
        let opensThink = open.map { open in close.map { $0.lowerBound < open.lowerBound } ?? true } ?? false
        return (on != off, opensThink)
    }
}
