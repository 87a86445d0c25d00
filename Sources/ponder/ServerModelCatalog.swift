import Foundation
import PonderCore
import PonderRemote

/// `/model` on a server: the models it lists (`GET /v1/models`, or Ollama's `GET /api/tags` with
/// `--api ollama`). The one picked is spoken to on the same server with the same key and settings,
/// as `--api-model` would name it.
struct ServerModelCatalog: ModelCatalog {
    var configuration: RemoteConfiguration

    func choices() async throws -> [ModelChoice] {
        try await ServerModelList.fetch(configuration).map { entry in
            var detail: [String] = []
            if let bytes = entry.bytes { detail.append(ModelSummary.bytes(bytes)) }
            if let parameters = entry.parameters {
                detail.append(Int(parameters).map { ModelSummary.count($0).prefix { $0 != "(" }.trimmingCharacters(in: .whitespaces) }
                    ?? parameters)
            }
            if let quantization = entry.quantization { detail.append(quantization) }
            if let context = entry.contextSize { detail.append("ctx \(context)") }
            return ModelChoice(name: entry.id, detail: detail.joined(separator: " · "))
        }
    }

    func backend(named name: String) throws -> any ChatBackend {
        var next = configuration
        next.apiModel = name
        return RemoteBackend(configuration: next)
    }
}
