import AsyncHTTPClient
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import PonderCore

/// The HTTP side of a remote backend: requests with the right headers, and transport failures turned
/// into one-line ``BackendError``s.
///
/// The `HTTPClient`s are owned by ``HTTPClients`` (one per timeout setting, for the life of the
/// process), so a backend value can be copied freely and never has to be shut down.
struct HTTPTransport: Sendable {
    /// A small answer read whole.
    struct Answer: Sendable {
        var status: Int
        var headers: [(String, String)]
        var body: Data

        var isSuccess: Bool { (200..<300).contains(status) }
    }

    /// Where a request was when it failed, for the wording of the error.
    enum Phase { case connecting, streaming }

    let configuration: RemoteConfiguration
    private let client: HTTPClient

    init(configuration: RemoteConfiguration) {
        self.configuration = configuration
        self.client = HTTPClients.client(for: configuration.timeouts)
    }

    /// `GET path`, read whole (at most 16 MiB), within the probe timeout.
    func get(_ path: String, apiKey: String?) async throws(BackendError) -> Answer {
        var request = HTTPClientRequest(url: configuration.url(path))
        request.method = .GET
        addHeaders(to: &request, apiKey: apiKey, accept: "application/json")
        return try await collect(request, path: path, apiKey: apiKey)
    }

    /// `POST path` with a JSON body, read whole, within the probe timeout.
    func postJSON(_ path: String, body: Data, apiKey: String?) async throws(BackendError) -> Answer {
        var request = HTTPClientRequest(url: configuration.url(path))
        request.method = .POST
        addHeaders(to: &request, apiKey: apiKey, accept: "application/json")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: body))
        return try await collect(request, path: path, apiKey: apiKey)
    }

    /// `POST path` with a JSON body, returning as soon as the response head arrives; the caller
    /// streams the body (``StreamedResponse``: every part that arrived reaches it, even when the
    /// server then cuts the connection). The idle timeout bounds every silence, and the reply
    /// deadline (`--deadline`) the whole exchange, so a server that drips bytes cannot hold a reply
    /// open. Each stream has a connection of its own (``StreamingConnection``), so none is stale.
    func postStreaming(_ path: String, body: Data, apiKey: String?, accept: String) async throws(BackendError)
        -> StreamedResponse
    {
        var headers = HTTPHeaders()
        Self.addHeaders(to: &headers, api: configuration.api, apiKey: apiKey, accept: accept)
        headers.add(name: "Content-Type", value: "application/json")
        do {
            guard let url = URL(string: configuration.url(path)) else { throw HTTPClientError.invalidURL }
            let request = StreamingConnection.Request(url: url, method: .POST, headers: headers, body: ByteBuffer(bytes: body))
            let timeouts = configuration.timeouts
            return try await StreamedResponse.start(
                request, connect: TimeAmount(timeouts.connect), idle: TimeAmount(timeouts.idle),
                deadline: NIODeadline.now() + TimeAmount(timeouts.reply), secret: apiKey)
        } catch {
            throw failure(error, phase: .connecting, apiKey: apiKey)
        }
    }

    /// Reads an error answer's body (at most 1 MiB) and words it.
    func httpError(_ response: StreamedResponse, path: String, apiKey: String?) async -> BackendError {
        httpError(await errorAnswer(response), path: path, apiKey: apiKey)
    }

    /// An error answer read whole (at most 1 MiB of its body).
    func errorAnswer(_ response: StreamedResponse) async -> Answer {
        let body = (try? await response.collect(upTo: 1 << 20)).map { Data($0.readableBytesView) } ?? Data()
        return Answer(status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) }, body: body)
    }

    /// Words an error answer.
    func httpError(_ answer: Answer, path: String, apiKey: String?) -> BackendError {
        RemoteErrorText.http(status: answer.status, headers: answer.headers, body: answer.body, context: context(path, apiKey))
    }

    func context(_ path: String, _ apiKey: String?) -> RemoteErrorText.Context {
        RemoteErrorText.Context(
            path: path, displayURL: configuration.displayURL, apiKeyEnv: configuration.apiKeyEnv, apiKey: apiKey,
            api: configuration.api)
    }

    // MARK: - Internals

    /// A small request's headers. It asks for the connection to be closed after the answer: the
    /// reply stream that follows opens a connection of its own, and a server that handles one
    /// connection at a time would otherwise wait on the idle pooled one forever (seen with
    /// Python's single-threaded `http.server`).
    private func addHeaders(to request: inout HTTPClientRequest, apiKey: String?, accept: String) {
        Self.addHeaders(to: &request.headers, api: configuration.api, apiKey: apiKey, accept: accept)
        request.headers.add(name: "Connection", value: "close")
    }

    /// The headers every request carries: what it accepts, who asks, and the key when there is one
    /// (`Authorization: Bearer`, or for Anthropic's API `x-api-key` with the `anthropic-version` it is spoken in).
    private static func addHeaders(to headers: inout HTTPHeaders, api: ServerAPI, apiKey: String?, accept: String) {
        headers.add(name: "Accept", value: accept)
        headers.add(name: "User-Agent", value: "ponder")
        switch api {
        case .anthropic:
            if let apiKey { headers.add(name: "x-api-key", value: apiKey) }
            headers.add(name: "anthropic-version", value: AnthropicWire.version)
        case .openAI, .ollama:
            if let apiKey { headers.add(name: "Authorization", value: "Bearer \(apiKey)") }
        }
    }

    private func collect(_ request: HTTPClientRequest, path: String, apiKey: String?) async throws(BackendError) -> Answer {
        do {
            let deadline = NIODeadline.now() + TimeAmount(configuration.timeouts.probe)
            let response = try await executeRetryingStaleConnection(request, deadline: deadline)
            let body = try await response.body.collect(upTo: 16 << 20)
            return Answer(status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) },
                          body: Data(SecretFilter.scrub(Array(body.readableBytesView), secret: apiKey)))
        } catch {
            throw failure(error, phase: .connecting, apiKey: apiKey)
        }
    }

    /// Sends a request, once more on a fresh connection if the pooled one turned out to be dead.
    ///
    /// llama-server advertises keep-alive but closes the connection after each streamed reply, so
    /// the next request can meet a closed socket before anything reaches the server. Only failures
    /// before the response head are retried, and only once.
    private func executeRetryingStaleConnection(_ request: HTTPClientRequest, deadline: NIODeadline) async throws
        -> HTTPClientResponse
    {
        do {
            return try await client.execute(request, deadline: deadline)
        } catch where Self.isStaleConnection(error) && !Task.isCancelled {
            return try await client.execute(request, deadline: deadline)
        }
    }

    private static func isStaleConnection(_ error: any Error) -> Bool {
        if let error = error as? HTTPClientError { return error == .remoteConnectionClosed }
        if let error = error as? ChannelError {
            if case .ioOnClosedChannel = error { return true }
            if case .outputClosed = error { return true }
            return false
        }
        if let error = error as? IOError { return isClosedByPeer(error.errnoCode) }
        return false
    }

    /// Words a transport failure (not an HTTP status) as one line.
    func failure(_ error: any Error, phase: Phase, apiKey: String?) -> BackendError {
        let url = configuration.displayURL
        let timeouts = configuration.timeouts
        let message: String
        if let error = error as? BackendError {
            return error
        } else if error is CancellationError {
            message = "cancelled"
        } else if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout, .tlsHandshakeTimeout:
                message = "timed out connecting to \(url) after \(Self.seconds(timeouts.connect)) — is the address right?"
            case .readTimeout:
                message = phase == .streaming
                    ? "the server sent nothing for \(Self.seconds(timeouts.idle)) mid-reply (timed out)"
                    : "the server did not answer within \(Self.seconds(timeouts.idle)) (timed out)"
            case .deadlineExceeded:
                message = phase == .streaming
                    ? "the reply took longer than its deadline of \(Self.seconds(timeouts.reply)) (--deadline) and was cut there"
                    : "the server did not answer within \(Self.seconds(timeouts.probe)) (timed out)"
            case .remoteConnectionClosed:
                message = phase == .streaming ? "the server closed the stream mid-reply" : "the server closed the connection without answering"
            case .cancelled:
                message = "cancelled"
            case .invalidURL, .emptyHost, .emptyScheme:
                message = "cannot use \(url) as a server URL"
            default:
                message = "request to \(url) failed: \(RemoteErrorText.oneLine(String(describing: error)))"
            }
        } else if let error = error as? NIOConnectionError {
            message = Self.connectionFailure(error, url: url)
        } else if let error = error as? IOError, error.errnoCode == ECONNREFUSED {
            message = "cannot connect to \(url) — is the server running?"
        } else if let error = error as? IOError, Self.isClosedByPeer(error.errnoCode) {
            message = phase == .streaming ? "the server closed the stream mid-reply" : "the server reset the connection"
        } else if let error = error as? IOError, [ENETUNREACH, EHOSTUNREACH].contains(error.errnoCode) {
            message = "cannot reach \(url) — no route to the host"
        } else if let error = error as? ChannelError, case .ioOnClosedChannel = error {
            message = phase == .streaming ? "the server closed the stream mid-reply" : "the server closed the connection without answering"
        } else if let error = error as? ChannelError, case .connectTimeout = error {
            message = "timed out connecting to \(url) after \(Self.seconds(timeouts.connect)) — is the address right?"
        } else if error is HTTPParserError, phase == .streaming {
            message = "the server closed the stream mid-reply"
        } else if String(reflecting: type(of: error)).contains("NIOSSL") {
            message = "TLS with \(url) failed: \(RemoteErrorText.oneLine(String(describing: error)))"
        } else {
            message = "request to \(url) failed: \(RemoteErrorText.oneLine(String(describing: error)))"
        }
        return BackendError(RemoteErrorText.scrub(message, secret: apiKey))
    }

    private static func connectionFailure(_ error: NIOConnectionError, url: String) -> String {
        let errnos = error.connectionErrors.compactMap { ($0.error as? IOError)?.errnoCode }
        if errnos.contains(ECONNREFUSED) { return "cannot connect to \(url) — is the server running?" }
        if error.connectionErrors.isEmpty, error.dnsAError != nil || error.dnsAAAAError != nil {
            return "cannot resolve the host of \(url) — is the name right?"
        }
        if errnos.contains(ENETUNREACH) || errnos.contains(EHOSTUNREACH) {
            return "cannot reach \(url) — no route to the host"
        }
        let first = error.connectionErrors.first.map { String(describing: $0.error) } ?? String(describing: error)
        return "cannot connect to \(url): \(RemoteErrorText.oneLine(first))"
    }

    private static func isClosedByPeer(_ code: Int32) -> Bool {
        code == ECONNRESET || code == EPIPE || code == ECONNABORTED
    }

    static func seconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        if attoseconds == 0 { return "\(seconds) s" }
        return String(format: "%.1f s", Double(seconds) + Double(attoseconds) / 1e18)
    }
}

/// The process's HTTP clients, one per timeout setting, never shut down (they live as long as the
/// process, like `HTTPClient.shared`); the connection pool is reused across replies.
enum HTTPClients {
    private static let clients = NIOLockedValueBox<[RemoteConfiguration.Timeouts: HTTPClient]>([:])

    static func client(for timeouts: RemoteConfiguration.Timeouts) -> HTTPClient {
        clients.withLockedValue { clients in
            if let client = clients[timeouts] { return client }
            var configuration = HTTPClient.Configuration()
            configuration.timeout = .init(connect: TimeAmount(timeouts.connect), read: TimeAmount(timeouts.idle))
            // A refused connection should fail now, not after retrying until the connect timeout.
            configuration.connectionPool.retryConnectionEstablishment = false
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            clients[timeouts] = client
            return client
        }
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
