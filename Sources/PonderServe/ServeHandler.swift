import NIOCore
import NIOHTTP1

/// The last handler of each connection's pipeline, after NIO's HTTP/1 server handlers: gathers a
/// request (head and body, at most ``ServeService/maxBodyBytes``), hands it to the
/// ``ServeService`` in a task of its own, and cancels that task when the connection closes, which
/// stops the request's generation at once (or takes it out of the queue).
///
/// A body over the limit, announced by `Content-Length` or arriving, is answered 413 at once and
/// the connection closed; what the client still sends is dropped unread. A client that asks
/// `Expect: 100-continue` is told to go on (once its announced length is within the limit).
final class ServeHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let service: ServeService
    private let maxBodyBytes: Int
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?
    /// The request was refused before its end (too large): the rest of it is dropped.
    private var refused = false
    /// The task answering the current request.
    private var task: Task<Void, Never>?

    init(service: ServeService, maxBodyBytes: Int = ServeService.maxBodyBytes) {
        self.service = service
        self.maxBodyBytes = maxBodyBytes
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = nil
            refused = false
            if let length = head.headers.first(name: "content-length").flatMap({ Int($0) }), length > maxBodyBytes {
                refuse(context: context, length: length)
            } else if head.headers["expect"].contains(where: { $0.lowercased() == "100-continue" }) {
                // The client (curl, for a body over 1 KiB) waits for this before it sends the body.
                let proceed = HTTPResponseHead(version: head.version, status: .continue)
                context.writeAndFlush(wrapOutboundOut(.head(proceed)), promise: nil)
            }
        case .body(var chunk):
            guard !refused else { return }
            let size = (body?.readableBytes ?? 0) + chunk.readableBytes
            guard size <= maxBodyBytes else {
                refuse(context: context, length: size)
                return
            }
            if body == nil { body = chunk } else { body!.writeBuffer(&chunk) }
        case .end:
            guard !refused, let head else { return }
            let bytes = body.map { Array($0.readableBytesView) } ?? []
            let writer = ResponseWriter(channel: context.channel, version: head.version, keepAlive: head.isKeepAlive)
            let service = self.service
            self.head = nil
            body = nil
            task = Task { await service.respond(to: head, body: bytes, writer: writer) }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        task?.cancel()
        task = nil
        context.fireChannelInactive()
    }

    /// 413, and the connection closed once it is written.
    private func refuse(context: ChannelHandlerContext, length: Int) {
        refused = true
        body = nil
        let error = ServeError(
            .payloadTooLarge, "the request body is \(length) bytes; ponder serve takes at most \(maxBodyBytes)")
        let what = head.map { $0.method.rawValue + " " + ServeRoute.path(of: $0.uri) } ?? "a request"
        service.log("\(what) refused, 413: \(error.message)")
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "application/json; charset=utf-8")
        headers.add(name: "content-length", value: String(error.body.utf8.count))
        headers.add(name: "connection", value: "close")
        headers.add(name: "server", value: "ponder")
        let version = head?.version ?? .http1_1
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: version, status: error.status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: error.body)))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }
}
