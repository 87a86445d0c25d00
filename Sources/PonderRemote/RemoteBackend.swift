import PonderCore

/// A model behind a server, in the API its configuration names (`--api`): OpenAI-compatible
/// `/v1/chat/completions` (``OpenAIAPI``), Ollama's native `/api/chat` (``OllamaAPI``) or
/// Anthropic's `/v1/messages` (``AnthropicAPI``).
///
/// ```swift
/// let backend = RemoteBackend(configuration: try RemoteConfiguration(server: "http://127.0.0.1:8080"))
/// let info = try await backend.prepare()          // model, context size, dialect, capabilities
/// for try await event in backend.reply(to: request) { … }
/// ```
///
/// What the APIs share lives here: one transport, `prepare()` learning the model once for every
/// copy of the backend, and each reply run through ``ReplyStream`` with the loop guard.
public struct RemoteBackend: ChatBackend {
    public let configuration: RemoteConfiguration
    let api: any RemoteAPI

    public init(configuration: RemoteConfiguration) {
        self.configuration = configuration
        let transport = HTTPTransport(configuration: configuration)
        switch configuration.api {
        case .openAI: api = OpenAIAPI(transport: transport)
        case .ollama: api = OllamaAPI(transport: transport)
        case .anthropic: api = AnthropicAPI(transport: transport)
        }
    }

    public func prepare() async throws -> BackendInfo { try await api.info() }

    public func reply(to request: ChatRequest, control: ReplyControl) -> AsyncThrowingStream<ChatEvent, any Error> {
        let api = self.api
        return ReplyStream.run(loopGuard: request.loopGuard) { yield in
            try await api.stream(request, control: control, yield: yield)
        }
    }

    /// How `--think-style auto` was resolved and why, once `prepare()` has run (OpenAI-compatible
    /// servers; Ollama's API has its one dialect).
    public var dialectResolution: ServerDialectResolver.Resolution? { (api as? OpenAIAPI)?.prepared?.resolution }
}

/// One server API: what `prepare()` learns (kept for the replies that follow) and how a request
/// goes out and its stream comes back as events.
protocol RemoteAPI: Sendable {
    /// Learns the model (once) and what the backend can do with it.
    func info() async throws -> BackendInfo
    /// Sends one request and yields its events; throws a ``BackendError`` when it fails. An API
    /// that cannot answer early (``ReasoningCapabilities/answerNow``) ignores `control`.
    func stream(_ request: ChatRequest, control: ReplyControl, yield: (ChatEvent) -> Void) async throws
}
