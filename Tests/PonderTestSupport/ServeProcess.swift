import Foundation

/// A real `ponder serve` for one test, on a port it picks itself (`--port 0`), ready once it logs
/// `listening on http://127.0.0.1:PORT` (it loads the model before it listens).
///
/// Stop it in a `defer`. Its log (standard error) is where it reports queue positions, cache use
/// and disconnects; ``log()`` reads it so far, ``waitForLog(_:timeout:)`` polls it.
public final class ServeProcess: @unchecked Sendable {
    public let port: Int
    private let program: Program

    public var url: String { "http://127.0.0.1:\(port)" }

    /// Starts `ponder serve --model MODEL --port 0` with `arguments` added.
    public static func start(model: String, _ arguments: [String] = [], readyWithin timeout: Duration = .seconds(120))
        async throws -> ServeProcess
    {
        let binary = try Peers.ponderBinary()
        let running = try Program.start(
            binary, ["serve", "--model", model, "--host", "127.0.0.1", "--port", "0"] + arguments,
            environment: ["SWIFT_BACKTRACE": "enable=no"])
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let log = running.outputSoFar().stderr
            if let range = log.range(of: "listening on http://127.0.0.1:") {
                let digits = log[range.upperBound...].prefix(while: \.isNumber)
                if let port = Int(digits), log[range.upperBound...].dropFirst(digits.count).first == "\n" {
                    return ServeProcess(port: port, program: running)
                }
            }
            if !running.isRunning {
                throw LlamaServerError("ponder serve exited (status \(running.exitStatus ?? -1)): \(log.suffix(600))")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        running.stop()
        throw LlamaServerError("ponder serve did not listen within \(timeout): \(running.outputSoFar().stderr.suffix(600))")
    }

    private init(port: Int, program: Program) {
        self.port = port
        self.program = program
    }

    /// SIGTERM (the server stops and exits 0), then SIGKILL if it has not gone within `grace`.
    public func stop(grace: Duration = .seconds(5)) {
        program.stop(grace: grace)
    }

    /// Waits for the server to end after ``stop(grace:)``; its exit status.
    public var exitStatus: Int32? { program.exitStatus }

    /// Everything the server logged so far.
    public func log() -> String { program.outputSoFar().stderr }

    /// Polls the log until it holds a line containing `text`, and returns that line.
    /// - Throws: after `timeout`, with the log's end.
    @discardableResult
    public func waitForLog(_ text: String, timeout: Duration = .seconds(30)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let line = log().split(separator: "\n").first(where: { $0.contains(text) }) { return String(line) }
            guard ContinuousClock.now < deadline else {
                throw LlamaServerError("ponder serve did not log “\(text)” within \(timeout); its log ends: \(log().suffix(800))")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
