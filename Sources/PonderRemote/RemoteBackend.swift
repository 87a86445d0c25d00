import PonderCore

/// Builds the backend that `--server` and `--think-style` ask for.
///
/// ```swift
/// let configuration = try RemoteConfiguration(
///     server: flags.server, apiModel: flags.apiModel, apiKeyEnv: flags.apiKeyEnv,
///     thinkStyle: ThinkStyle(rawValue: flags.thinkStyle) ?? .auto)
/// let backend = RemoteBackend.make(configuration)
/// ```
public enum RemoteBackend {
    /// ``OllamaBackend`` for `--think-style ollama` (Ollama's native API), ``OpenAIBackend`` otherwise.
    public static func make(_ configuration: RemoteConfiguration) -> any ChatBackend {
        configuration.thinkStyle == .ollama
            ? OllamaBackend(configuration: configuration)
            : OpenAIBackend(configuration: configuration)
    }
}
