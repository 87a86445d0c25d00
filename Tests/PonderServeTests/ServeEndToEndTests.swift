import Foundation
import PonderCore
import PonderRemote
import PonderTestSupport
import Testing

/// The real `ponder serve` on a loopback port with SmolLM2 (which reasons when ponder forces
/// `<think>`): ponder's own remote backend with thinking on and off, the official `openai` Python
/// client, HTTP statuses for bad requests, the queue, a client that disconnects, and the KV cache
/// kept between turns of a conversation.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct ServeEndToEndTests {
    static let question = #"[{"role": "user", "content": "What is the capital of France?"}]"#
    /// How a chunk of answer text starts (the first chunk, the role's, has `"role"` first).
    static let answerPiece = #""delta":{"content":"#

    /// One whole exchange on a fresh connection.
    static func exchange(_ server: ServeProcess, _ method: String, _ path: String, json: String? = nil)
        async throws -> (head: RawHTTPConnection.Head, body: String)
    {
        let port = server.port
        return try await blocking {
            let connection = try RawHTTPConnection(port: port)
            connection.send(RawHTTPConnection.request(method, path, json: json))
            let head = try connection.readHead()
            return (head, String(decoding: try connection.readBody(head), as: UTF8.self))
        }
    }

    static func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "not a JSON object: \(text.prefix(300))")
    }

    static func errorMessage(_ body: String) throws -> String {
        try #require((try object(body)["error"] as? [String: Any])?["message"] as? String)
    }

    @Test func healthModelsAndTheStatusOfEveryBadRequest() async throws {
        let server = try await ServeProcess.start(model: try Peers.model(Peers.smolLM2), ["--ctx", "2048", "--threads", "2"])
        defer { server.stop() }

        let health = try await Self.exchange(server, "GET", "/health")
        #expect(health.head.status == 200 && health.head.headers["server"] == "ponder")
        #expect(try Self.object(health.body)["status"] as? String == "ok")

        let models = try await Self.exchange(server, "GET", "/v1/models")
        let model = try #require((try Self.object(models.body)["data"] as? [[String: Any]])?.first)
        #expect(model["id"] as? String == Peers.smolLM2)
        #expect(model["context_length"] as? Int == 2048 && model["owned_by"] as? String == "ponder")

        let missing = try await Self.exchange(server, "GET", "/v1/completions")
        #expect(missing.head.status == 404)
        #expect(try Self.errorMessage(missing.body).hasPrefix("no such endpoint: GET \"/v1/completions\""))

        let wrongMethod = try await Self.exchange(server, "GET", "/v1/chat/completions")
        #expect(wrongMethod.head.status == 405 && wrongMethod.head.headers["allow"] == "POST")

        let notJSON = try await Self.exchange(server, "POST", "/v1/chat/completions", json: "{\"messages\": [")
        #expect(notJSON.head.status == 400)
        #expect(try Self.errorMessage(notJSON.body).hasPrefix("the body is not valid JSON"))

        let badRole = try await Self.exchange(
            server, "POST", "/v1/chat/completions", json: #"{"messages": [{"role": "robot", "content": "Hi"}]}"#)
        #expect(badRole.head.status == 400)
        let error = try #require(try Self.object(badRole.body)["error"] as? [String: Any])
        #expect(error["param"] as? String == "messages[0].role" && error["type"] as? String == "invalid_request_error")

        // A body announced larger than the limit is refused before it is sent, and the connection closed.
        let port = server.port
        let tooLarge = try await blocking {
            let connection = try RawHTTPConnection(port: port)
            connection.send(Array(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: \(16 << 20 + 1)\r\n\r\n{\"messages\": [").utf8))
            let head = try connection.readHead()
            return (head, String(decoding: try connection.readBody(head), as: UTF8.self))
        }
        #expect(tooLarge.0.status == 413 && tooLarge.0.headers["connection"] == "close")
        #expect(try Self.errorMessage(tooLarge.1).contains("at most 16777216"))

        // A client that asks to be told to go on before it sends its body is told so, then answered.
        let continued = try await blocking {
            let connection = try RawHTTPConnection(port: port)
            let body = #"{"messages": [{"role": "user", "content": "Hi"}], "max_tokens": 1}"#
            connection.send(Array(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: \(body.utf8.count)\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n").utf8))
            let proceed = try connection.readHead()
            connection.send(Array(body.utf8))
            let head = try connection.readHead()
            return (proceed.status, head.status, String(decoding: try connection.readBody(head), as: UTF8.self))
        }
        #expect(continued.0 == 100 && continued.1 == 200, "\(continued.2)")

        // The server is still there, and logged each refusal on one line.
        #expect(try await Self.exchange(server, "GET", "/health").head.status == 200)
        try await server.waitForLog("400: messages[0].role")
        try await server.waitForLog("refused, 413")

        // SIGTERM stops it cleanly.
        let stopping = ContinuousClock.now
        server.stop(grace: .seconds(10))
        #expect(server.exitStatus == 0 && ContinuousClock.now - stopping < .seconds(5))
        #expect(server.log().hasSuffix("ponder serve: stopped\n"), "\(server.log().suffix(300))")
    }

    /// ponder's own client, as `ponder --server` uses it: it recognises ponder serve, switches
    /// thinking with enable_thinking, and gets a plain answer with thinking off and a trace then an
    /// answer with thinking on (the budget closes the trace, as the embedded engine's does).
    @Test func ponderRemoteBackendWithThinkingOffAndOn() async throws {
        let server = try await ServeProcess.start(model: try Peers.model(Peers.smolLM2), ["--ctx", "2048", "--threads", "2"])
        defer { server.stop() }
        let backend = RemoteBackend(configuration: try RemoteConfiguration(server: server.url))
        let info = try await backend.prepare()
        #expect(info.model == Peers.smolLM2 && info.contextSize == 2048)
        #expect(info.dialect == .enableThinking, "ponder serve takes enable_thinking for every model")
        #expect(info.capabilities.budget)

        func reply(_ think: ThinkSetting) async throws -> (reasoning: String, content: String, usage: Usage?, finish: FinishReason?) {
            let request = ChatRequest(messages: [.user("How many legs do three spiders and two ants have in total?")], think: think,
                                      sampler: .greedy, maxTokens: 64)
            var result: (reasoning: String, content: String, usage: Usage?, finish: FinishReason?) = ("", "", nil, nil)
            for try await event in backend.reply(to: request) {
                switch event {
                case .reasoning(let text): result.reasoning += text
                case .content(let text): result.content += text
                case .usage(let usage): result.usage = usage
                case .finished(let reason): result.finish = reason
                default: break
                }
            }
            return result
        }
        let off = try await reply(ThinkSetting(mode: .off))
        #expect(off.reasoning.isEmpty)
        #expect(!off.content.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
        #expect(off.finish != nil)
        try await server.waitForLog("think off")

        let on = try await reply(ThinkSetting(mode: .on, budget: 16))
        print("ponder serve, think on: reasoning \(on.reasoning.debugDescription); answer \(on.content.debugDescription)")
        #expect(!on.reasoning.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
        #expect(!on.content.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
        #expect(!on.reasoning.contains("<think>") && !on.content.contains("</think>"))
        let usage = try #require(on.usage)
        #expect(usage.reasoningTokens == 16, "the budget the client sent was the engine's")
        try await server.waitForLog("think on (budget 16)")
    }

    /// The second turn of a conversation reuses the KV cache the first left: the whole first prompt
    /// (and the reply) come from the cache, only the new turn is evaluated.
    @Test func theNextTurnOfAConversationIsNotPrefilledAgain() async throws {
        let server = try await ServeProcess.start(model: try Peers.model(Peers.smolLM2), ["--ctx", "2048", "--threads", "2"])
        defer { server.stop() }
        func ask(_ messages: String) async throws -> (content: String, prompt: Int, cached: Int) {
            let answer = try await Self.exchange(server, "POST", "/v1/chat/completions", json: """
                {"messages": \(messages), "max_tokens": 24, "temperature": 0, "repeat_penalty": 1}
                """)
            #expect(answer.head.status == 200, "\(answer.body)")
            let object = try Self.object(answer.body)
            let usage = try #require(object["usage"] as? [String: Any])
            let content = try #require(((object["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any])?["content"] as? String)
            let cached = try #require((usage["prompt_tokens_details"] as? [String: Any])?["cached_tokens"] as? Int)
            return (content, try #require(usage["prompt_tokens"] as? Int), cached)
        }
        let first = try await ask(Self.question)
        #expect(first.cached == 0)
        let history = try JSONSerialization.data(withJSONObject: [
            ["role": "user", "content": "What is the capital of France?"], ["role": "assistant", "content": first.content],
            ["role": "user", "content": "And of Italy?"],
        ])
        let second = try await ask(String(decoding: history, as: UTF8.self))
        print("prefix reuse over HTTP: turn 1 prompt \(first.prompt) tokens; turn 2 prompt \(second.prompt), \(second.cached) cached")
        #expect(second.cached >= first.prompt, "the first turn's prompt came from the cache")
        #expect(second.prompt - second.cached < 24, "only the reply's end and the new turn were evaluated")
        try await server.waitForLog("\(second.cached) from the cache")
    }

    /// A streamed request that reads until `until` holds of what arrived; the head and the text.
    static func streamUntil(_ port: Int, _ json: String, until: @escaping @Sendable (String) -> Bool)
        async throws -> (RawHTTPConnection, RawHTTPConnection.Head, String)
    {
        try await blocking {
            let connection = try RawHTTPConnection(port: port)
            connection.send(RawHTTPConnection.request("POST", "/v1/chat/completions", json: json))
            let head = try connection.readHead()
            var text = ""
            while !until(text), let chunk = try connection.readChunk() { text += String(decoding: chunk, as: UTF8.self) }
            return (connection, head, text)
        }
    }

    /// SmolLM2 greedy with no repetition penalty repeats itself on this question until the token
    /// limit ("…, la France, la France, …"): a reply of known length, with no loop guard on the
    /// server.
    static func looping(maxTokens: Int) -> String {
        #"{"messages": \#(question), "stream": true, "max_tokens": \#(maxTokens), "temperature": 0, "repeat_penalty": 1}"#
    }

    @Test func aSecondRequestWaitsInLineAndRunsAfterTheFirst() async throws {
        let server = try await ServeProcess.start(model: try Peers.model(Peers.smolLM2), ["--ctx", "2048", "--threads", "2"])
        defer { server.stop() }
        let port = server.port
        // The first is running once its first token has arrived.
        let (firstConnection, firstHead, firstStart) = try await Self.streamUntil(port, Self.looping(maxTokens: 200)) {
            $0.contains(Self.answerPiece)
        }
        #expect(firstHead.headers["x-queue-position"] == "0")
        #expect(!firstStart.contains("[DONE]"))
        // The second's head comes at once, with its place in line; its reply only after the first's.
        let (secondConnection, secondHead, _) = try await Self.streamUntil(
            port, #"{"messages": \#(Self.question), "stream": true, "max_tokens": 8, "temperature": 0}"#) { _ in true }
        #expect(secondHead.status == 200 && secondHead.headers["x-queue-position"] == "1")
        try await server.waitForLog("#2 POST /v1/chat/completions stream, think off, 1 message: queued at position 1")

        let firstRest = try await blocking {
            var text = ""
            while let chunk = try firstConnection.readChunk() { text += String(decoding: chunk, as: UTF8.self) }
            return text
        }
        #expect(firstRest.hasSuffix("data: [DONE]\n\n"))
        let secondText = try await blocking {
            var text = ""
            while let chunk = try secondConnection.readChunk() { text += String(decoding: chunk, as: UTF8.self) }
            return text
        }
        #expect(secondText.hasSuffix("data: [DONE]\n\n"))
        #expect(eventPayloads(secondText).contains { $0.contains("\"finish_reason\":\"length\"") })
        // The server's own order: the first done, then the second starts.
        let log = server.log()
        let firstDone = try #require(log.range(of: "#1 done in"))
        let secondStarts = try #require(log.range(of: "#2 starts after"))
        #expect(firstDone.lowerBound < secondStarts.lowerBound, "\(log)")
    }

    /// A client that drops mid-reply frees the engine at once: the reply it abandoned had
    /// thousands of tokens to go, and the next request starts first in line and finishes in
    /// the time of its own few tokens.
    @Test func aClientThatDisconnectsStopsItsGeneration() async throws {
        let server = try await ServeProcess.start(model: try Peers.model(Peers.smolLM2), ["--ctx", "8192", "--threads", "2"])
        defer { server.stop() }
        let port = server.port
        let (dropped, _, received) = try await Self.streamUntil(port, Self.looping(maxTokens: 6000)) {
            $0.components(separatedBy: Self.answerPiece).count > 20
        }
        #expect(!received.contains("[DONE]"))
        let closedAt = ContinuousClock.now
        dropped.close()
        try await server.waitForLog("#1 the client went away", timeout: .seconds(10))
        let noticed = ContinuousClock.now - closedAt
        let (next, head, _) = try await Self.streamUntil(
            port, #"{"messages": \#(Self.question), "stream": true, "max_tokens": 8, "temperature": 0}"#) { _ in true }
        #expect(head.headers["x-queue-position"] == "0")
        let rest = try await blocking {
            var text = ""
            while let chunk = try next.readChunk() { text += String(decoding: chunk, as: UTF8.self) }
            return text
        }
        let finished = ContinuousClock.now - closedAt
        print("disconnect: noticed after \(noticed), the next reply done \(finished) after the close")
        #expect(rest.hasSuffix("data: [DONE]\n\n"))
        #expect(noticed < .seconds(2))
        // The abandoned reply had thousands of tokens left (tens of seconds on two cores).
        #expect(finished < .seconds(8))
    }

    /// A client that gives up while waiting in line leaves it: the one after it moves up, and
    /// starts as soon as the running reply ends.
    @Test func aClientThatLeavesTheQueueGivesUpItsPlace() async throws {
        let server = try await ServeProcess.start(model: try Peers.model(Peers.smolLM2), ["--ctx", "8192", "--threads", "2"])
        defer { server.stop() }
        let port = server.port
        let short = #"{"messages": \#(Self.question), "stream": true, "max_tokens": 4, "temperature": 0}"#
        let (running, _, _) = try await Self.streamUntil(port, Self.looping(maxTokens: 6000)) { $0.contains(Self.answerPiece) }
        let (leaving, leavingHead, _) = try await Self.streamUntil(port, short) { _ in true }
        #expect(leavingHead.headers["x-queue-position"] == "1")
        leaving.close()
        try await server.waitForLog("the client went away while queued", timeout: .seconds(10))
        let (next, nextHead, _) = try await Self.streamUntil(port, short) { _ in true }
        #expect(nextHead.headers["x-queue-position"] == "1", "only the running reply is ahead")
        running.close()
        let rest = try await blocking {
            var text = ""
            while let chunk = try next.readChunk() { text += String(decoding: chunk, as: UTF8.self) }
            return text
        }
        #expect(rest.hasSuffix("data: [DONE]\n\n"))
    }

    /// The official `openai` Python client streams the trace as `reasoning_content`, then the
    /// answer, with the usage chunk; a whole reply carries both in its message; a bad request is
    /// the client's BadRequestError with the server's message.
    @Test func theOpenAIPythonClientStreamsReasoningContent() async throws {
        let python = try Peers.program("PYTHON")
        let server = try await ServeProcess.start(model: try Peers.model(Peers.smolLM2), ["--ctx", "2048", "--threads", "2"])
        defer { server.stop() }
        let script = Fixtures.root.deletingLastPathComponent().appendingPathComponent("Conformance/openai_client.py").path
        let url = server.url
        let output = try await blocking { try Program.run(python, [script, url], timeout: .seconds(300)) }
        #expect(output.status == 0, "\(output.stderr.suffix(1200))")
        let result = try Self.object(output.stdout)

        let stream = try #require(result["stream"] as? [String: Any])
        let kinds = try #require(stream["kinds"] as? [String])
        print("openai client: \(stream["reasoning"] ?? "") | \(stream["content"] ?? "")")
        let firstAnswer = try #require(kinds.firstIndex(of: "content"), "no answer in \(stream)")
        #expect(firstAnswer > 0 && kinds[..<firstAnswer].allSatisfy { $0 == "reasoning" }, "the trace streams first: \(kinds)")
        #expect(!kinds[firstAnswer...].contains("reasoning"))
        #expect(!(stream["reasoning"] as? String ?? "<think>").contains("<think>"))
        #expect(stream["ids"] as? Int == 1, "every chunk names the same completion")
        let usage = try #require(stream["usage"] as? [String: Any])
        #expect((usage["completion_tokens_details"] as? [String: Any])?["reasoning_tokens"] as? Int == 24)
        #expect((usage["completion_tokens"] as? Int ?? 0) > 24)

        let whole = try #require(result["whole"] as? [String: Any])
        #expect(!(whole["content"] as? String ?? "").isEmpty)
        #expect(whole["reasoning"] is NSNull, "thinking off: no trace")
        #expect(((whole["usage"] as? [String: Any])?["prompt_tokens"] as? Int ?? 0) > 0)

        let refused = try #require(result["refused"] as? [String: Any])
        #expect(refused["status"] as? Int == 400)
        #expect((refused["message"] as? String ?? "").hasPrefix("messages[0].role: expected"))
    }
}
