import Foundation
import PonderCore
import PonderEngine

/// `/model` on the embedded engine: every GGUF `ponder models` finds (ponder's models folder,
/// Ollama's models, the Hugging Face cache), each with its size, architecture and file type, or
/// why the engine cannot run it. The one picked is loaded with the chat's `--ctx` and `--threads`.
struct EmbeddedModelCatalog: ModelCatalog {
    var contextSize: Int
    var threads: Int?

    /// Reads each file's GGUF header (as `ponder models` does); files are only read.
    func choices() async throws -> [ModelChoice] {
        let locator = ModelLocator(environment: ProcessInfo.processInfo.environment)
        let found = locator.list()
        guard !found.isEmpty else {
            throw BackendError("no GGUF models in \(locator.ponderModels.path), \(locator.ollamaRoot.path) "
                + "or \(locator.huggingFaceRoot.path)")
        }
        return found.map { model in
            let row = ModelsCommand.row(model)
            let detail = [ModelSummary.bytes(row.bytes), row.architecture ?? "?", row.quantization ?? "?"]
            return ModelChoice(
                name: model.name, detail: detail.joined(separator: " · "),
                problem: row.supported ? nil : row.problem ?? "not a model the engine runs")
        }
    }

    /// `name` as `--model` takes it; a path may start with `~/`, as the shell would expand it.
    func backend(named name: String) throws -> any ChatBackend {
        let name = name.hasPrefix("~/") ? (name as NSString).expandingTildeInPath : name
        do {
            return try BackendFactory.embedded(name, contextSize: contextSize, threads: threads)
        } catch {
            throw BackendError("\(error) (/model alone lists the models ponder finds)")
        }
    }
}
