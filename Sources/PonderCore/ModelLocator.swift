import Foundation

/// Finds GGUF models where people already have them: a path, an Ollama model name resolved
/// through Ollama's manifests to its blob, or a repository in the Hugging Face hub cache. Files
/// are only read, never written; everything read is treated as hostile (names are checked before
/// they become paths, manifests are read up to 1 MiB).
///
/// ```swift
/// let locator = ModelLocator(environment: ProcessInfo.processInfo.environment)
/// let url = try locator.resolve("qwen3:1.7b")           // ~/.ollama/models/blobs/sha256-…
/// let same = try locator.resolve("Qwen/Qwen3-1.7B-GGUF:Q8_0")   // a snapshot in the HF cache
/// for model in locator.list() { print(model.name, model.url.path) }
/// ```
///
/// Layouts, as the tools write them:
/// - Ollama (`$OLLAMA_MODELS`, else `~/.ollama/models`): `manifests/HOST/NAMESPACE/MODEL/TAG` is a
///   JSON manifest whose layer of media type `application/vnd.ollama.image.model` has a digest
///   `sha256:HEX`; the weights are `blobs/sha256-HEX`. A name is `[[HOST/]NAMESPACE/]MODEL[:TAG]`,
///   by default `registry.ollama.ai`, `library`, `latest`.
/// - Hugging Face (`$HF_HUB_CACHE`, else `$HF_HOME/hub`, else `~/.cache/huggingface/hub`):
///   `models--ORG--REPO/snapshots/REVISION/…/FILE.gguf`, with `refs/main` naming the revision.
///   A name is `ORG/REPO` (its one GGUF), `ORG/REPO:QUANT` (the GGUF whose name holds QUANT) or
///   `ORG/REPO/FILE.gguf`.
public struct ModelLocator: Sendable {
    /// Where a found model lives.
    public enum Source: String, Sendable, CaseIterable {
        case ponder, ollama, huggingFace = "hugging-face"
    }

    /// A model `list()` found.
    public struct Found: Sendable, Equatable {
        /// The name `--model` takes for it (a path for ponder's own folder).
        public var name: String
        public var url: URL
        public var source: Source
    }

    /// Why a name resolves to no file: one line naming what was looked for and where.
    public struct LookupError: Error, Equatable, Sendable, CustomStringConvertible {
        public var description: String
    }

    public var ollamaRoot: URL
    public var huggingFaceRoot: URL
    public var ponderModels: URL

    public init(environment: [String: String]) {
        let home = environment["HOME"] ?? NSHomeDirectory()
        func absolute(_ name: String) -> String? { environment[name].flatMap { $0.hasPrefix("/") ? $0 : nil } }
        ollamaRoot = URL(fileURLWithPath: absolute("OLLAMA_MODELS") ?? home + "/.ollama/models")
        if let hub = absolute("HF_HUB_CACHE") {
            huggingFaceRoot = URL(fileURLWithPath: hub)
        } else if let hfHome = absolute("HF_HOME") {
            huggingFaceRoot = URL(fileURLWithPath: hfHome).appendingPathComponent("hub")
        } else {
            huggingFaceRoot = URL(fileURLWithPath: absolute("XDG_CACHE_HOME") ?? home + "/.cache")
                .appendingPathComponent("huggingface/hub")
        }
        ponderModels = URL(fileURLWithPath: absolute("PONDER_MODELS_DIR") ?? home + "/.cache/ponder/models")
    }

    // MARK: - Resolving

    /// The file `name` stands for: an existing path as it is, else an Ollama model, else a
    /// Hugging Face cache repository.
    public func resolve(_ name: String) throws(LookupError) -> URL {
        if FileManager.default.fileExists(atPath: name) { return URL(fileURLWithPath: name) }
        if name.hasPrefix("/") || name.hasPrefix(".") || name.hasSuffix(".gguf") && !name.contains(":") && name.split(separator: "/").count < 3 {
            throw LookupError(description: "\(name): no such model file")
        }
        var problems: [String] = []
        do {
            return try ollamaBlob(name)
        } catch {
            problems.append(error.description)
        }
        if name.contains("/") {
            do {
                return try huggingFaceFile(name)
            } catch {
                problems.append(error.description)
            }
        }
        throw LookupError(description: "\(name): not a file, " + problems.joined(separator: "; "))
    }

    /// The blob of Ollama model `name`.
    public func ollamaBlob(_ name: String) throws(LookupError) -> URL {
        guard let (components, tag) = Self.ollamaName(name) else {
            throw LookupError(description: "not an Ollama model name ([[HOST/]NAMESPACE/]MODEL[:TAG])")
        }
        let folder = components.reduce(ollamaRoot.appendingPathComponent("manifests")) { $0.appendingPathComponent($1) }
        let manifest = folder.appendingPathComponent(tag)
        guard let bytes = Self.read(manifest, limit: 1 << 20) else {
            let tags = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
            let model = components.last ?? name
            throw LookupError(description: "no Ollama model \(model):\(tag) in \(ollamaRoot.path)"
                + (tags.isEmpty ? "" : " (tags there: \(tags.joined(separator: ", ")))"))
        }
        guard let digest = Self.modelDigest(bytes) else {
            throw LookupError(description: "\(manifest.path): not an Ollama manifest with a model layer (application/vnd.ollama.image.model)")
        }
        let blob = ollamaRoot.appendingPathComponent("blobs").appendingPathComponent("sha256-" + digest)
        guard FileManager.default.fileExists(atPath: blob.path) else {
            throw LookupError(description: "\(manifest.path) names blob sha256-\(digest), which is not in \(ollamaRoot.path)/blobs")
        }
        return blob
    }

    /// `[[HOST/]NAMESPACE/]MODEL[:TAG]` as manifest path components and a tag; nil when it is not
    /// one (or could leave the manifests folder).
    static func ollamaName(_ name: String) -> (components: [String], tag: String)? {
        var rest = Substring(name), tag = "latest"
        if let colon = name.lastIndex(of: ":"), !name[colon...].contains("/") {
            tag = String(name[name.index(after: colon)...])
            rest = name[..<colon]
        }
        var parts = rest.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard (1...3).contains(parts.count), (parts + [tag]).allSatisfy(isSafeComponent) else { return nil }
        if parts.count == 1 { parts.insert("library", at: 0) }
        if parts.count == 2 { parts.insert("registry.ollama.ai", at: 0) }
        return (parts, tag)
    }

    /// The hex digest of a manifest's model layer.
    static func modelDigest(_ bytes: [UInt8]) -> String? {
        guard case .object(let root)? = try? JSONDocument.parse(bytes).value,
              case .array(let layers)? = root.first(where: { $0.key == "layers" })?.node.value else { return nil }
        for layer in layers {
            guard case .object(let members) = layer.value else { continue }
            func string(_ key: String) -> String? {
                if case .string(let s)? = members.first(where: { $0.key == key })?.node.value { return s }
                return nil
            }
            guard string("mediaType") == "application/vnd.ollama.image.model", let digest = string("digest"),
                  digest.hasPrefix("sha256:") else { continue }
            let hex = digest.dropFirst("sha256:".count)
            guard hex.count == 64, hex.allSatisfy({ $0.isHexDigit && ($0.isNumber || $0.isLowercase) }) else { return nil }
            return String(hex)
        }
        return nil
    }

    /// The GGUF of Hugging Face cache name `ORG/REPO`, `ORG/REPO:QUANT` or `ORG/REPO/FILE.gguf`.
    public func huggingFaceFile(_ name: String) throws(LookupError) -> URL {
        var rest = Substring(name), quant: String? = nil
        if let colon = name.lastIndex(of: ":") {
            quant = String(name[name.index(after: colon)...])
            rest = name[..<colon]
        }
        let parts = rest.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 2, parts.allSatisfy(Self.isSafeComponent), quant.map(Self.isSafeComponent) ?? true else {
            throw LookupError(description: "not a Hugging Face name (ORG/REPO, ORG/REPO:QUANT or ORG/REPO/FILE.gguf)")
        }
        let repo = huggingFaceRoot.appendingPathComponent("models--\(parts[0])--\(parts[1])")
        guard let snapshot = Self.snapshot(of: repo) else {
            throw LookupError(description: "no \(parts[0])/\(parts[1]) in the Hugging Face cache \(huggingFaceRoot.path)")
        }
        if parts.count > 2 {
            let file = parts.dropFirst(2).reduce(snapshot) { $0.appendingPathComponent($1) }
            guard FileManager.default.fileExists(atPath: file.path) else {
                throw LookupError(description: "no \(parts.dropFirst(2).joined(separator: "/")) in \(snapshot.path)")
            }
            return file
        }
        let all = Self.ggufFiles(under: snapshot)
        let matching = quant.map { q in all.filter { $0.lastPathComponent.lowercased().contains(q.lowercased()) } } ?? all
        guard matching.count == 1, let only = matching.first else {
            let names = all.map { $0.path.dropFirst(snapshot.path.count + 1) }.joined(separator: ", ")
            let wanted = quant.map { "a GGUF named with \($0)" } ?? "one GGUF"
            throw LookupError(description: "\(parts[0])/\(parts[1]) has \(matching.isEmpty ? "no" : "more than") \(wanted) "
                + "(\(names.isEmpty ? "none" : names)); name one as ORG/REPO/FILE.gguf or ORG/REPO:QUANT")
        }
        return only
    }

    /// The snapshot `refs/main` names, else the only (or newest) one.
    static func snapshot(of repo: URL) -> URL? {
        let snapshots = repo.appendingPathComponent("snapshots")
        if let bytes = read(repo.appendingPathComponent("refs/main"), limit: 256) {
            let revision = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if isSafeComponent(revision) {
                let folder = snapshots.appendingPathComponent(revision)
                if FileManager.default.fileExists(atPath: folder.path) { return folder }
            }
        }
        let all = ((try? FileManager.default.contentsOfDirectory(at: snapshots, includingPropertiesForKeys: [.contentModificationDateKey])) ?? [])
        return all.max { modified($0) < modified($1) }
    }

    // MARK: - Listing

    /// Every GGUF in ponder's models folder, Ollama's manifests and the Hugging Face cache, by
    /// source and name.
    public func list() -> [Found] {
        var found: [Found] = []
        for url in Self.ggufFiles(under: ponderModels, depth: 1) {
            found.append(Found(name: url.path, url: url, source: .ponder))
        }
        let manifests = ollamaRoot.appendingPathComponent("manifests")
        for manifest in Self.files(under: manifests, depth: 4) {
            let parts = manifest.path.dropFirst(manifests.path.count + 1).split(separator: "/").map(String.init)
            guard parts.count == 4 else { continue }
            var name = parts[0] == "registry.ollama.ai" ? (parts[1] == "library" ? parts[2] : parts[1] + "/" + parts[2])
                : parts[0] + "/" + parts[1] + "/" + parts[2]
            name += ":" + parts[3]
            if let blob = try? ollamaBlob(name) { found.append(Found(name: name, url: blob, source: .ollama)) }
        }
        let repos = ((try? FileManager.default.contentsOfDirectory(atPath: huggingFaceRoot.path)) ?? []).sorted()
        for folder in repos where folder.hasPrefix("models--") {
            let parts = folder.dropFirst("models--".count).components(separatedBy: "--")
            guard parts.count == 2, let snapshot = Self.snapshot(of: huggingFaceRoot.appendingPathComponent(folder)) else { continue }
            for file in Self.ggufFiles(under: snapshot) {
                let relative = file.path.dropFirst(snapshot.path.count + 1)
                found.append(Found(name: "\(parts[0])/\(parts[1])/\(relative)", url: file, source: .huggingFace))
            }
        }
        return found
    }

    // MARK: - Files

    /// A path component that stays inside its folder.
    static func isSafeComponent(_ part: String) -> Bool {
        !part.isEmpty && part != "." && part != ".." && !part.contains("/") && !part.contains("\0") && part.utf8.count <= 255
    }

    static func read(_ url: URL, limit: Int) -> [UInt8]? {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return nil }
        defer { try? handle.close() }
        guard let data = try? handle.read(upToCount: limit + 1), data.count <= limit else { return nil }
        return Array(data)
    }

    static func modified(_ url: URL) -> Date {
        (try? url.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate) ?? .distantPast
    }

    /// Regular files (symlinks followed, as the HF cache links into its blobs) down to `depth`
    /// folders, sorted by path.
    static func files(under folder: URL, depth: Int) -> [URL] {
        guard depth > 0, let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return [] }
        var out: [URL] = []
        for name in names.sorted() where !name.hasPrefix(".") {
            let url = folder.appendingPathComponent(name)
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else { continue }
            if isFolder.boolValue { out += files(under: url, depth: depth - 1) } else { out.append(url) }
        }
        return out
    }

    static func ggufFiles(under folder: URL, depth: Int = 4) -> [URL] {
        files(under: folder, depth: depth).filter { $0.pathExtension.lowercased() == "gguf" }
    }
}
