import ArgumentParser
import Foundation
import PonderCore
import PonderEngine
import PonderRemote

/// The backend a resolved configuration names, for `ponder chat` and `ponder ask`.
enum BackendFactory {
    /// The backend, how the status bar calls it while it starts, and a warning for the user
    /// (an API key allowed over plain http).
    ///
    /// A server is spoken to in the API its configuration names: OpenAI-compatible
    /// `/v1/chat/completions`, or Ollama's native `/api/chat`.
    static func make(
        _ backend: ResolvedConfig.Backend, contextSize: Int, threads: Int?
    ) throws -> (backend: any ChatBackend, label: String, warning: String?) {
        switch backend {
        case .server(let server):
            let configuration: RemoteConfiguration
            do {
                let seconds = server.deadline.value ?? RemoteConfiguration.Timeouts.defaultReplySeconds
                configuration = try RemoteConfiguration(
                    server: server.url.value, api: server.api.value, apiModel: server.model.value,
                    apiKeyEnv: server.apiKeyEnv.value, dialect: server.thinkStyle.value,
                    timeouts: RemoteConfiguration.Timeouts(reply: .seconds(seconds)),
                    allowInsecure: server.allowInsecure.value)
            } catch {
                throw ValidationError(error.description)
            }
            return (RemoteBackend(configuration: configuration), ServerAddress.hostPort(configuration.displayURL),
                    configuration.insecureWarning)
        case .embedded(let modelPath):
            guard FileManager.default.fileExists(atPath: modelPath) else {
                throw ValidationError(
                    "\(modelPath): no such model file (give --model FILE.gguf, or run `make run` to fetch the default)")
            }
            let backend = EmbeddedBackend(modelPath: modelPath, contextSize: contextSize, threads: threads)
            return (backend, URL(fileURLWithPath: modelPath).lastPathComponent, nil)
        }
    }
}
