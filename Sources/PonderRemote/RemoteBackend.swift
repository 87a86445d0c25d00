import PonderCore

/// Builds the backend that `--server` and `--api` ask for.
///
/// ```swift
/// let configuration = try RemoteConfiguration(
///     server: flags.server, apiModel: flags.apiModel, apiKeyEnv: flags.apiKeyEnv,
///     api: .openAI, dialect: DialectChoice(name: flags.thinkStyle) ?? .auto)
/// let backend = RemoteBackend.make(configuration)
/// ```
public enum RemoteBackend {
    /// ``OllamaBackend`` for `--api ollama` (Ollama's native API), ``OpenAIBackend`` for `--api openai`.
    public static func make(_ configuration: RemoteConfiguration) -> any ChatBackend {
        switch configuration.api {
        case .ollama: OllamaBackend(configuration: configuration)
        case .openAI: OpenAIBackend(configuration: configuration)
        }
    }
}
