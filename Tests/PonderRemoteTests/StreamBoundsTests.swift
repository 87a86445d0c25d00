import Foundation
import PonderCore
import PonderRemote
import PonderTestSupport
import Testing

/// A server cannot hold a reply open forever or fill memory: an endless line is refused at 1 MiB,
/// a server that drips bytes (or streams without end) meets the reply's deadline, and what arrived
/// before either is kept. A redirect to another origin does not take the API key along.
@Suite(.timeLimit(.minutes(2)))
struct StreamBoundsTests {
    private static let models = #"{"object":"list","data":[{"id":"test-model","object":"model"}]}"#

    private static func server(chat: @escaping @Sendable (LoopbackServer.Request, LoopbackServer.Connection) -> Void) throws
        -> LoopbackServer
    {
        try LoopbackServer { request, connection in
            switch (request.method, request.path) {
            case ("GET", "/v1/models"): connection.write(Replies.json(200, models))
            case ("POST", "/v1/chat/completions"): chat(request, connection)
            default: connection.write(Replies.json(404, #"{"error":{"message":"not found"}}"#))
            }
        }
    }

    private static func event(_ reasoning: String) -> String {
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"\(reasoning)\"}}]}\n\n"
    }

    @Test
    func anEndlessLineIsRefusedAtOneMebibyteAndWhatCameBeforeIsKept() async throws {
        let sent = Recorder<Int>()
        let server = try Self.server { _, connection in
            connection.write(Replies.sseHead)
            connection.writeChunk(Array(Self.event("first").utf8))
            connection.writeChunk(Array("data: ".utf8))
            let piece = [UInt8](repeating: UInt8(ascii: "a"), count: 64 << 10)
            var total = 0
            // Up to 64 MiB; the client hangs up long before.
            while total < 64 << 20, connection.writeChunk(piece) { total += piece.count }
            sent.append(total)
        }
        defer { server.stop() }
        let backend = RemoteBackend(configuration: try RemoteConfiguration(server: server.url))
        let (events, error) = await collect(backend.reply(to: nameAColor))
        #expect((error as? BackendError)?.message
            == "the server sent a stream line or event larger than 1 MiB; ponder stopped reading it")
        #expect(joined(events).reasoning == "first")
        let written = try #require(await sent.value(timeout: .seconds(20)))
        print("endless line: the server got \(written >> 10) KiB out before ponder hung up")
        #expect(written < 16 << 20, "ponder stopped reading long before 64 MiB")
    }

    /// One byte every 50 ms never completes an event, and never lets the idle timeout fire: the
    /// reply's deadline ends it.
    @Test
    func aServerThatDripsBytesMeetsTheReplyDeadline() async throws {
        let server = try Self.server { _, connection in
            connection.write(Replies.sseHead)
            connection.writeChunk(Array(Self.event("first").utf8))
            for byte in Array(String(repeating: "data: {\"choices\":", count: 10_000).utf8) {
                guard connection.writeChunk([byte]) else { return }
                usleep(50_000)
            }
        }
        defer { server.stop() }
        let timeouts = RemoteConfiguration.Timeouts(idle: .seconds(30), reply: .seconds(2))
        let backend = RemoteBackend(configuration: try RemoteConfiguration(server: server.url, timeouts: timeouts))
        let start = ContinuousClock.now
        let (events, error) = await collect(backend.reply(to: nameAColor))
        let took = ContinuousClock.now - start
        #expect((error as? BackendError)?.message == "the reply took longer than its deadline of 2 s (--deadline) and was cut there")
        #expect(joined(events).reasoning == "first")
        print("drip: cut after \(took)")
        #expect(took < .seconds(10))
    }

    /// A stream of real events that never ends is cut at the deadline too, keeping every event.
    @Test
    func aStreamWithoutEndIsCutAtTheDeadlineKeepingItsEvents() async throws {
        let server = try Self.server { _, connection in
            connection.write(Replies.sseHead)
            for index in 0..<100_000 {
                guard connection.writeChunk(Array(Self.event("t\(index) ").utf8)) else { return }
                usleep(20_000)
            }
        }
        defer { server.stop() }
        let timeouts = RemoteConfiguration.Timeouts(reply: .seconds(1))
        let backend = RemoteBackend(configuration: try RemoteConfiguration(server: server.url, timeouts: timeouts))
        var request = nameAColor
        request.loopGuard = false
        let (events, error) = await collect(backend.reply(to: request))
        #expect((error as? BackendError)?.message == "the reply took longer than its deadline of 1 s (--deadline) and was cut there")
        let reasoning = joined(events).reasoning
        let count = reasoning.split(separator: " ").count
        print("endless stream: \(count) events kept before the 1 s deadline")
        #expect(count >= 5 && reasoning.hasPrefix("t0 t1 t2 "))
    }

    /// A server that redirects the chat request to another origin: async-http-client follows it,
    /// and the API key stays behind (it went only to the server it was given for).
    @Test
    func aRedirectToAnotherOriginDoesNotCarryTheKey() async throws {
        let seen = Recorder<(String, String?)>()
        let other = try LoopbackServer { request, connection in
            seen.append(("other " + request.path, request.header("authorization")))
            connection.write(Replies.sseHead)
            connection.writeChunk(Array((Self.event("moved") + "data: [DONE]\n\n").utf8))
            connection.write("0\r\n\r\n")
        }
        defer { other.stop() }
        let first = try LoopbackServer { request, connection in
            seen.append(("first " + request.path, request.header("authorization")))
            switch request.path {
            case "/v1/models": connection.write(Replies.json(200, Self.models))
            case "/v1/chat/completions":
                connection.write("HTTP/1.1 307 Temporary Redirect\r\nLocation: \(other.url)/v1/chat/completions\r\n"
                    + "Content-Length: 0\r\nConnection: close\r\n\r\n")
            default: connection.write(Replies.json(404, #"{"error":{"message":"not found"}}"#))
            }
        }
        defer { first.stop() }
        let key = "sk-test-\(UUID().uuidString)"
        let backend = RemoteBackend(configuration: try RemoteConfiguration(
            server: first.url, apiKeyEnv: "PONDER_TEST_KEY", environment: .fixed(["PONDER_TEST_KEY": key])))
        let (events, error) = await collect(backend.reply(to: nameAColor))
        #expect(error == nil)
        #expect(joined(events).reasoning == "moved")
        let requests = seen.all.filter { $0.0.hasSuffix("/chat/completions") }
        #expect(requests.map(\.0) == ["first /v1/chat/completions", "other /v1/chat/completions"])
        #expect(requests.first { $0.0 == "first /v1/chat/completions" }?.1 == "Bearer \(key)")
        #expect(requests.first { $0.0.hasPrefix("other") }.map { $0.1 == nil } == true, "the other origin got no key")
    }
}
