import Foundation
import PonderCore
import PonderTestSupport
import Testing

/// A newcomer's first answers: `ponder --model` on the default model with its default sampler
/// settings, six new conversations asking the France question. No reply may end in a loop the
/// guard did not stop, and a stopped one says so on screen and in its transcript.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct LoopGuardTmuxTests {
    typealias Workspace = ChatTmuxTests.Workspace

    /// Every finished assistant reply in the transcripts folder, one per conversation file.
    static func finishedReplies(_ workspace: Workspace) -> [[String: Any]] {
        workspace.savedFiles(".json").compactMap { file in
            guard let data = try? Data(contentsOf: file),
                  let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let messages = root["messages"] as? [[String: Any]],
                  let reply = messages.last(where: { $0["role"] as? String == "assistant" }),
                  reply["duration"] != nil
            else { return nil }
            return reply
        }
    }

    @Test func sixNewConversationsNoneEndsInAnUnstoppedLoop() async throws {
        let workspace = try Workspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        let tmux = try EmbeddedChatTmuxTests().launch(
            workspace, model: try Peers.model(Peers.smolLM2), width: 120, height: 40, flags: [])
        try await tmux.poll("the model in the status bar", timeout: 60) {
            ChatTmuxTests.statusBar($0).contains("SmolLM2-135M-Instruct")
        }
        let question = "What is the capital of France?"
        var summary: [String] = []
        for round in 1...6 {
            if round > 1 {
                tmux.press("C-n")
                try await tmux.poll("a new conversation") { !$0.contains { $0.contains(question) } }
            }
            tmux.type(question)
            try await tmux.poll(text: "› " + question)
            tmux.press("Enter")
            // Without --max-tokens a loop the guard missed would run on for thousands of tokens:
            // the time limit catches that.
            let deadline = Date().addingTimeInterval(240)
            var replies = Self.finishedReplies(workspace)
            while replies.count < round {
                if Date() > deadline { throw E2EFailure(description: "reply \(round) did not finish in 240 s") }
                try await Task.sleep(for: .milliseconds(100))
                replies = Self.finishedReplies(workspace)
            }
            let rows = try await tmux.poll("reply \(round) to end on screen") { !ChatTmuxTests.isReplying($0) }
            let newest = try #require(replies.max { ($0["date"] as? String ?? "") < ($1["date"] as? String ?? "") })
            let content = try #require(newest["content"] as? String)
            let repeating = newest["repeating"] as? Bool ?? false
            let tokens = newest["content_tokens"] as? Int ?? -1
            let sampler = try #require(newest["sampler"] as? [String: Any], "the reply records its sampler settings")
            #expect(sampler["seed"] != nil && sampler["repeat_penalty"] != nil)
            summary.append("\(round): \(repeating ? "guard-stopped" : "ended") after \(tokens) tokens: "
                           + content.prefix(70).debugDescription)
            if repeating {
                #expect(rows.contains { $0.contains("■ stopped: the model was repeating itself") })
            } else {
                #expect(newest["stopped"] as? Bool == false)
                #expect(tokens < 400, "a reply that ended by itself: \(content.suffix(120).debugDescription)")
            }
        }
        print("six France questions with the default settings:\n" + summary.joined(separator: "\n"))
        tmux.press("C-q")
        try await tmux.poll(text: "EXIT=0")
    }
}
