import Foundation
import PonderCore
import PonderRemote
import PonderTestSupport
import Testing

/// Drains a reply stream: every event, then the error that ended it (if any).
func collect(_ stream: AsyncThrowingStream<ChatEvent, any Error>) async -> (events: [ChatEvent], error: (any Error)?) {
    var events: [ChatEvent] = []
    do {
        for try await event in stream { events.append(event) }
        return (events, nil)
    } catch {
        return (events, error)
    }
}

func joined(_ events: [ChatEvent]) -> (reasoning: String, content: String) {
    var reasoning = "", content = ""
    for event in events {
        if case .reasoning(let text) = event { reasoning += text }
        if case .content(let text) = event { content += text }
    }
    return (reasoning, content)
}

let nameAColor = ChatRequest(messages: [.user("Name a color.")], think: ThinkSetting(mode: .on), maxTokens: 40)

/// An OpenAI-style server on loopback: the probes answer like a non-llama server, and `chat` answers
/// `POST /v1/chat/completions`.
private func openAIServer(
    models: String = #"{"object":"list","data":[{"id":"test-model","object":"model"}]}"#,
    chat: @escaping @Sendable (LoopbackServer.Request, LoopbackServer.Connection) -> Void
) throws -> LoopbackServer {
    try LoopbackServer { request, connection in
        switch (request.method, request.path) {
        case ("GET", "/v1/models"): connection.write(Replies.json(200, models))
        case ("POST", "/v1/chat/completions"): chat(request, connection)
        default: connection.write(Replies.json(404, #"{"error":{"message":"File Not Found","type":"not_found_error","code":404}}"#))
        }
    }
}

/// The `reasoning_content` of the complete `data:` lines in `text`, read with Foundation.
private func reasoningOfCompleteLines(_ text: String) throws -> String {
    var reasoning = ""
    for line in text.components(separatedBy: "\n\n").dropLast() where line.hasPrefix("data: {") {
        let json = try JSONSerialization.jsonObject(with: Data(line.dropFirst(6).utf8)) as? [String: Any]
        let delta = ((json?["choices"] as? [[String: Any]])?.first?["delta"]) as? [String: Any]
        reasoning += delta?["reasoning_content"] as? String ?? ""
    }
    return reasoning
}

@Suite(.timeLimit(.minutes(5)))
struct BackendOverLoopbackTests {
    @Test
    func streamCutHalfwayKeepsWhatArrivedAndEndsWithOneLine() async throws {
        let capture = Array(try Fixtures.data("llama-server/reasoning-stream.sse"))
        let half = capture.count / 2
        let server = try openAIServer { _, connection in
            connection.write(Replies.sseHead)
            // The real captured bytes, in uneven chunks, then the connection just ends.
            var offset = 0
            while offset < half {
                let end = min(offset + 997, half)
                connection.writeChunk(capture[offset..<end])
                offset = end
            }
        }
        defer { server.stop() }
        let backend = RemoteBackend(configuration: try RemoteConfiguration(server: server.url))
        let (events, error) = await collect(backend.reply(to: nameAColor))
        #expect((error as? BackendError)?.message == "the server closed the stream mid-reply")
        let expected = try reasoningOfCompleteLines(String(decoding: capture[..<half], as: UTF8.self))
        #expect(!expected.isEmpty)
        #expect(joined(events).reasoning == expected)
        #expect(events.allSatisfy { if case .reasoning = $0 { true } else { false } })
    }

    @Test
    func bodyThatEndsCleanlyWithoutFinishIsAlsoCut() async throws {
        let capture = Array(try Fixtures.data("llama-server/reasoning-stream.sse"))
        let server = try openAIServer { _, connection in
            connection.write(Replies.sseHead)
            connection.writeChunk(capture[..<3000])
            connection.write("0\r\n\r\n")
        }
        defer { server.stop() }
        let backend = RemoteBackend(configuration: try RemoteConfiguration(server: server.url))
        let (events, error) = await collect(backend.reply(to: nameAColor))
        #expect((error as? BackendError)?.message == "the server closed the stream mid-reply")
        #expect(joined(events).reasoning == (try reasoningOfCompleteLines(String(decoding: capture[..<3000], as: UTF8.self))))
    }

    @Test
    func wholeCaptureStreamsToFinished() async throws {
        let capture = Array(try Fixtures.data("llama-server/reasoning-stream.sse"))
        let server = try openAIServer { _, connection in
            connection.write(Replies.sseHead)
            for start in stride(from: 0, to: capture.count, by: 1500) {
                connection.writeChunk(capture[start..<min(start + 1500, capture.count)])
            }
            connection.write("0\r\n\r\n")
        }
        defer { server.stop() }
        let backend = RemoteBackend(configuration: try RemoteConfiguration(server: server.url))
        let (events, error) = await collect(backend.reply(to: nameAColor))
        #expect(error == nil)
        #expect(joined(events).reasoning == (try reasoningOfCompleteLines(String(decoding: capture, as: UTF8.self))))
        #expect(events.last == .finished(.length))
    }

    /// Many small parts and then the connection just ends: every part that arrived is kept. (With
    /// async-http-client in between, parts it still held when the connection closed were dropped:
    /// this test kept nothing of 300 one-byte chunks.)
    @Test
    func aServerThatDiesAfterManySmallPartsLosesNoneOfThem() async throws {
        let events = (0..<12).map { #"data: {"choices":[{"index":0,"delta":{"content":"w\#($0) "}}]}"# + "\n\n" }.joined()
        let server = try openAIServer { _, connection in
            connection.write(Replies.sseHead)
            for byte in Array(events.utf8) { connection.writeChunk([byte]) }
        }
        defer { server.stop() }
        for _ in 0..<5 {
            let (received, error) = await collect(RemoteBackend(configuration: try RemoteConfiguration(server: server.url))
                .reply(to: nameAColor))
            #expect(joined(received).content == (0..<12).map { "w\($0) " }.joined())
            #expect((error as? BackendError)?.message == "the server closed the stream mid-reply")
        }
    }

    @Test
    func cancellingTheConsumerClosesTheConnectionPromptly() async throws {
        // When the server thread saw the client close the connection (its own clock, so a busy test
        // runner polling late does not count against the client).
        let closedAt = Recorder<ContinuousClock.Instant?>()
        let server = try openAIServer { _, connection in
            connection.write(Replies.sseHead)
            connection.writeChunk(Array(#"data: {"choices":[{"index":0,"delta":{"content":"Hello"}}]}"#.utf8) + [10, 10])
            // Hold the reply open, as a slow model would, until the client goes away.
            closedAt.append(connection.waitForPeerClose(timeout: .seconds(120)) ? ContinuousClock.now : nil)
        }
        defer { server.stop() }
        let backend = RemoteBackend(configuration: try RemoteConfiguration(server: server.url))
        let firstEvent = Recorder<ChatEvent>()
        let consumer = Task {
            for try await event in backend.reply(to: nameAColor) { firstEvent.append(event) }
        }
        #expect(await firstEvent.value(timeout: .seconds(60)) == .content("Hello"))
        let cancelled = ContinuousClock.now
        consumer.cancel()
        let seen = await closedAt.value(timeout: .seconds(120))
        let closed = try #require(seen ?? nil, "the client never closed the connection")
        #expect(closed - cancelled < .seconds(5))
    }

    @Test
    func capturedErrorAnswersBecomeOneLine() async throws {
        for (headers, body, expected) in [
            ("too-long.headers", "too-long-stream.sse", "server: prompt is 6031 tokens but the context is 4096 (HTTP 400)"),
            ("not-found.headers", "not-found.body",
             "server has no /v1/chat/completions (HTTP 404): is http://127.0.0.1:PORT an OpenAI-compatible server?"),
        ] {
            let head = try Fixtures.data("llama-server/\(headers)")
            let payload = try Fixtures.data("llama-server/\(body)")
            let server = try openAIServer { _, connection in
                connection.write(head)
                connection.write(payload)
            }
            defer { server.stop() }
            let backend = RemoteBackend(configuration: try RemoteConfiguration(server: server.url))
            let (events, error) = await collect(backend.reply(to: nameAColor))
            #expect(events.isEmpty)
            #expect((error as? BackendError)?.message == expected.replacingOccurrences(of: "PORT", with: String(server.port)))
        }
    }

    @Test
    func apiKeyIsSentAsBearerAndARefusalNamesTheVariable() async throws {
        let key = "sk-test-0123456789abcdef"
        let seen = Recorder<String>()
        let server = try LoopbackServer { request, connection in
            seen.append(request.header("authorization") ?? "(none)")
            if request.path == "/v1/models" {
                connection.write(Replies.json(200, #"{"data":[{"id":"m"}]}"#))
            } else {
                connection.write(Replies.json(401, #"{"error":{"message":"Incorrect API key provided: \#(key)","type":"invalid_request_error"}}"#))
            }
        }
        defer { server.stop() }
        let configuration = try RemoteConfiguration(
            server: server.url, apiKeyEnv: "PONDER_TEST_KEY", environment: .fixed(["PONDER_TEST_KEY": key]))
        let (_, error) = await collect(RemoteBackend(configuration: configuration).reply(to: nameAColor))
        #expect((error as? BackendError)?.message == "server refused the API key (HTTP 401): check the key in $PONDER_TEST_KEY")
        #expect(seen.all.allSatisfy { $0 == "Bearer \(key)" } && !seen.all.isEmpty)

        // A refusal already at /v1/models fails prepare() with the same line.
        let refusing = try LoopbackServer { _, connection in connection.write(Replies.json(401, #"{"error":"unauthorized"}"#)) }
        defer { refusing.stop() }
        await #expect(throws: BackendError("server refused the API key (HTTP 401): check the key in $PONDER_TEST_KEY")) {
            try await RemoteBackend(configuration: try RemoteConfiguration(
                server: refusing.url, apiKeyEnv: "PONDER_TEST_KEY", environment: .fixed(["PONDER_TEST_KEY": key]))).prepare()
        }
    }

    /// A server that echoes the key — in the reply, one byte per chunk, and in an error inside the
    /// stream — never gets it into what ponder shows or keeps.
    @Test
    func aKeyTheServerEchoesNeverReachesTheReplyOrTheError() async throws {
        let key = "sk-test-0123456789abcdef"
        let server = try openAIServer { _, connection in
            connection.write(Replies.sseHead)
            let reply = #"data: {"choices":[{"index":0,"delta":{"content":"your key is \#(key), right?"}}]}"# + "\n\n"
            for byte in Array(reply.utf8) { connection.writeChunk([byte]) }
            connection.writeChunk(Array((#"data: {"error":{"message":"quota exceeded for \#(key)","type":"server_error"}}"# + "\n\n").utf8))
            connection.write("0\r\n\r\n")
            _ = connection.waitForPeerClose(timeout: .seconds(30))
        }
        defer { server.stop() }
        let backend = RemoteBackend(configuration: try RemoteConfiguration(
            server: server.url, apiKeyEnv: "PONDER_TEST_KEY", environment: .fixed(["PONDER_TEST_KEY": key])))
        let (events, error) = await collect(backend.reply(to: nameAColor))
        #expect(joined(events).content == "your key is [key], right?")
        let message = try #require((error as? BackendError)?.message)
        #expect(message == "server: quota exceeded for [key] (in the stream)")
    }

    @Test
    func prepareReadsModelAndContextFromLlamaServersModelList() async throws {
        let models = try Fixtures.string("llama-server/models.json")
        let server = try openAIServer(models: models) { _, _ in }
        defer { server.stop() }
        let info = try await RemoteBackend(configuration: try RemoteConfiguration(server: server.url + "/v1/")).prepare()
        #expect(info == BackendInfo(kind: .remote, model: "models/SmolLM2-135M-Instruct.Q4_1.gguf",
                                    serverURL: server.url, contextSize: 4096, dialect: ReasoningDialect.none,
                                    capabilities: ReasoningCapabilities(effort: true)))
        let named = try await RemoteBackend(configuration: try RemoteConfiguration(
            server: server.url, apiModel: "Qwen/Qwen3-8B")).prepare()
        #expect(named.model == "Qwen/Qwen3-8B" && named.dialect == .enableThinking)
    }

    @Test
    func serverWithoutAModelListNeedsApiModel() async throws {
        let server = try LoopbackServer { _, connection in connection.write(Replies.json(404, "{}")) }
        defer { server.stop() }
        await #expect(throws: BackendError("the server named no model at /v1/models (HTTP 404): name one with --api-model")) {
            try await RemoteBackend(configuration: try RemoteConfiguration(server: server.url)).prepare()
        }
    }

    @Test
    func nonStreamedAnswerIsDecoded() async throws {
        let body = try Fixtures.string("llama-server/reasoning-nonstream.json")
        let server = try openAIServer { _, connection in connection.write(Replies.json(200, body)) }
        defer { server.stop() }
        let (events, error) = await collect(RemoteBackend(configuration: try RemoteConfiguration(server: server.url)).reply(to: nameAColor))
        #expect(error == nil)
        #expect(joined(events).reasoning.hasPrefix("\n\nThe color of the user's name is:"))
        #expect(events.last == .finished(.length))
    }

    @Test
    func connectionRefusedOnADeadPort() async throws {
        let port = try LlamaServer.freePort()
        let backend = RemoteBackend(configuration: try RemoteConfiguration(server: "http://127.0.0.1:\(port)"))
        let started = ContinuousClock.now
        await #expect(throws: BackendError("cannot connect to http://127.0.0.1:\(port) — is the server running?")) {
            try await backend.prepare()
        }
        let (events, error) = await collect(backend.reply(to: nameAColor))
        #expect(events.isEmpty)
        #expect((error as? BackendError)?.message == "cannot connect to http://127.0.0.1:\(port) — is the server running?")
        // A refusal is final: it must show at once, not after async-http-client retried the
        // connect until the 10 s connect timeout (its default; ponder turns the retries off).
        // Both attempts together took 0.008 s here; 5 s leaves room for a loaded machine.
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    @Test
    func silentServerTimesOutWithTheIdleLimit() async throws {
        let server = try openAIServer { _, connection in
            connection.write(Replies.sseHead)
            _ = connection.waitForPeerClose(timeout: .seconds(20))
        }
        defer { server.stop() }
        let configuration = try RemoteConfiguration(
            server: server.url, timeouts: .init(connect: .seconds(5), idle: .seconds(1), probe: .seconds(5)))
        let (events, error) = await collect(RemoteBackend(configuration: configuration).reply(to: nameAColor))
        #expect(events.isEmpty)
        #expect((error as? BackendError)?.message == "the server sent nothing for 1 s mid-reply (timed out)")
    }

    @Test
    func unopenedCloseTeachesTheBackendThatTheTemplateForcesThinkingOpen() async throws {
        let server = try openAIServer { _, connection in
            connection.write(Replies.sseHead)
            for piece in ["Blue is calm", ".\n</th", "ink>\n\nBlue."] {
                let chunk = #"{"choices":[{"index":0,"delta":{"content":"\#(piece.replacingOccurrences(of: "\n", with: "\\n"))"}}]}"#
                connection.writeChunk(Array("data: \(chunk)\n\n".utf8))
            }
            connection.writeChunk(Array("data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n".utf8))
            connection.write("0\r\n\r\n")
        }
        defer { server.stop() }
        let backend = RemoteBackend(configuration: try RemoteConfiguration(server: server.url))
        let first = await collect(backend.reply(to: nameAColor))
        #expect(first.error == nil)
        #expect(joined(first.events).content == "Blue is calm.\n</think>\n\nBlue.")
        #expect(first.events.suffix(2).first.map { if case .notice = $0 { true } else { false } } == true)
        #expect(first.events.last == .finished(.stop))
        let second = await collect(backend.reply(to: nameAColor))
        #expect(joined(second.events) == ("Blue is calm.\n", "Blue."))
        #expect(second.events.last == .finished(.stop))
    }

    @Test
    func ollamaBackendStreamsTheNativeAPI() async throws {
        let bodies = Recorder<Data>()
        let stream = """
        {"model":"qwen3","message":{"role":"assistant","content":"","thinking":"Okay"},"done":false}
        {"model":"qwen3","message":{"role":"assistant","content":"Hi."},"done":false}
        {"model":"qwen3","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","prompt_eval_count":5,"eval_count":3,"eval_duration":30000000}

        """
        let server = try LoopbackServer { request, connection in
            switch request.path {
            case "/api/tags": connection.write(Replies.json(200, #"{"models":[{"name":"qwen3:latest","model":"qwen3:latest"}]}"#))
            case "/api/show": connection.write(Replies.json(200, #"{"capabilities":["completion","thinking"],"parameters":"num_ctx 4096"}"#))
            case "/api/chat":
                bodies.append(request.body)
                connection.write(Replies.ndjsonHead)
                for line in stream.split(separator: "\n") { connection.writeChunk(Array((line + "\n").utf8)) }
                connection.write("0\r\n\r\n")
            default: connection.write(Replies.json(404, #"{"error":"not found"}"#))
            }
        }
        defer { server.stop() }
        let backend = RemoteBackend(configuration: try RemoteConfiguration(server: server.url, api: .ollama))
        let info = try await backend.prepare()
        #expect(info == BackendInfo(kind: .remote, model: "qwen3:latest", serverURL: server.url, contextSize: 4096, dialect: .ollamaThink,
                                    capabilities: ReasoningCapabilities(effort: true)))
        let (events, error) = await collect(backend.reply(to: nameAColor))
        #expect(error == nil)
        #expect(events.prefix(2) == [.reasoning("Okay"), .content("Hi.")])
        #expect(events.last == .finished(.stop))
        let sentBody = try #require(bodies.all.first)
        let sent = try #require(try JSONSerialization.jsonObject(with: sentBody) as? [String: Any])
        #expect(sent["think"] as? Bool == true && sent["model"] as? String == "qwen3:latest")
        #expect((sent["options"] as? [String: Any])?["num_predict"] as? Int == 40)
    }
}
