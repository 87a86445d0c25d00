import Foundation
import PonderTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// One HTTP/1.1 connection to 127.0.0.1 over a plain socket, so a test sees exactly what the
/// server sends (status, headers, each server-sent event as it arrives) and can drop the
/// connection in the middle of a reply, as a client that goes away does.
///
/// Reads block (with a receive timeout, so none hangs); run them with ``blocking(_:)``, which
/// moves them off Swift's cooperative pool.
final class RawHTTPConnection: @unchecked Sendable {
    struct Head {
        var status: Int
        /// Header names in lower case.
        var headers: [String: String]
        var isChunked: Bool { headers["transfer-encoding"]?.lowercased() == "chunked" }
    }

    private var fd: Int32
    /// Bytes received and not yet consumed.
    private var pending: [UInt8] = []

    init(port: Int, timeout: Duration = .seconds(120)) throws {
        guard let fd = LlamaServer.connectLoopback(port: port) else {
            throw LlamaServerError("cannot connect to port \(port): errno \(errno)")
        }
        self.fd = fd
        var wait = timeval(tv_sec: Int(timeout.components.seconds), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close() }

    /// Closes the connection (the server sees the client go).
    func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    /// A request with a JSON body (`Connection: close` unless `keepAlive`).
    static func request(_ method: String, _ path: String, json: String? = nil, keepAlive: Bool = false,
                        headers: [String] = []) -> [UInt8] {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        if let json { head += "Content-Type: application/json\r\nContent-Length: \(json.utf8.count)\r\n" }
        for header in headers { head += header + "\r\n" }
        head += keepAlive ? "\r\n" : "Connection: close\r\n\r\n"
        return Array(head.utf8) + Array((json ?? "").utf8)
    }

    /// Sends all of `bytes`; false when the server has closed the connection.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }

    /// Receives more bytes into `pending`; false at the end of the stream.
    private func receive() throws -> Bool {
        var buffer = [UInt8](repeating: 0, count: 65536)
        let n = recv(fd, &buffer, buffer.count, 0)
        if n == 0 { return false }
        guard n > 0 else { throw LlamaServerError("no bytes from the server within the timeout (errno \(errno))") }
        pending += buffer[..<n]
        return true
    }

    /// Consumes bytes up to and including `separator`.
    private func take(through separator: [UInt8]) throws -> [UInt8]? {
        while true {
            if pending.count >= separator.count {
                for start in 0...(pending.count - separator.count)
                where pending[start..<(start + separator.count)].elementsEqual(separator) {
                    let taken = Array(pending[..<(start + separator.count)])
                    pending.removeFirst(start + separator.count)
                    return taken
                }
            }
            guard try receive() else { return nil }
        }
    }

    private func take(count: Int) throws -> [UInt8] {
        while pending.count < count {
            guard try receive() else { throw LlamaServerError("the server closed the connection mid-body") }
        }
        let taken = Array(pending[..<count])
        pending.removeFirst(count)
        return taken
    }

    /// The response's status line and headers.
    func readHead() throws -> Head {
        guard let bytes = try take(through: Array("\r\n\r\n".utf8)) else {
            throw LlamaServerError("the server closed the connection before a response")
        }
        let lines = String(decoding: bytes, as: UTF8.self).components(separatedBy: "\r\n").filter { !$0.isEmpty }
        let statusLine = lines.first ?? ""
        guard statusLine.hasPrefix("HTTP/1."), let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "") else {
            throw LlamaServerError("not an HTTP response: \(statusLine.prefix(80))")
        }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return Head(status: status, headers: headers)
    }

    /// The next piece of a chunked body; nil after the last.
    func readChunk() throws -> [UInt8]? {
        guard let sizeLine = try take(through: Array("\r\n".utf8)),
              let size = Int(String(decoding: sizeLine.dropLast(2), as: UTF8.self).split(separator: ";").first ?? "", radix: 16)
        else { throw LlamaServerError("a malformed chunk") }
        if size == 0 {
            _ = try take(through: Array("\r\n".utf8))
            return nil
        }
        let data = try take(count: size)
        _ = try take(count: 2)
        return data
    }

    /// The whole body: by `Content-Length`, chunked, or up to the close.
    func readBody(_ head: Head) throws -> [UInt8] {
        if head.isChunked {
            var body: [UInt8] = []
            while let chunk = try readChunk() { body += chunk }
            return body
        }
        if let length = head.headers["content-length"].flatMap({ Int($0) }) { return try take(count: length) }
        while try receive() {}
        defer { pending = [] }
        return pending
    }
}

/// Runs blocking work (socket reads) on a thread of its own, off Swift's cooperative pool (two
/// threads on this machine, which a blocked read would halve).
func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}

/// The `data:` payloads of server-sent events in `text`, in order.
func eventPayloads(_ text: String) -> [String] {
    text.components(separatedBy: "\n").filter { $0.hasPrefix("data: ") }.map { String($0.dropFirst(6)) }
}
