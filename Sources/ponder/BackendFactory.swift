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
        case .embedded(let name):
            // A path, or a model Ollama or the Hugging Face cache already has (`ponder models`).
            let modelPath: String
            do {
                modelPath = try ModelLocator(environment: ProcessInfo.processInfo.environment).resolve(name).path
            } catch {
                throw ValidationError("\(error) (give --model FILE.gguf, an Ollama name such as qwen3:1.7b, or ORG/REPO "
                    + "from the Hugging Face cache; `ponder models` lists what is here; `make run` fetches the default)")
            }
            let named = FileManager.default.fileExists(atPath: name) ? nil : name
            let backend = EmbeddedBackend(modelPath: modelPath, contextSize: contextSize, threads: threads, modelName: named)
            return (backend, named ?? URL(fileURLWithPath: modelPath).lastPathComponent, nil)
        }
    }
}
