import ArgumentParser
import Foundation
import PonderCore
import PonderEngine

/// `ponder models`: every GGUF ponder can find (its own models folder, Ollama's manifests, the
/// Hugging Face cache), with the name `--model` takes for it, and whether the engine runs it.
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List the GGUF models ponder can find: its own folder, Ollama's models and the Hugging Face cache.",
        discussion: """
            Each line: the name --model takes (a path, an Ollama name such as qwen3:1.7b, or \
            ORG/REPO/FILE.gguf from the Hugging Face cache), its size, architecture and quantization, \
            and whether the embedded engine supports it (or why not). Folders: $PONDER_MODELS_DIR \
            (default ~/.cache/ponder/models), $OLLAMA_MODELS (~/.ollama/models), $HF_HUB_CACHE \
            ($HF_HOME/hub, ~/.cache/huggingface/hub). Files are only read.
            """)

    @Flag(help: "Print one JSON object per model, one per line.")
    var json = false

    struct Row: Encodable {
        var name: String
        var source: String
        var path: String
        var bytes: Int
        var architecture: String?
        var quantization: String?
        var supported: Bool
        var problem: String?
    }

    func run() throws {
        let locator = ModelLocator(environment: ProcessInfo.processInfo.environment)
        let rows = locator.list().map(Self.row)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            for row in rows { TerminalOutput.line(String(decoding: try encoder.encode(row), as: UTF8.self)) }
            return
        }
        guard !rows.isEmpty else {
            TerminalOutput.line("no GGUF models in \(locator.ponderModels.path), \(locator.ollamaRoot.path) "
                + "or \(locator.huggingFaceRoot.path)")
            return
        }
        let width = min(60, rows.map(\.name.count).max() ?? 0)
        for row in rows {
            let facts = [ModelSummary.bytes(row.bytes), row.architecture ?? "?", row.quantization ?? "?",
                         row.supported ? "supported" : "not supported: \(row.problem ?? "?")"]
            TerminalOutput.line(row.name.padding(toLength: max(width, row.name.count), withPad: " ", startingAt: 0)
                + "  " + facts.joined(separator: "  "))
        }
    }

    /// What the file says about itself; a file that does not read as GGUF is listed with its error.
    static func row(_ found: ModelLocator.Found) -> Row {
        let bytes = ((try? FileManager.default.attributesOfItem(atPath: found.url.path))?[.size] as? NSNumber)?.intValue ?? 0
        var row = Row(name: found.name, source: found.source.rawValue, path: found.url.path, bytes: bytes, supported: false)
        let file: GGUFFile
        do {
            file = try GGUFFile(path: found.url.path)
        } catch {
            row.problem = "\(error)"
            return row
        }
        row.architecture = try? file.metadata.string("general.architecture")
        row.quantization = (try? file.metadata.int("general.file_type")).flatMap { $0 }.map(ModelSummary.fileTypeName)
        let vocabulary = file.tensor(named: "token_embd.weight")?.shape.last ?? 0
        do {
            _ = try ModelConfig(metadata: file.metadata, vocabSize: vocabulary)
        } catch {
            row.problem = "\(error)"
            return row
        }
        let unsupported = Set(file.tensors.filter { $0.shape.count >= 2 }.map(\.type))
            .subtracting(Kernels.supportedWeightTypes).map(\.description).sorted()
        if !unsupported.isEmpty {
            row.problem = "tensor type\(unsupported.count > 1 ? "s" : "") \(unsupported.joined(separator: ", "))"
            return row
        }
        row.supported = true
        return row
    }
}
