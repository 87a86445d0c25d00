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
            let backend: EmbeddedBackend
            do {
                backend = try embedded(name, contextSize: contextSize, threads: threads)
            } catch {
                throw ValidationError("\(error) (give --model FILE.gguf, an Ollama name such as qwen3:1.7b, or ORG/REPO "
                    + "from the Hugging Face cache; `ponder models` lists what is here; `make run` fetches the default)")
            }
            return (backend, backend.modelName ?? URL(fileURLWithPath: backend.modelPath).lastPathComponent, nil)
        }
    }

    /// The embedded engine on model `name`: a path, or a model Ollama or the Hugging Face cache
    /// already has (`ponder models`), called by that name. Not loaded yet.
    static func embedded(_ name: String, contextSize: Int, threads: Int?) throws(ModelLocator.LookupError) -> EmbeddedBackend {
        let modelPath = try ModelLocator(environment: ProcessInfo.processInfo.environment).resolve(name).path
        let named = FileManager.default.fileExists(atPath: name) ? nil : name
        return EmbeddedBackend(modelPath: modelPath, contextSize: contextSize, threads: threads, modelName: named)
    }

    /// What `/model` offers beside `backend`: the models `ponder models` lists for the embedded
    /// engine (loaded with the same `--ctx` and `--threads`), a server's own list for a server
    /// (the same server, key and settings, another `--api-model`).
    static func catalog(for backend: any ChatBackend, contextSize: Int, threads: Int?) -> any ModelCatalog {
        if let remote = backend as? RemoteBackend { return ServerModelCatalog(configuration: remote.configuration) }
        return EmbeddedModelCatalog(contextSize: contextSize, threads: threads)
    }
}
