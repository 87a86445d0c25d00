import AsyncHTTPClient
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import PonderCore

/// A streamed HTTP response: its head, then every body part in the order it was read, then the
/// end or the error, never an error ahead of a part that arrived before it.
///
/// async-http-client keeps the parts its consumer has not asked for yet inside the connection,
/// and when the server closes the connection mid-body it fails the request without handing them
/// over: a reply the server cut lost its last pieces, more often the busier the machine. Here
/// ``StreamingConnection`` queues each part the moment it is decoded, with back-pressure: past
/// ``window`` queued parts the connection stops reading until the consumer catches up, so a fast
/// server cannot fill memory.
struct StreamedResponse: Sendable {
    var status: HTTPResponseStatus
    var headers: HTTPHeaders
    var body: Body

    /// Queued parts past which reading pauses.
    static let window = 64

    /// Starts `request` and returns once its head has arrived. Cancelling the calling task cancels
    /// the request; so does dropping the body before its end. No silence may last longer than
    /// `idle` (`HTTPClientError.readTimeout`), and the whole exchange, body included, must end by
    /// `deadline` (`HTTPClientError.deadlineExceeded`). The body reads with `secret` (the API key)
    /// replaced wherever the server echoes it.
    static func start(
        _ request: StreamingConnection.Request, connect: TimeAmount, idle: TimeAmount, deadline: NIODeadline, secret: String?
    ) async throws -> StreamedResponse {
        let (head, queue) = try await StreamingConnection.start(request, connect: connect, idle: idle, deadline: deadline)
        return StreamedResponse(status: head.status, headers: head.headers, body: Body(owner: Body.Owner(queue: queue), secret: secret))
    }

    /// Stops the request now, from any thread: a read waiting for the next part throws.
    func cancel() { body.owner.queue.abandon() }

    /// Reads the whole body, refusing more than `limit` bytes.
    func collect(upTo limit: Int) async throws -> ByteBuffer {
        var all = ByteBuffer()
        for try await var part in body {
            guard all.readableBytes + part.readableBytes <= limit else {
                throw BackendError("the server's answer is larger than \(limit >> 20) MiB")
            }
            all.writeBuffer(&part)
        }
        return all
    }

    /// The body parts, in order; an error after the last part that arrived.
    struct Body: AsyncSequence, Sendable {
        typealias Element = ByteBuffer
        fileprivate let owner: Owner
        let secret: String?

        /// Held by the consumer's copies only (the connection holds the queue): when the last
        /// goes before the body's end, the request is cancelled.
        fileprivate final class Owner: Sendable {
            let queue: PartQueue
            init(queue: PartQueue) { self.queue = queue }
            deinit { queue.abandon() }
        }

        struct AsyncIterator: AsyncIteratorProtocol {
            fileprivate let owner: Owner
            var filter: SecretFilter
            var ended = false

            mutating func next() async throws -> ByteBuffer? {
                guard filter.isActive else { return try await owner.queue.next() }
                while !ended {
                    guard let part = try await owner.queue.next() else {
                        ended = true
                        let rest = filter.finish()
                        return rest.isEmpty ? nil : ByteBuffer(bytes: rest)
                    }
                    let passed = filter.pass(part.readableBytesView)
                    if !passed.isEmpty { return ByteBuffer(bytes: passed) }
                }
                return nil
            }
        }

        func makeAsyncIterator() -> AsyncIterator { AsyncIterator(owner: owner, filter: SecretFilter(secret: secret)) }
    }

    /// Hands what the connection reads to the queue, on the connection's event loop.
}

/// The parts between the connection and the consumer: one lock, one waiting consumer at most.
final class PartQueue: @unchecked Sendable {
    private struct State {
        var head: Result<HTTPResponseHead, any Error>?
        var headWaiter: CheckedContinuation<HTTPResponseHead, any Error>?
        var parts: CircularBuffer<ByteBuffer> = []
        var end: Result<Void, any Error>?
        var partWaiter: CheckedContinuation<ByteBuffer?, any Error>?
        /// Completed when the consumer has taken enough for reading to go on.
        var resume: EventLoopPromise<Void>?
        var abandon: (@Sendable () -> Void)?
        var abandoned = false
    }

    private let state = NIOLockedValueBox(State())

    func onAbandon(_ action: @escaping @Sendable () -> Void) {
        let abandoned = state.withLockedValue { state -> Bool in
            state.abandon = action
            return state.abandoned
        }
        if abandoned { action() }
    }

    func received(_ head: HTTPResponseHead) {
        let waiter = state.withLockedValue { state -> CheckedContinuation<HTTPResponseHead, any Error>? in
            state.head = .success(head)
            defer { state.headWaiter = nil }
            return state.headWaiter
        }
        waiter?.resume(returning: head)
    }

    func head() async throws -> HTTPResponseHead {
        try await withCheckedThrowingContinuation { continuation in
            let known = state.withLockedValue { state -> Result<HTTPResponseHead, any Error>? in
                if state.head == nil { state.headWaiter = continuation }
                return state.head
            }
            if let known { continuation.resume(with: known) }
        }
    }

    /// Queues a part; when the queue is full, returns a future that completes once reading may go
    /// on (nil: go on now).
    func append(_ part: ByteBuffer, eventLoop: any EventLoop) -> EventLoopFuture<Void>? {
        let (waiter, pause) = state.withLockedValue { state -> (CheckedContinuation<ByteBuffer?, any Error>?, EventLoopPromise<Void>?) in
            if state.abandoned { return (nil, nil) }
            if let waiter = state.partWaiter {
                state.partWaiter = nil
                return (waiter, nil)
            }
            state.parts.append(part)
            guard state.parts.count >= StreamedResponse.window else { return (nil, nil) }
            let promise = eventLoop.makePromise(of: Void.self)
            state.resume = promise
            return (nil, promise)
        }
        waiter?.resume(returning: part)
        return pause?.futureResult
    }

    /// The end of the body (`nil`) or the error that ended it, after every queued part.
    func finish(_ error: (any Error)?) {
        let (headWaiter, partWaiter) = state.withLockedValue { state in
            state.end = error.map { .failure($0) } ?? .success(())
            state.abandon = nil  // nothing left to cancel (and the task it holds is let go)
            if state.head == nil { state.head = .failure(error ?? HTTPClientError.remoteConnectionClosed) }
            defer { state.headWaiter = nil; state.partWaiter = nil }
            return (state.headWaiter, state.parts.isEmpty ? state.partWaiter : nil)
        }
        if let headWaiter { headWaiter.resume(throwing: error ?? HTTPClientError.remoteConnectionClosed) }
        if let partWaiter {
            if let error { partWaiter.resume(throwing: error) } else { partWaiter.resume(returning: nil) }
        }
    }

    func next() async throws -> ByteBuffer? {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<ByteBuffer?, any Error>) in
                let (outcome, resume) = state.withLockedValue { state -> (Result<ByteBuffer?, any Error>?, EventLoopPromise<Void>?) in
                    if let part = state.parts.popFirst() {
                        var resume: EventLoopPromise<Void>? = nil
                        if state.parts.count < StreamedResponse.window / 2 {
                            resume = state.resume
                            state.resume = nil
                        }
                        return (.success(part), resume)
                    }
                    switch state.end {
                    case .success?: return (.success(nil), nil)
                    case .failure(let error)?: return (.failure(error), nil)
                    case nil:
                        state.partWaiter = continuation
                        return (nil, nil)
                    }
                }
                resume?.succeed(())
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            abandon()
        }
    }

    /// The consumer is gone (cancelled, or the body dropped before its end): stop the request and
    /// release a paused connection. Nothing happens once the body has ended.
    func abandon() {
        let (action, waiter, resume) = state.withLockedValue { state in
            state.abandoned = true
            defer { state.abandon = nil; state.partWaiter = nil; state.resume = nil; state.parts.removeAll() }
            return (state.abandon, state.partWaiter, state.resume)
        }
        action?()
        waiter?.resume(throwing: CancellationError())
        resume?.succeed(())
    }
}
