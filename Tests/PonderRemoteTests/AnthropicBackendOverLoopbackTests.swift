import Foundation
import PonderCore
import PonderRemote
import PonderTestSupport
import Testing

/// What the loopback server saw of one request.
private struct Seen: Sendable {
    var method: String
    var path: String
    var headers: [String: String]
    var body: Data
}

private let key = "sk-ant-api03-loopback-test-key-0123456789"
private let plainQuestion = ChatRequest(messages: [.user("Name a color.")], think: ThinkSetting(mode: .off))

/// The real ``RemoteBackend`` with `--api anthropic`, its key in `$ANTHROPIC_API_KEY` (the API's
/// default variable).
private func anthropicBackend(_ server: LoopbackServer) throws -> RemoteBackend {
    RemoteBackend(configuration: try RemoteConfiguration(
        server: server.url, api: .anthropic, apiKeyEnv: ServerAPI.anthropic.defaultAPIKeyEnv,
        environment: .fixed(["ANTHROPIC_API_KEY": key])))
}

/// An Anthropic-style server on loopback: `GET /v1/models` lists the documentation's model, and
/// `POST /v1/messages` is answered by `messages`; every request is recorded.
private func anthropicServer(
    seen: Recorder<Seen>, messages: @escaping @Sendable (LoopbackServer.Connection) -> Void
) throws -> LoopbackServer {
    let models = try Fixtures.string("anthropic/models.json")
    return try LoopbackServer { request, connection in
        seen.append(Seen(method: request.method, path: request.path, headers: request.headers, body: request.body))
        switch (request.method, request.path) {
        case ("GET", "/v1/models"): connection.write(Replies.json(200, models))
        case ("POST", "/v1/messages"): messages(connection)
        default:
            connection.write(Replies.json(404, #"{"type": "error", "error": {"type": "not_found_error", "message": "Not found"}}"#))
        }
    }
}

/// Replays a recorded stream in uneven chunks.
private func replay(_ bytes: [UInt8], on connection: LoopbackServer.Connection) {
    connection.write(Replies.sseHead)
    var offset = 0
    var size = 13
    while offset < bytes.count {
        let end = min(offset + size, bytes.count)
        connection.writeChunk(bytes[offset..<end])
        offset = end
        size = size * 3 % 101 + 1
    }
    connection.write("0\r\n\r\n")
}

@Suite(.timeLimit(.minutes(3)))
struct AnthropicBackendOverLoopbackTests {
    /// The documentation's extended-thinking stream (`thinking-stream.sse`, from "Streaming Messages",
    /// https://platform.claude.com/docs/en/build-with-claude/streaming) through the real backend: the request carries
    /// `x-api-key`, `anthropic-version: 2023-06-01` and no bearer token; the reply is the trace, its
    /// signature, the answer; the next request sends that thinking block back before the answer.
    @Test
    func thinkingReplyAndItsSignatureGoBackInTheNextRequest() async throws {
        let stream = Array(try Fixtures.data("anthropic/thinking-stream.sse"))
        let seen = Recorder<Seen>()
        let server = try anthropicServer(seen: seen) { replay(stream, on: $0) }
        defer { server.stop() }
        let backend = try anthropicBackend(server)

        let info = try await backend.prepare()
        #expect(info.model == "claude-sonnet-4-20250514")
        #expect(info.dialect == .anthropicThinking)
        #expect(info.capabilities.budget && !info.capabilities.answerNow)

        let question = ChatRequest(systemPrompt: "Be brief.", messages: [.user("What is 27 * 453?")], think: ThinkSetting(mode: .on))
        let (events, error) = await collect(backend.reply(to: question))
        #expect(error == nil)
        let trace = "Let me solve this step by step:\n\n1. First break down 27 * 453\n2. 453 = 400 + 50 + 3"
        #expect(joined(events).reasoning == trace)
        #expect(joined(events).content == "27 * 453 = 12,231")
        let sealed = events.compactMap { if case .sealedReasoning(let part) = $0 { part } else { nil } }
        #expect(sealed == [.signed(thinking: trace, signature: "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds...")])
        #expect(events.last == .finished(.stop))

        let requests = seen.all.filter { $0.path == "/v1/messages" }
        let first = try #require(requests.first)
        #expect(first.method == "POST")
        #expect(first.headers["x-api-key"] == key)
        #expect(first.headers["anthropic-version"] == "2023-06-01")
        #expect(first.headers["authorization"] == nil)
        #expect(first.headers["content-type"] == "application/json")
        #expect(seen.all.first?.headers["x-api-key"] == key)  // `GET /v1/models` too
        let firstBody = try #require(try JSONSerialization.jsonObject(with: first.body) as? [String: Any])
        #expect(firstBody["model"] as? String == "claude-sonnet-4-20250514")
        #expect(firstBody["system"] as? String == "Be brief.")
        #expect(firstBody["stream"] as? Bool == true)
        #expect((firstBody["thinking"] as? [String: Any])?["budget_tokens"] as? Int == 4096)

        // The chat keeps the reply with its sealed trace, and asks again with thinking off.
        var reply = Message.assistant("27 * 453 = 12,231", reasoning: trace, think: .on)
        reply.sealedReasoning = sealed
        let followUp = ChatRequest(messages: [.user("What is 27 * 453?"), reply, .user("And doubled?")], think: ThinkSetting(mode: .off))
        let (_, secondError) = await collect(backend.reply(to: followUp))
        #expect(secondError == nil)
        let second = try #require(seen.all.filter { $0.path == "/v1/messages" }.dropFirst().first)
        let secondBody = try #require(try JSONSerialization.jsonObject(with: second.body) as? [String: Any])
        #expect(secondBody["thinking"] == nil)
        let turns = try #require(secondBody["messages"] as? [[String: Any]])
        let assistant = try #require(turns.count == 3 ? turns[1]["content"] as? [[String: String]] : nil)
        #expect(assistant == [
            ["type": "thinking", "thinking": trace, "signature": "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds..."],
            ["type": "text", "text": "27 * 453 = 12,231"],
        ])
    }

    /// HTTP errors in Anthropic's shape ("Errors", https://platform.claude.com/docs/en/api/errors) give
    /// one line that says what happened, and never the key,
    /// even from a server that echoes it.
    @Test
    func httpErrorsAreOneLineWithoutTheKey() async throws {
        let cases: [(status: Int, file: String, headers: String, expected: String)] = [
            (529, "overloaded-error.json", "",
             "server is overloaded, try again in a moment (HTTP 529): The API is temporarily overloaded."),
            (429, "rate-limit-error.json", "retry-after: 20\r\n",
             "server is rate-limiting requests (HTTP 429): Your account has hit a rate limit.; retry after 20 s"),
            (400, "invalid-request-error.json", "",
             "server rejected the request: There was an issue with the format or content of your request. (HTTP 400)"),
            (401, "authentication-error.json", "",
             "server refused the API key (HTTP 401): check the key in $ANTHROPIC_API_KEY"),
        ]
        for (status, file, headers, expected) in cases {
            let body = try Fixtures.string("anthropic/" + file)
            let server = try anthropicServer(seen: Recorder()) { _ = $0.write(Replies.json(status, body, extraHeaders: headers)) }
            defer { server.stop() }
            let (events, error) = await collect(try anthropicBackend(server).reply(to: plainQuestion))
            #expect(events.isEmpty)
            #expect((error as? BackendError)?.message == expected, "HTTP \(status)")
        }

        let echo = #"{"type": "error", "error": {"type": "invalid_request_error", "message": "bad key \#(key) in x-api-key"}}"#
        let server = try anthropicServer(seen: Recorder()) { _ = $0.write(Replies.json(400, echo)) }
        defer { server.stop() }
        let (_, error) = await collect(try anthropicBackend(server).reply(to: plainQuestion))
        let message = try #require((error as? BackendError)?.message)
        #expect(message == "server rejected the request: bad key [key] in x-api-key (HTTP 400)")
        #expect(!message.contains(key))
    }

    /// An `error` event mid-stream keeps what arrived and ends with the overloaded line.
    @Test
    func overloadedMidStreamKeepsWhatArrived() async throws {
        let stream = Array(try Fixtures.data("anthropic/overloaded-error-stream.sse"))
        let server = try anthropicServer(seen: Recorder()) { replay(stream, on: $0) }
        defer { server.stop() }
        let (events, error) = await collect(try anthropicBackend(server).reply(to: plainQuestion))
        #expect(events == [.content("Hello")])
        #expect((error as? BackendError)?.message == "server is overloaded, try again in a moment: Overloaded (in the stream)")
    }

    /// No key in the environment: one line naming the variable, before anything is sent.
    @Test
    func missingKeySaysWhereToPutIt() async throws {
        let seen = Recorder<Seen>()
        let server = try anthropicServer(seen: seen) { _ in }
        defer { server.stop() }
        let backend = RemoteBackend(configuration: try RemoteConfiguration(
            server: server.url, api: .anthropic, apiKeyEnv: "ANTHROPIC_API_KEY", environment: .fixed([:])))
        await #expect(throws: BackendError(
            "$ANTHROPIC_API_KEY is not set or empty: export the API key there, or name another variable with --api-key-env")) {
            try await backend.prepare()
        }
        #expect(seen.all.isEmpty)
    }
}
