import NIOCore
import NIOHTTP1

/// Writes one HTTP response onto a connection from any task: the head, body parts, the end.
///
/// Every write is awaited, so a reply streams no faster than its client reads it, and a write to
/// a client that has gone throws (which ends the reply). A request that did not ask to keep the
/// connection alive has it closed after the end.
struct ResponseWriter: Sendable {
    let channel: any Channel
    let version: HTTPVersion
    let keepAlive: Bool

    func head(_ status: HTTPResponseStatus, _ headers: HTTPHeaders) async throws {
        var headers = headers
        headers.replaceOrAdd(name: "server", value: "ponder")
        if !keepAlive { headers.replaceOrAdd(name: "connection", value: "close") }
        try await channel.writeAndFlush(HTTPServerResponsePart.head(HTTPResponseHead(version: version, status: status, headers: headers)))
    }

    func body(_ text: String) async throws {
        try await channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(string: text))))
    }

    func end() async {
        try? await channel.writeAndFlush(HTTPServerResponsePart.end(nil))
        if !keepAlive { try? await channel.close() }
    }

    /// A whole JSON response.
    func send(_ status: HTTPResponseStatus, json: String, headers extra: HTTPHeaders = [:]) async {
        var headers = extra
        headers.add(name: "content-type", value: "application/json; charset=utf-8")
        headers.add(name: "content-length", value: String(json.utf8.count))
        do {
            try await head(status, headers)
            try await body(json)
        } catch {
            return  // The client has gone.
        }
        await end()
    }

    func send(_ error: ServeError, headers: HTTPHeaders = [:]) async {
        await send(error.status, json: error.body, headers: headers)
    }
}
