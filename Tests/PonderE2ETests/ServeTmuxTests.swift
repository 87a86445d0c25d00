import Foundation
import PonderTestSupport
import Testing

/// ponder's TUI (tmux, `--server`) chatting with a real `ponder serve`: a reply with thinking off,
/// Ctrl-T, a reply with thinking on whose trace streams into a thinking block; the server's log
/// shows each request's think mode and that the second turn reused the first's KV cache.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct ServeTmuxTests {
    @Test func theChatTalksToPonderServeWithThinkingOffThenOn() async throws {
        let server = try await ServeProcess.start(model: try Peers.model(Peers.smolLM2), ["--ctx", "2048", "--threads", "2"])
        defer { server.stop() }
        let workspace = try ChatTmuxTests.Workspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        let tmux = try ChatTmuxTests().launch(workspace, server: server.url, flags: [
            "--think", "off", "--temperature", "0", "--max-tokens", "48", "--think-budget", "16",
        ])

        // ponder recognises the server and says that Ctrl-T switches enable_thinking.
        try await tmux.poll("the model in the status bar", timeout: 60) {
            ChatTmuxTests.statusBar($0).contains("think: off") && ChatTmuxTests.statusBar($0).contains("SmolLM2")
        }
        try await tmux.poll(text: "enable_thinking")

        tmux.type("What is the capital of France?")
        tmux.press("Enter")
        var rows = try await tmux.poll("the first answer", timeout: 120) {
            !ChatTmuxTests.isReplying($0) && $0.contains("Assistant · think off")
        }
        let answerRow = try #require(rows.firstIndex(of: "Assistant · think off")) + 1
        #expect(rows[answerRow].hasPrefix("  ") && rows[answerRow].count > 3, "the answer shows under its label")
        #expect(!rows.contains { $0.contains("Thought for") || $0.contains("Thinking…") })
        try await server.waitForLog("POST /v1/chat/completions stream, think off, 1 message")

        tmux.press("C-t")
        try await tmux.poll("think: on in the status bar") { ChatTmuxTests.statusBar($0).contains("think: on") }
        tmux.type("How many legs do three spiders and two ants have in total?")
        tmux.press("Enter")
        rows = try await tmux.poll("the second reply, with a trace", timeout: 120) {
            !ChatTmuxTests.isReplying($0) && $0.contains("Assistant · think on")
                && $0.contains { $0.contains("Thought for") && $0.contains("token") }
        }
        let label = try #require(rows.firstIndex(of: "Assistant · think on"))
        #expect(rows[(label + 1)...].contains { $0.hasPrefix("  ") && !$0.contains("Thought for") && $0.count > 3 },
                "an answer follows the trace")
        let line = try await server.waitForLog("POST /v1/chat/completions stream, think on (budget 16), 3 messages")
        #expect(line.contains("starts at once"))
        // The second turn evaluated its new tokens only: the first's prompt was in the cache.
        let number = try #require(line.split(separator: " ").first { $0.hasPrefix("#") })
        let done = try await server.waitForLog("\(number) done in")
        let cached = try #require(done.split(separator: " ").firstIndex(of: "from")).advanced(by: -1)
        let count = Int(done.split(separator: " ")[cached]) ?? 0
        print("ponder serve with the TUI: \(done)")
        #expect(count > 10, "\(done)")

        tmux.press("C-q")
        try await tmux.poll(text: "EXIT=0")
    }
}
