import Foundation
import PonderCore
import PonderTestSupport
import Testing

/// `ponder ask` against Anthropic's API, through the real binary and a loopback server replaying the
/// extended-thinking stream of "Streaming Messages"
/// (https://platform.claude.com/docs/en/build-with-claude/streaming; `Tests/Fixtures/anthropic`).
@Suite(.timeLimit(.minutes(3)))
struct AnthropicAskTests {
    /// `--provider anthropic` (the spelling of `--api`), the key from `$ANTHROPIC_API_KEY`,
    /// `--continue` twice: the answer on stdout, the trace on stderr; the transcript keeps the
    /// signed thinking block; the second call sends it back before the first answer.
    @Test
    func askContinuesAConversationWithItsSignedThinking() throws {
        let stream = Array(try Fixtures.data("anthropic/thinking-stream.sse"))
        let models = try Fixtures.string("anthropic/models.json")
        let requests = Recorder<LoopbackServer.Request>()
        let server = try LoopbackServer { request, connection in
            requests.append(request)
            if request.path == "/v1/models" {
                connection.write(Replies.json(200, models))
            } else {
                connection.write(Replies.sseHead)
                connection.writeChunk(stream)
                connection.write("0\r\n\r\n")
            }
        }
        defer { server.stop() }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ponder-anthropic-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let key = "sk-ant-cli-test-0123456789"
        func ask(_ arguments: [String]) throws -> ProgramOutput {
            try Program.run(try Peers.ponderBinary(),
                            ["ask", "--server", server.url, "--provider", "anthropic", "--transcripts", folder.path,
                             "--continue", "claude"] + arguments,
                            environment: ["ANTHROPIC_API_KEY": key, "XDG_CONFIG_HOME": folder.path], timeout: .seconds(60))
        }

        let first = try ask(["--think", "on", "What is 27 * 453?"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout == "27 * 453 = 12,231\n")
        #expect(first.stderr.contains("1. First break down 27 * 453"))
        let second = try ask(["--think", "off", "And doubled?"])
        #expect(second.status == 0, "\(second.stderr)")

        let posts = requests.all.filter { $0.path == "/v1/messages" }
        try #require(posts.count == 2)
        #expect(posts.allSatisfy { $0.header("x-api-key") == key && $0.header("anthropic-version") == "2023-06-01" })
        #expect((posts[0].json?["thinking"] as? [String: Any])?["type"] as? String == "enabled")
        #expect(posts[1].json?["thinking"] == nil)
        let turns = try #require(posts[1].json?["messages"] as? [[String: Any]])
        try #require(turns.count == 3)
        let trace = "Let me solve this step by step:\n\n1. First break down 27 * 453\n2. 453 = 400 + 50 + 3"
        let signature = "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds..."
        #expect(turns[1]["content"] as? [[String: String]] == [
            ["type": "thinking", "thinking": trace, "signature": signature],
            ["type": "text", "text": "27 * 453 = 12,231"],
        ])

        let saved = try Transcript.load(from: folder.appendingPathComponent("claude.json"))
        #expect(saved.conversation.messages.count == 4)
        #expect(saved.conversation.messages[1].sealedReasoning == [.signed(thinking: trace, signature: signature)])
        #expect(saved.backend?.dialect == .anthropicThinking)
        #expect(!String(decoding: try Data(contentsOf: folder.appendingPathComponent("claude.json")), as: UTF8.self).contains(key))
    }
}
