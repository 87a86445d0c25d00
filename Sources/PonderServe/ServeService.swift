import Foundation
import NIOConcurrencyHelpers
import NIOHTTP1
import PonderCore

/// What `ponder serve` answers with: one loaded backend, its model's name, the think setting of
/// requests that set none, and the ``GenerationQueue`` that lets one reply run at a time.
///
/// Each chat request joins the queue and learns its position (the `X-Queue-Position` header, 0
/// when the engine was free, and a log line), waits its turn, then streams the backend's events
/// as OpenAI chunks (``CompletionChunks``) or gathers them into one answer (``CompletionResult``).
/// The task that reads the backend's stream is the request's own: when the client goes, the
/// connection cancels it (``ServeHandler``), the stream ends, and the engine stops before its next
/// token; the next request in line starts then. The engine keeps the conversation it last saw in
/// its KV cache, so the next turn of that conversation evaluates only its new tokens: the log line
/// and `usage.prompt_tokens_details.cached_tokens` say how many came from the cache.
public final class ServeService: Sendable {
    public let backend: any ChatBackend
    public let info: BackendInfo
    public let defaults: ThinkSetting
    public let queue = GenerationQueue()
    let log: ServeLog
    private let started = Int(Date().timeIntervalSince1970)
    private let counter = NIOLockedValueBox<UInt64>(0)

    /// The largest request body taken (a longer one is refused with 413 and the connection closed).
    public static let maxBodyBytes = 16 << 20
    /// The most requests waiting behind the running one; one more is refused with 503, so a
    /// flood of requests cannot hold unbounded memory.
    public static let maxWaiting = 64

    /// - Parameters:
    ///   - info: what the backend's `prepare()` returned (the model's name and context size).
    ///   - defaults: the think setting of a request that sets none.
    public init(backend: any ChatBackend, info: BackendInfo, defaults: ThinkSetting, log: ServeLog = .standardError) {
        self.backend = backend
        self.info = info
        self.defaults = defaults
        self.log = log
    }

    /// Answers one request.
    func respond(to head: HTTPRequestHead, body: [UInt8], writer: ResponseWriter) async {
        let number = counter.withLockedValue { count in
            count += 1
            return count
        }
        let route: ServeRoute
        do {
            route = try ServeRoute.resolve(method: head.method, target: head.uri)
        } catch {
            log("#\(number) \(error.status.code): \(error.message)")
            var headers = HTTPHeaders()
            if error.status == .methodNotAllowed, let endpoint = ServeRoute.endpoint(at: ServeRoute.path(of: head.uri)) {
                headers.add(name: "allow", value: endpoint.method.rawValue)
            }
            await writer.send(error, headers: headers)
            return
        }
        switch route {
        case .health:
            await writer.send(.ok, json: "{\"status\":\"ok\"}")
        case .models:
            await writer.send(.ok, json: modelList)
        case .chatCompletions:
            let request: CompletionRequest
            do {
                request = try CompletionRequest.decode(body, defaults: defaults)
            } catch {
                log("#\(number) 400: \(error.message)")
                await writer.send(error)
                return
            }
            await complete(request, number: number, writer: writer)
        }
    }

    /// `GET /v1/models`: the loaded model, with its context size as `context_length`.
    var modelList: String {
        var model = "{\"id\":\(JSONText.quoted(info.model)),\"object\":\"model\",\"created\":\(started),\"owned_by\":\"ponder\""
        if let context = info.contextSize { model += ",\"context_length\":\(context)" }
        return "{\"object\":\"list\",\"data\":[" + model + "}]}"
    }

    /// Queues, generates and writes one chat completion.
    func complete(_ request: CompletionRequest, number: UInt64, writer: ResponseWriter) async {
        guard let ticket = await queue.join(waitingAtMost: Self.maxWaiting) else {
            let error = ServeError(
                .serviceUnavailable, "\(Self.maxWaiting) requests are already waiting for the engine; try again later")
            log("#\(number) 503: \(error.message)")
            await writer.send(error, headers: HTTPHeaders([("retry-after", "10")]))
            return
        }
        let start = ContinuousClock.now
        log("#\(number) \(describe(request)): "
            + (ticket.position == 0 ? "starts at once" : "queued at position \(ticket.position) (\(ticket.position) ahead)"))
        var headers = HTTPHeaders([("x-queue-position", String(ticket.position))])
        if request.stream {
            headers.add(name: "content-type", value: "text/event-stream; charset=utf-8")
            headers.add(name: "cache-control", value: "no-cache")
            // The head goes out at once, so a queued client sees its position while it waits.
            do { try await writer.head(.ok, headers) } catch { await queue.leave(ticket); return }
        }
        do {
            try await queue.wait(for: ticket)
        } catch {
            log("#\(number) the client went away while queued")
            return
        }
        if ticket.position > 0 { log("#\(number) starts after \(seconds(since: start)) in the queue") }
        let generationStart = ContinuousClock.now
        let reply = ReplyIdentity.new(model: info.model)
        let outcome = await request.stream
            ? stream(request, reply: reply, writer: writer)
            : gather(request, reply: reply, headers: headers, writer: writer)
        // Logged before the next in line starts, so the log reads in the order things happened.
        if outcome.clientGone {
            log("#\(number) the client went away after \(seconds(since: generationStart)): its generation stopped")
        } else if let failure = outcome.failure {
            log("#\(number) failed after \(seconds(since: generationStart)): \(failure)")
        } else {
            log("#\(number) done in \(seconds(since: generationStart)): \(Self.summary(outcome.usage, outcome.finish))")
        }
        await queue.leave(ticket)
    }

    /// How a reply went: its last counts and end, the error that ended it, or the client leaving.
    private struct Outcome {
        var usage: Usage?
        var finish: FinishReason?
        var failure: String?
        var clientGone = false
    }

    private func stream(_ request: CompletionRequest, reply: ReplyIdentity, writer: ResponseWriter) async -> Outcome {
        var chunks = CompletionChunks(reply: reply, includeUsage: request.includeUsage)
        do {
            try await writer.body(chunks.start())
            for try await event in backend.reply(to: request.chat) {
                for text in chunks.events(for: event) { try await writer.body(text) }
            }
        } catch {
            if Self.clientGone(writer) { return Outcome(usage: chunks.usage, finish: chunks.finish, clientGone: true) }
            let message = String(describing: error)
            try? await writer.body(CompletionChunks.failure(message))
            await writer.end()
            return Outcome(usage: chunks.usage, finish: chunks.finish, failure: message)
        }
        // A stream that ended without its `.finished` was cancelled: the client went away.
        if chunks.finish == nil || Self.clientGone(writer) {
            return Outcome(usage: chunks.usage, finish: chunks.finish, clientGone: true)
        }
        await writer.end()
        return Outcome(usage: chunks.usage, finish: chunks.finish)
    }

    private func gather(_ request: CompletionRequest, reply: ReplyIdentity, headers: HTTPHeaders, writer: ResponseWriter) async
        -> Outcome
    {
        var result = CompletionResult(reply: reply)
        do {
            for try await event in backend.reply(to: request.chat) { result.add(event) }
        } catch {
            if Self.clientGone(writer) { return Outcome(usage: result.usage, finish: result.finish, clientGone: true) }
            let failure = ServeError(.internalServerError, String(describing: error))
            await writer.send(failure, headers: headers)
            return Outcome(usage: result.usage, finish: result.finish, failure: failure.message)
        }
        // A client that left while its whole answer was made is told nothing; the engine stopped.
        if result.finish == nil || result.finish == .cancelled || Self.clientGone(writer) {
            return Outcome(usage: result.usage, finish: result.finish, clientGone: true)
        }
        await writer.send(.ok, json: result.body, headers: headers)
        return Outcome(usage: result.usage, finish: result.finish)
    }

    /// The client closed the connection (the task was cancelled, or the connection is already down).
    private static func clientGone(_ writer: ResponseWriter) -> Bool { Task.isCancelled || !writer.channel.isActive }

    /// `stream, think on (budget 512), 3 messages`.
    private func describe(_ request: CompletionRequest) -> String {
        var think = "think \(request.chat.think.mode.rawValue)"
        if request.chat.think.mode == .on {
            if let budget = request.chat.think.budget { think += " (budget \(budget))" }
            else if let effort = request.chat.think.effort { think += " (effort \(effort))" }
        }
        let count = request.chat.messages.count
        return "POST /v1/chat/completions \(request.stream ? "stream" : "whole"), \(think), \(count) message\(count == 1 ? "" : "s")"
    }

    /// `stop; prompt 75 tokens: 49 from the cache, 26 evaluated (310 t/s); 30 tokens, 12 reasoning (18.2 t/s)`.
    static func summary(_ usage: Usage?, _ finish: FinishReason?) -> String {
        var text = (finish ?? .stop).rawValue
        guard let usage else { return text }
        if let prompt = usage.promptTokens {
            let evaluated = usage.promptTokensEvaluated ?? prompt
            text += "; prompt \(prompt) tokens: \(prompt - evaluated) from the cache, \(evaluated) evaluated"
            if let speed = usage.promptTokensPerSecond { text += String(format: " (%.0f t/s)", speed) }
        }
        if let completion = usage.completionTokens {
            text += "; \(completion) tokens"
            if let reasoning = usage.reasoningTokens, reasoning > 0 { text += ", \(reasoning) reasoning" }
            if let speed = usage.tokensPerSecond { text += String(format: " (%.1f t/s)", speed) }
        }
        return text
    }

    private func seconds(since start: ContinuousClock.Instant) -> String {
        let elapsed = ContinuousClock.now - start
        return String(format: "%.2f s", Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
}
