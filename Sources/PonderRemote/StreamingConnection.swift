import AsyncHTTPClient
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import PonderCore

/// One streamed HTTP/1.1 exchange on a connection of its own: every body part goes to the
/// ``PartQueue`` the moment the connection decodes it, in order, and the end (or the error that
/// ended it) after the last of them.
///
/// A reply stream used to go through async-http-client, which holds decoded parts back until its
/// consumer asks for more and, when the server closes the connection, fails the request with
/// those parts still held: a server that sent many small parts and died lost all of them (a
/// loopback test of 300 one-byte chunks kept nothing). Here nothing stands between the decoder
/// and the queue. Reading pauses while the queue is full (the `read` event is held back), so a
/// fast server cannot fill memory. The request carries `Connection: close`, so nothing is pooled;
/// a 307 or 308 answer is followed (at most 5 times) with the same method and body, and the
/// key (`Authorization`, or Anthropic's `x-api-key`) goes only to the origin it was given for.
enum StreamingConnection {
    struct Request: Sendable {
        var url: URL
        var method: HTTPMethod
        var headers: HTTPHeaders
        var body: ByteBuffer
    }

    /// The most redirects followed for one request.
    static let maxRedirects = 5

    /// Sends `request` and returns once a final (non-redirect) response head has arrived; the body
    /// then streams into the returned queue. The connection must be set up within `connect`, no
    /// silence may last longer than `idle`, and the whole exchange must end by `deadline`.
    static func start(_ request: Request, connect: TimeAmount, idle: TimeAmount, deadline: NIODeadline) async throws
        -> (head: HTTPResponseHead, queue: PartQueue)
    {
        var request = request
        let origin = Origin(request.url)
        for _ in 0...maxRedirects {
            let queue = PartQueue()
            try await open(request, queue: queue, connect: connect, idle: idle, deadline: deadline)
            let head = try await withTaskCancellationHandler {
                try await queue.head()
            } onCancel: {
                queue.abandon()
            }
            guard [307, 308].contains(head.status.code), let location = head.headers.first(name: "location"),
                  let next = URL(string: location, relativeTo: request.url)?.absoluteURL,
                  next.scheme == "http" || next.scheme == "https"
            else {
                return (head, queue)
            }
            queue.abandon()  // the redirect's own body is not wanted
            request.url = next
            if Origin(next) != origin {
                request.headers.remove(name: "Authorization")
                request.headers.remove(name: "x-api-key")
            }
        }
        throw BackendError("the server redirected the request more than \(maxRedirects) times")
    }

    /// Scheme, host and port: where a key may go.
    struct Origin: Equatable {
        var scheme: String
        var host: String
        var port: Int

        init(_ url: URL) {
            scheme = url.scheme?.lowercased() ?? ""
            host = url.host?.lowercased() ?? ""
            port = url.port ?? (scheme == "https" ? 443 : 80)
        }
    }

    /// The TLS settings of every https stream: the system's trust roots, checked host names.
    private static let tls: Result<NIOSSLContext, any Error> = Result {
        try NIOSSLContext(configuration: .makeClientConfiguration())
    }

    private static func open(
        _ request: Request, queue: PartQueue, connect: TimeAmount, idle: TimeAmount, deadline: NIODeadline
    ) async throws {
        let origin = Origin(request.url)
        guard !origin.host.isEmpty, origin.scheme == "http" || origin.scheme == "https" else {
            throw HTTPClientError.invalidURL
        }
        let context = origin.scheme == "https" ? try tls.get() : nil
        // SNI takes a name, never an address.
        let serverName = (try? SocketAddress(ipAddress: origin.host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")), port: 0))
            == nil ? origin.host : nil
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(connect)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    if let context {
                        try pipeline.addHandler(try NIOSSLClientHandler(context: context, serverHostname: serverName))
                    }
                    try pipeline.addHTTPClientHandlers()
                    try pipeline.addHandler(IdleStateHandler(readTimeout: idle))
                    try pipeline.addHandler(ResponseHandler(queue: queue))
                }
            }
        let host = origin.host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        let channel = try await bootstrap.connect(host: host, port: origin.port).get()
        queue.onAbandon { channel.close(promise: nil) }
        if Task.isCancelled { queue.abandon() }
        // The deadline closes the connection; what arrived before it stays in the queue.
        let timer = channel.eventLoop.scheduleTask(deadline: deadline) {
            channel.pipeline.fireErrorCaught(HTTPClientError.deadlineExceeded)
        }
        channel.closeFuture.whenComplete { _ in timer.cancel() }

        var path = request.url.path.isEmpty ? "/" : request.url.path
        if let query = request.url.query { path += "?" + query }
        var head = HTTPRequestHead(version: .http1_1, method: request.method, uri: path)
        head.headers = request.headers
        let defaultPort = origin.port == (origin.scheme == "https" ? 443 : 80)
        head.headers.replaceOrAdd(name: "Host", value: request.url.host.map { defaultPort ? $0 : "\($0):\(origin.port)" } ?? host)
        head.headers.replaceOrAdd(name: "Content-Length", value: String(request.body.readableBytes))
        head.headers.replaceOrAdd(name: "Connection", value: "close")
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        channel.write(HTTPClientRequestPart.body(.byteBuffer(request.body)), promise: nil)
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
    }

    /// The end of the pipeline: decoded response parts into the queue, reads held back while the
    /// queue is full, and whatever ends the connection early (the server closing it, an idle
    /// timeout, the deadline, a malformed response) as the queue's error, after every part.
    private final class ResponseHandler: ChannelDuplexHandler, RemovableChannelHandler {
        typealias InboundIn = HTTPClientResponsePart
        typealias OutboundIn = HTTPClientRequestPart
        typealias OutboundOut = HTTPClientRequestPart

        private let queue: PartQueue
        private var ended = false
        private var paused = false
        private var readPending = false

        init(queue: PartQueue) { self.queue = queue }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard !ended else { return }
            switch unwrapInboundIn(data) {
            case .head(let head):
                queue.received(head)
            case .body(let part):
                if let resumed = queue.append(part, eventLoop: context.eventLoop) {
                    paused = true
                    let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
                    resumed.whenComplete { _ in
                        let (handler, context) = bound.value
                        handler.paused = false
                        if handler.readPending {
                            handler.readPending = false
                            context.read()
                        }
                    }
                }
            case .end:
                end(nil, context)
            }
        }

        func read(context: ChannelHandlerContext) {
            if paused { readPending = true } else { context.read() }
        }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
                end(HTTPClientError.readTimeout, context)
            } else {
                context.fireUserInboundEventTriggered(event)
            }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            end(error, context)
        }

        func channelInactive(context: ChannelHandlerContext) {
            if !ended {
                ended = true
                queue.finish(HTTPClientError.remoteConnectionClosed)
            }
            context.fireChannelInactive()
        }

        private func end(_ error: (any Error)?, _ context: ChannelHandlerContext) {
            guard !ended else { return }
            ended = true
            queue.finish(error)
            context.close(promise: nil)
        }
    }
}
