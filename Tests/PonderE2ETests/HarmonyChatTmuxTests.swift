import Foundation
import PonderCore
import PonderTestSupport
import Testing

/// gpt-oss in the real `ponder --model` (the embedded engine) in a real terminal (tmux), on the
/// random-weight gpt-oss model of dev/tiny-models.py (gpt-oss's own chat template; harmony's
/// markers in its vocabulary).
///
/// What this can show, and what it cannot: a random-weight model writes gibberish, not harmony's
/// channels, so whether a trace written in the analysis channel reaches the thinking block is
/// checked where the stream is known (HarmonySplitterTests on the documented streams,
/// HarmonyTokenStreamTests on this model's own tokens). Here the user's side is checked: the status
/// bar names the effort and says gpt-oss cannot stop thinking, Ctrl-T cycles the effort, the effort
/// reaches the model (the prompt is the one jinja2 renders with that `reasoning_effort`, tokenized
/// by llama-tokenize, and changing it re-evaluates the prompt from the system message's
/// `Reasoning:` line on), and no harmony marker is ever shown or saved.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct HarmonyChatTmuxTests {
    typealias Workspace = ChatTmuxTests.Workspace
    static let model = "tiny-gpt-oss-q8_0.gguf"
    static let markers = ["<|start|>", "<|channel|>", "<|message|>", "<|end|>", "<|constrain|>", "<|return|>", "<|call|>"]

    static func statusBar(_ rows: [String]) -> String { ChatTmuxTests.statusBar(rows) }

    @Test func ctrlTCyclesTheEffortAndTheEffortReachesThePrompt() async throws {
        let chat = EmbeddedChatTmuxTests()
        let model = try Peers.model(Self.model)
        let workspace = try Workspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        let tmux = try chat.launch(workspace, model: model, width: 180, height: 30, flags: [
            "--temperature", "0", "--max-tokens", "24",
        ])
        // ponder's default is think off, which gpt-oss cannot do: it is asked for the least effort.
        let rows = try await tmux.poll("gpt-oss's effort in the status bar", timeout: 60) {
            Self.statusBar($0).contains("think: effort low · can't turn off (gpt-oss)")
                && Self.statusBar($0).contains("tiny-gpt-oss-q8_0")
        }
        #expect(rows.contains { $0.contains("Ctrl-T: effort low/medium/high") }, "the start screen says what Ctrl-T does")

        // Ctrl-T cycles the effort; it never turns thinking off.
        for effort in ["medium", "high", "low", "medium"] {
            tmux.press("C-t")
            try await tmux.poll("effort \(effort) in the status bar") {
                Self.statusBar($0).contains("think: effort \(effort) · can't turn off (gpt-oss)")
            }
        }

        // A reply at medium: the whole prompt is evaluated, and it is jinja2's with reasoning_effort medium.
        let question = "Is 97 prime?"
        let peers = try PromptPeers(model: model)
        let reply1 = try await chat.ask(question, turn: 1, in: tmux, workspace: workspace)
        let status1 = Self.statusBar(try await tmux.poll("the first prompt figure") {
            EmbeddedChatTmuxTests.promptFigure(Self.statusBar($0)) != nil
        })
        let figure1 = try #require(EmbeddedChatTmuxTests.promptFigure(status1))
        let medium = try peers.render([["role": "user", "content": question]], effort: "medium")
        #expect(medium.contains("\nReasoning: medium\n") && medium.hasSuffix("<|start|>assistant"))
        let mediumTokens = try peers.tokenize(medium, withBOS: false)
        #expect(figure1.evaluated == mediumTokens.count && figure1.cached == 0, "\(status1)")
        #expect(reply1["think"] as? String == "on")

        // Ctrl-T to high and regenerate: the cache holds the prompt up to the effort word, and the
        // rest of jinja2's high-effort prompt is evaluated.
        tmux.press("C-t")
        try await tmux.poll("effort high") { Self.statusBar($0).contains("think: effort high") }
        tmux.press("C-r")
        let reply2 = try await chat.savedFirstReply(versions: 1, workspace: workspace)
        let status2 = Self.statusBar(try await tmux.poll("the regenerated reply's prompt figure") {
            (EmbeddedChatTmuxTests.promptFigure(Self.statusBar($0))?.cached ?? 0) > 0
        })
        let figure2 = try #require(EmbeddedChatTmuxTests.promptFigure(status2))
        let high = try peers.render([["role": "user", "content": question]], effort: "high")
        let highTokens = try peers.tokenize(high, withBOS: false)
        let common = zip(mediumTokens, highTokens).prefix { $0 == $1 }.count
        let reasoningLine = try #require(high.range(of: "Reasoning: high"))
        let beforeEffort = try peers.tokenize(String(high[..<reasoningLine.lowerBound]), withBOS: false).count
        print("gpt-oss effort in the TUI: medium “\(status1.trimmingCharacters(in: .whitespaces))” (prompt "
              + "\(mediumTokens.count) tokens); high “\(status2.trimmingCharacters(in: .whitespaces))” (prompt "
              + "\(highTokens.count) tokens, \(common) shared, \(beforeEffort) before the Reasoning line)")
        #expect(figure2.cached == common && figure2.evaluated == highTokens.count - common, "\(status2)")
        #expect(common > beforeEffort && common < highTokens.count - 10, "the prompts part at the effort word")

        // Whatever the model wrote, no marker reaches the screen or the transcript.
        let screen = tmux.screen()
        for marker in Self.markers {
            #expect(!screen.contains { $0.contains(marker) }, "\(marker) on screen")
            for reply in [reply1, reply2] {
                #expect(!((reply["content"] as? String) ?? "").contains(marker) && !((reply["reasoning"] as? String) ?? "").contains(marker))
            }
        }

        tmux.press("C-q")
        try await tmux.poll(text: "EXIT=0")
    }
}

extension PromptPeers {
    /// jinja2's prompt from the GGUF's own template with `reasoning_effort` set.
    static let effortScript = """
        import datetime, json, sys
        sys.path.insert(0, sys.argv[2])
        import gguf, render_jinja2
        reader = gguf.GGUFReader(sys.argv[1])
        field = reader.fields["tokenizer.chat_template"]
        template = render_jinja2.make_environment(datetime.datetime.now()).from_string(
            bytes(field.parts[field.data[0]]).decode())
        sys.stdout.write(template.render(messages=json.load(sys.stdin), add_generation_prompt=True,
            reasoning_effort=sys.argv[3]))
        """

    func render(_ messages: [[String: String]], effort: String) throws -> String {
        let input = try JSONSerialization.data(withJSONObject: messages)
        let run = try Program.run(python, ["-c", Self.effortScript, model, Self.conformance, effort], stdin: input)
        guard run.status == 0 else { throw E2EFailure(description: "jinja2 render failed: \(run.stderr.suffix(400))") }
        return run.stdout
    }
}
