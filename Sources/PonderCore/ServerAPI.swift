/// Which wire protocol a server is spoken to in (`--api`).
public enum ServerAPI: String, Sendable, CaseIterable, Codable {
    /// `POST /v1/chat/completions` with server-sent events.
    case openAI = "openai"
    /// Ollama's native `POST /api/chat` with NDJSON.
    case ollama
    /// Anthropic's Messages API: `POST /v1/messages` with server-sent events, the key in `x-api-key`.
    case anthropic

    /// The API a server URL names by its host when `--api` does not say: `api.anthropic.com` is
    /// Anthropic's; nil for any other host.
    public static func detected(fromURL url: String) -> ServerAPI? {
        ServerAddress.host(url)?.lowercased() == "api.anthropic.com" ? .anthropic : nil
    }

    /// The environment variable the API key is read from when `--api-key-env` names none: the
    /// name Anthropic's own tools use (`ANTHROPIC_API_KEY`); nil for APIs that may need no key.
    public var defaultAPIKeyEnv: String? { self == .anthropic ? "ANTHROPIC_API_KEY" : nil }

    /// What a server of this API is, for error lines ("is URL an Ollama server?").
    public var serverDescription: String {
        switch self {
        case .openAI: return "an OpenAI-compatible server"
        case .ollama: return "an Ollama server"
        case .anthropic: return "an Anthropic Messages API server"
        }
    }
}
