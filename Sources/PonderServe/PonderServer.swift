import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// `ponder serve`'s listening socket: swift-nio's HTTP/1 server pipeline (request decoding,
/// keep-alive and pipelining, 400 on a malformed request) with a ``ServeHandler`` per connection,
/// on one event-loop thread (the engine's threads do the work).
///
/// ```swift
/// let server = try await PonderServer.start(host: "127.0.0.1", port: 8080, service: service)
/// print(server.port)                 // the port bound (useful with port 0)
/// try await server.run()             // until stop()
/// ```
public final class PonderServer: Sendable {
    /// The port the server listens on.
    public let port: Int
    private let channel: any Channel
    private let group: MultiThreadedEventLoopGroup
    private let stopped = NIOLockedValueBox(false)

    private init(port: Int, channel: any Channel, group: MultiThreadedEventLoopGroup) {
        self.port = port
        self.channel = channel
        self.group = group
    }

    /// Binds `host:port` (port 0: any free port) and starts accepting connections.
    /// - Throws: when the address cannot be bound (in use, not this machine's).
    public static func start(host: String, port: Int, service: ServeService) async throws -> PonderServer {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(ServeHandler(service: service))
                }
            }
        do {
            let channel = try await bootstrap.bind(host: host, port: port).get()
            return PonderServer(port: channel.localAddress?.port ?? port, channel: channel, group: group)
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }

    /// Returns when the server has stopped.
    public func run() async throws {
        try await channel.closeFuture.get()
    }

    /// Stops accepting connections, closes the listening socket and every connection; the
    /// first call does it, later ones return at once.
    public func stop() async {
        let first = stopped.withLockedValue { stopped in
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        try? await channel.close()
        try? await group.shutdownGracefully()
    }
}
