import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A real llama.cpp `llama-server` for one test, on a free loopback port.
///
/// Started with `Program`, ready once `GET /health` answers 200 (polled until a bounded
/// deadline; a server that exits or never becomes ready fails the test with its log). Stop it in a
/// `defer`. Shared by the remote-backend suites and the end-to-end (tmux) suites.
public final class LlamaServer: @unchecked Sendable {
    public let port: Int
    private let program: Program

    public var url: String { "http://127.0.0.1:\(port)" }

    /// The flags every end-to-end test uses: SmolLM2-135M with DeepSeek-R1's template, so the prompt
    /// ends with `<think>\n` and real `reasoning_content` arrives.
    public static func r1Arguments(contextSize: Int = 2048) throws -> [String] {
        [
            "-m", try Peers.model(Peers.smolLM2),
            "--chat-template-file", try Peers.templatesDirectory() + "/deepseek-ai-DeepSeek-R1-Distill-Qwen-32B.jinja",
            "-c", String(contextSize), "-t", "2", "--no-warmup",
        ]
    }

    /// Starts `LLAMA_SERVER` with `arguments` (host and port are added) and waits for `/health`.
    public static func start(_ arguments: [String], readyWithin timeout: Duration = .seconds(180)) async throws -> LlamaServer {
        let program = try Peers.program("LLAMA_SERVER")
        let port = try freePort()
        let running = try Program.start(program, arguments + ["--host", "127.0.0.1", "--port", String(port)])
        let server = LlamaServer(port: port, program: running)
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if !running.isRunning {
                throw LlamaServerError("llama-server exited (status \(running.exitStatus ?? -1)): \(server.logTail())")
            }
            if httpStatus(port: port, path: "/health") == 200 { return server }
            try await Task.sleep(for: .milliseconds(100))
        }
        let tail = server.logTail()
        server.stop()
        throw LlamaServerError("llama-server did not become ready within \(timeout): \(tail)")
    }

    private init(port: Int, program: Program) {
        self.port = port
        self.program = program
    }

    /// SIGTERM, then SIGKILL if the server has not gone within two seconds: a child started from
    /// the test runner can find SIGTERM blocked (observed: llama-server never saw it), and a test
    /// must not hang waiting for it.
    public func stop() {
        program.stop(grace: .seconds(2))
    }

    /// Kills the server at once (SIGKILL): the fault a crashed or killed server is.
    public func kill() {
        program.send(SIGKILL)
    }

    /// The last lines the server logged (it logs to stderr; stdout is read too).
    public func logTail() -> String {
        let output = program.outputSoFar()
        return (output.stdout + output.stderr).split(separator: "\n").suffix(8).joined(separator: " | ")
    }

    /// A port nothing listens on right now (bound to 0, read back, released).
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard ok else { throw LlamaServerError("cannot find a free port: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// A TCP socket connected to 127.0.0.1:`port`, or nil (errno set) when nothing accepts.
    public static func connectLoopback(port: Int) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            let saved = errno
            close(fd)
            errno = saved
            return nil
        }
        return fd
    }

    /// `POST path` with a JSON body; the response body, once the server has closed the connection
    /// (`Connection: close`). A status other than 200, a reply that does not arrive within
    /// `timeout`, or one over 64 MiB throws with what arrived.
    public func post(_ path: String, json body: Data, timeout: Duration = .seconds(120)) throws -> Data {
        guard let fd = Self.connectLoopback(port: port) else {
            throw LlamaServerError("POST \(path): cannot connect to port \(port): errno \(errno)")
        }
        defer { close(fd) }
        var wait = timeval(tv_sec: Int(timeout.components.seconds), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        let head = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        let request = Array(head.utf8) + Array(body)
        var sent = 0
        while sent < request.count {
            let n = request[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw LlamaServerError("POST \(path): send failed: errno \(errno)") }
            sent += n
        }
        var reply = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n == 0 { break }
            guard n > 0 else { throw LlamaServerError("POST \(path): no complete reply within \(timeout) (errno \(errno))") }
            reply += buffer[..<n]
            guard reply.count <= 64 << 20 else { throw LlamaServerError("POST \(path): reply over 64 MiB") }
        }
        let separator = Array("\r\n\r\n".utf8)
        guard let split = (0...max(0, reply.count - 4)).first(where: { Array(reply[$0..<min($0 + 4, reply.count)]) == separator })
        else { throw LlamaServerError("POST \(path): malformed reply \(String(decoding: reply.prefix(200), as: UTF8.self))") }
        let header = String(decoding: reply[..<split], as: UTF8.self)
        var payload = Array(reply[(split + 4)...])
        guard header.hasPrefix("HTTP/1.1 200") else {
            throw LlamaServerError("POST \(path): \(header.prefix(40)) \(String(decoding: payload.prefix(300), as: UTF8.self))")
        }
        if header.lowercased().contains("transfer-encoding: chunked") { payload = try Self.dechunk(payload) }
        return Data(payload)
    }

    /// The body of an HTTP/1.1 chunked transfer.
    private static func dechunk(_ bytes: [UInt8]) throws -> [UInt8] {
        var out = [UInt8](), i = 0
        while i < bytes.count {
            guard let end = (i..<bytes.count - 1).first(where: { bytes[$0] == 13 && bytes[$0 + 1] == 10 }),
                  let size = Int(String(decoding: bytes[i..<end], as: UTF8.self).split(separator: ";")[0], radix: 16),
                  end + 2 + size <= bytes.count
            else { throw LlamaServerError("malformed chunked reply") }
            if size == 0 { break }
            out += bytes[(end + 2)..<(end + 2 + size)]
            i = end + 2 + size + 2
        }
        return out
    }

    /// The status code of `GET path` on 127.0.0.1, or nil when nothing answers.
    public static func httpStatus(port: Int, path: String) -> Int? {
        guard let fd = connectLoopback(port: port) else { return nil }
        defer { close(fd) }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
        guard send(fd, request, request.count, Int32(MSG_NOSIGNAL)) == request.count else { return nil }
        var buffer = [UInt8](repeating: 0, count: 512)
        let n = recv(fd, &buffer, buffer.count, 0)
        guard n > 12 else { return nil }
        let line = String(decoding: buffer[..<n], as: UTF8.self)
        return Int(line.split(separator: " ").dropFirst().first ?? "")
    }
}

/// Why a llama-server could not be started or a port found, with its log's last lines.
public struct LlamaServerError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
