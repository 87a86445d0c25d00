import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A scripted HTTP server on 127.0.0.1 for tests: real sockets, one thread per connection.
///
/// Each connection gets one request, answered by the handler, which writes raw bytes (so a test can
/// replay captured headers and bodies byte for byte, cut a stream halfway, or hold it open) and then
/// closes. Replies should say `Connection: close`.
public final class LoopbackServer: @unchecked Sendable {
    public struct Request: Sendable {
        public var method: String
        public var path: String
        public var headers: [String: String]
        public var body: Data

        public func header(_ name: String) -> String? { headers[name.lowercased()] }
        public var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] }
    }

    /// One accepted connection.
    public final class Connection: @unchecked Sendable {
        let fd: Int32
        init(fd: Int32) { self.fd = fd }

        /// Writes all of `bytes`; false when the peer has gone.
        @discardableResult
        public func write(_ bytes: some Collection<UInt8>) -> Bool {
            var data = Array(bytes)
            var offset = 0
            while offset < data.count {
                let n = data.withUnsafeMutableBytes { send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
                if n <= 0 { return false }
                offset += n
            }
            data.removeAll()
            return true
        }

        @discardableResult
        public func write(_ text: String) -> Bool { write(Array(text.utf8)) }

        /// Writes one chunk of a `Transfer-Encoding: chunked` body.
        @discardableResult
        public func writeChunk(_ bytes: some Collection<UInt8>) -> Bool {
            guard !bytes.isEmpty else { return true }
            return write(String(bytes.count, radix: 16) + "\r\n") && write(bytes) && write("\r\n")
        }

        /// Waits until the peer closes the connection (or `timeout` passes); returns whether it closed.
        public func waitForPeerClose(timeout: Duration) -> Bool {
            let deadline = ContinuousClock.now + timeout
            var buffer = [UInt8](repeating: 0, count: 4096)
            while ContinuousClock.now < deadline {
                var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                let ready = poll(&poller, 1, 50)
                if ready > 0 {
                    let n = recv(fd, &buffer, buffer.count, 0)
                    if n <= 0 { return true }
                }
            }
            return false
        }

        public func close() {
            shutdown(fd, Int32(SHUT_RDWR))
            Glibc.close(fd)
        }
    }

    public typealias Handler = @Sendable (Request, Connection) -> Void

    public let port: Int
    private let listener: Int32
    private let handler: Handler

    public var url: String { "http://127.0.0.1:\(port)" }

    public init(handler: @escaping Handler) throws {
        self.handler = handler
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw LoopbackError("socket() failed: errno \(errno)") }
        var on: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            Glibc.close(fd)
            throw LoopbackError("bind/listen on 127.0.0.1 failed: errno \(errno)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.listener = fd
        self.port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// Stops accepting; connections in progress finish on their own.
    ///
    /// The socket is only shut down here (which ends a waiting `accept`); the accept loop closes it
    /// once it has stopped using it. Closing it here let its number go to the next test's listener
    /// while this loop, between two `accept`s or not yet started, still held it: that loop then took
    /// the other server's connections and answered them with this server's handler.
    public func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
    }

    private func acceptLoop() {
        defer { Glibc.close(listener) }
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            let connection = Connection(fd: client)
            let handler = self.handler
            Thread {
                guard let request = Self.readRequest(client) else { return connection.close() }
                handler(request, connection)
                connection.close()
            }.start()
        }
    }

    /// Reads the head and a `Content-Length` body.
    private static func readRequest(_ fd: Int32) -> Request? {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 8192)
        var headEnd: Int?
        while headEnd == nil {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { return nil }
            bytes += buffer[..<n]
            headEnd = find([13, 10, 13, 10], in: bytes)
        }
        guard let end = headEnd else { return nil }
        let head = String(decoding: bytes[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let requestLine = head[0].split(separator: " ")
        guard requestLine.count >= 2 else { return nil }
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Array(bytes[(end + 4)...])
        let length = Int(headers["content-length"] ?? "0") ?? 0
        while body.count < length {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            body += buffer[..<n]
        }
        return Request(method: String(requestLine[0]), path: String(requestLine[1]), headers: headers, body: Data(body))
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i..<(i + needle.count)].elementsEqual(needle) {
            return i
        }
        return nil
    }
}

public struct LoopbackError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A thread-safe box tests use to collect what the server saw.
public final class Recorder<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Value] = []

    public init() {}

    public func append(_ value: Value) {
        lock.withLock { values.append(value) }
    }

    public var all: [Value] { lock.withLock { values } }

    /// Waits (bounded) until the `index`-th value has arrived; returns it, or nil after `timeout`.
    public func value(at index: Int = 0, timeout: Duration) async -> Value? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let value = lock.withLock({ values.count > index ? values[index] : nil }) { return value }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return nil
    }
}

/// Canned HTTP answers.
public enum Replies {
    public static func json(_ status: Int, _ body: String, extraHeaders: String = "") -> String {
        let reason = status == 200 ? "OK" : "Error"
        return "HTTP/1.1 \(status) \(reason)\r\nContent-Type: application/json; charset=utf-8\r\n\(extraHeaders)"
            + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
    }

    public static let sseHead = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    public static let ndjsonHead = "HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
}
