/// Which wire protocol a server is spoken to in (`--api`).
public enum ServerAPI: String, Sendable, CaseIterable, Codable {
    /// `POST /v1/chat/completions` with server-sent events.
    case openAI = "openai"
    /// Ollama's native `POST /api/chat` with NDJSON.
    case ollama
}
