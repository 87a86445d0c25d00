import Foundation
import Testing
@testable import PonderCore

/// `--model` by the names people already use. The Ollama tree is built here from Ollama's
/// documented layout (docs/api.md and the registry's image manifest: `manifests/HOST/NAMESPACE/
/// MODEL/TAG`, a Docker-style v2 manifest whose `application/vnd.ollama.image.model` layer names
/// the blob `blobs/sha256-HEX`); the Hugging Face tree from huggingface_hub's cache layout
/// (`models--ORG--REPO/{refs/main, snapshots/REVISION/…}`).
struct ModelLocatorTests {
    final class Tree {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ponder-locator-\(UUID().uuidString)")
        var ollama: URL { root.appendingPathComponent("ollama") }
        var hub: URL { root.appendingPathComponent("hub") }
        var ponder: URL { root.appendingPathComponent("ponder") }
        var locator: ModelLocator {
            ModelLocator(environment: ["HOME": root.path, "OLLAMA_MODELS": ollama.path, "HF_HUB_CACHE": hub.path,
                                       "PONDER_MODELS_DIR": ponder.path])
        }

        init() throws { try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true) }
        deinit { try? FileManager.default.removeItem(at: root) }

        func write(_ text: String, to url: URL) throws {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }

        /// An Ollama model `name:tag` whose weights are `blob` (a digest of 64 hex digits).
        @discardableResult
        func ollamaModel(_ path: String, tag: String, digest: String) throws -> URL {
            let blob = ollama.appendingPathComponent("blobs/sha256-\(digest)")
            try write("GGUF weights of \(path):\(tag)", to: blob)
            try write("""
                {"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",
                 "config":{"mediaType":"application/vnd.docker.container.image.v1+json","digest":"sha256:\(String(repeating: "c", count: 64))","size":485},
                 "layers":[
                  {"mediaType":"application/vnd.ollama.image.model","digest":"sha256:\(digest)","size":1359290016},
                  {"mediaType":"application/vnd.ollama.image.template","digest":"sha256:\(String(repeating: "d", count: 64))","size":1723},
                  {"mediaType":"application/vnd.ollama.image.params","digest":"sha256:\(String(repeating: "e", count: 64))","size":120}]}
                """, to: ollama.appendingPathComponent("manifests/\(path)/\(tag)"))
            return blob
        }
    }

    static let digest1 = String(repeating: "a1", count: 32)
    static let digest2 = String(repeating: "b2", count: 32)

    @Test func anOllamaNameResolvesThroughItsManifestToTheBlob() throws {
        let tree = try Tree()
        let blob = try tree.ollamaModel("registry.ollama.ai/library/qwen3", tag: "1.7b", digest: Self.digest1)
        let latest = try tree.ollamaModel("registry.ollama.ai/library/qwen3", tag: "latest", digest: Self.digest2)
        let user = try tree.ollamaModel("registry.ollama.ai/someone/tiny", tag: "q8", digest: Self.digest2)
        #expect(try tree.locator.resolve("qwen3:1.7b") == blob)
        #expect(try tree.locator.resolve("qwen3") == latest, "no tag is latest")
        #expect(try tree.locator.resolve("library/qwen3:1.7b") == blob)
        #expect(try tree.locator.resolve("someone/tiny:q8") == user)

        let missing = #expect(throws: ModelLocator.LookupError.self) { try tree.locator.resolve("qwen3:8b") }
        #expect(missing?.description.contains("no Ollama model qwen3:8b") == true, "\(String(describing: missing))")
        #expect(missing?.description.contains("tags there: 1.7b, latest") == true, "\(String(describing: missing))")
    }

    /// Names and manifests are hostile: nothing may lead outside the two folders.
    @Test func namesAndDigestsCannotLeaveTheFolders() throws {
        let tree = try Tree()
        try tree.write("secret", to: tree.root.appendingPathComponent("secret"))
        for name in ["../../secret", "a/../../secret:x", "qwen3:..", "x/y/z/w:t", "qwen3:"] {
            #expect(throws: ModelLocator.LookupError.self, "\(name)") { try tree.locator.resolve(name) }
        }
        // A manifest whose digest is a path.
        try tree.write("""
            {"layers":[{"mediaType":"application/vnd.ollama.image.model","digest":"sha256:../../secret"}]}
            """, to: tree.ollama.appendingPathComponent("manifests/registry.ollama.ai/library/evil/latest"))
        let error = #expect(throws: ModelLocator.LookupError.self) { try tree.locator.resolve("evil") }
        #expect(error?.description.contains("not an Ollama manifest with a model layer") == true, "\(String(describing: error))")
        // A manifest far too large is not read.
        try tree.write(String(repeating: " ", count: 2 << 20), to: tree.ollama.appendingPathComponent("manifests/registry.ollama.ai/library/huge/latest"))
        #expect(throws: ModelLocator.LookupError.self) { try tree.locator.resolve("huge") }
    }

    @Test func aHuggingFaceRepositoryResolvesToItsGGUF() throws {
        let tree = try Tree()
        let repo = tree.hub.appendingPathComponent("models--Qwen--Qwen3-1.7B-GGUF")
        try tree.write("rev2\n", to: repo.appendingPathComponent("refs/main"))
        try tree.write("old", to: repo.appendingPathComponent("snapshots/rev1/Qwen3-1.7B-Q4_K_M.gguf"))
        let q8 = repo.appendingPathComponent("snapshots/rev2/Qwen3-1.7B-Q8_0.gguf")
        let q4 = repo.appendingPathComponent("snapshots/rev2/Qwen3-1.7B-Q4_K_M.gguf")
        try tree.write("q8", to: q8)
        try tree.write("q4", to: q4)
        #expect(try tree.locator.resolve("Qwen/Qwen3-1.7B-GGUF:Q8_0") == q8)
        #expect(try tree.locator.resolve("Qwen/Qwen3-1.7B-GGUF:q4_k_m") == q4, "the quant matches in any case")
        #expect(try tree.locator.resolve("Qwen/Qwen3-1.7B-GGUF/Qwen3-1.7B-Q8_0.gguf") == q8)
        let ambiguous = #expect(throws: ModelLocator.LookupError.self) { try tree.locator.resolve("Qwen/Qwen3-1.7B-GGUF") }
        #expect(ambiguous?.description.contains("Qwen3-1.7B-Q4_K_M.gguf, Qwen3-1.7B-Q8_0.gguf") == true, "\(String(describing: ambiguous))")
    }

    @Test func theListHasEveryGGUFWithTheNameModelTakes() throws {
        let tree = try Tree()
        try tree.write("own", to: tree.ponder.appendingPathComponent("SmolLM2.gguf"))
        try tree.write("not a model", to: tree.ponder.appendingPathComponent("notes.txt"))
        let blob = try tree.ollamaModel("registry.ollama.ai/library/qwen3", tag: "1.7b", digest: Self.digest1)
        try tree.write("q8", to: tree.hub.appendingPathComponent("models--Org--Repo/snapshots/r/sub/model-Q8_0.gguf"))
        let found = tree.locator.list()
        #expect(found.map(\.name) == [tree.ponder.appendingPathComponent("SmolLM2.gguf").path, "qwen3:1.7b", "Org/Repo/sub/model-Q8_0.gguf"])
        #expect(found.map(\.source) == [.ponder, .ollama, .huggingFace])
        #expect(found[1].url == blob)
        for model in found { #expect(try tree.locator.resolve(model.name) == model.url, "\(model.name) resolves to what was listed") }
    }
}
