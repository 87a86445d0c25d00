import Foundation
import PonderTestSupport
import Testing

/// `ponder models` and `--model NAME` over an Ollama tree and a Hugging Face cache built in the
/// test (the layouts as `ModelLocatorTests` documents them), holding real GGUF files: SmolLM2
/// (supported) and one of llama.cpp's tokenizer vocabularies (architecture-less, so not).
@Suite(.serialized, .timeLimit(.minutes(5)))
struct ModelsCommandTests {
    final class Tree {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ponder-models-\(UUID().uuidString)")
        var environment: [String: String] {
            ["OLLAMA_MODELS": root.appendingPathComponent("ollama").path, "HF_HUB_CACHE": root.appendingPathComponent("hub").path,
             "PONDER_MODELS_DIR": root.appendingPathComponent("ponder").path,
             "XDG_CONFIG_HOME": root.path, "XDG_DATA_HOME": root.path]
        }

        init() throws {
            let digest = String(repeating: "5e", count: 32)
            let ollama = root.appendingPathComponent("ollama")
            let manifest = ollama.appendingPathComponent("manifests/registry.ollama.ai/library/smollm2/135m")
            for folder in [manifest.deletingLastPathComponent(), ollama.appendingPathComponent("blobs"),
                           root.appendingPathComponent("hub/models--HuggingFaceTB--SmolLM2-GGUF/snapshots/main"),
                           root.appendingPathComponent("ponder")] {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            }
            let smol = try Peers.model(Peers.smolLM2)
            try FileManager.default.createSymbolicLink(atPath: ollama.appendingPathComponent("blobs/sha256-\(digest)").path,
                                                       withDestinationPath: smol)
            try Data("""
                {"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",
                 "layers":[{"mediaType":"application/vnd.ollama.image.model","digest":"sha256:\(digest)","size":1}]}
                """.utf8).write(to: manifest)
            try FileManager.default.createSymbolicLink(
                atPath: root.appendingPathComponent("hub/models--HuggingFaceTB--SmolLM2-GGUF/snapshots/main/smollm2-q4_1.gguf").path,
                withDestinationPath: smol)
            // One of llama.cpp's tokenizer test files (`make peers`): a GGUF of architecture bert.
            let vocab = Peers.peersDirectory + "/vocab/ggml-vocab-bert-bge.gguf"
            guard FileManager.default.fileExists(atPath: vocab) else { throw MissingPeer(what: "llama.cpp's vocab file \(vocab)") }
            try FileManager.default.copyItem(atPath: vocab, toPath: root.appendingPathComponent("ponder/vocab-only.gguf").path)
        }

        deinit { try? FileManager.default.removeItem(at: root) }

        func run(_ arguments: [String]) throws -> ProgramOutput {
            try Program.run(try Peers.ponderBinary(), arguments, environment: environment, timeout: .seconds(120))
        }
    }

    @Test func modelsListsWhatIsHereAndWhetherTheEngineRunsIt() throws {
        let tree = try Tree()
        let run = try tree.run(["models"])
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        let ollama = try #require(lines.first { $0.hasPrefix("smollm2:135m ") }, "\(run.stdout)")
        #expect(ollama.contains("llama") && ollama.contains("MOSTLY_Q4_1") && ollama.hasSuffix("supported"), "\(ollama)")
        let hub = try #require(lines.first { $0.hasPrefix("HuggingFaceTB/SmolLM2-GGUF/smollm2-q4_1.gguf ") }, "\(run.stdout)")
        #expect(hub.hasSuffix("supported"), "\(hub)")
        let vocab = try #require(lines.first { $0.contains("vocab-only.gguf") }, "\(run.stdout)")
        #expect(vocab.contains("not supported: "), "\(vocab)")
    }

    @Test func anOllamaNameOrAHubNameWorksAsTheModel() throws {
        let tree = try Tree()
        for name in ["smollm2:135m", "HuggingFaceTB/SmolLM2-GGUF"] {
            let run = try tree.run(["ask", "--model", name, "--json", "--max-tokens", "4", "--seed", "1", "Hi."])
            #expect(run.status == 0, "\(name): \(run.stderr)")
            let object = try #require(try JSONSerialization.jsonObject(with: run.stdoutData) as? [String: Any])
            #expect(object["model"] as? String == name, "the name the user gave names the model")
        }
        let missing = try tree.run(["ask", "--model", "smollm2:8b", "Hi."])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no Ollama model smollm2:8b") && missing.stderr.contains("tags there: 135m"), "\(missing.stderr)")
    }
}
