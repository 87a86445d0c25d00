import Foundation
import PonderTestSupport
import Testing

/// Ctrl-X Ctrl-E as a user meets it: ponder hands the terminal to `$VISUAL` with the input so
/// far, takes back what the editor saved, and redraws; an editor that fails leaves the input and
/// says why. The editors here are shell commands, as `$VISUAL` holds them.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct EditorTmuxTests {
    typealias Workspace = ChatTmuxTests.Workspace

    func launch(_ workspace: Workspace, visual: String) async throws -> TmuxSession {
        let command = "env LANG=C.UTF-8 TERM=tmux-256color SWIFT_BACKTRACE=enable=no VISUAL=\(Shell.quote(visual)) "
            + "XDG_CONFIG_HOME=\(Shell.quote(workspace.root.appendingPathComponent("config").path)) "
            + ([try Peers.ponderBinary(), "--model", try Peers.model(Peers.smolLM2), "--transcripts", workspace.transcripts.path,
                "--threads", "2"]).map(Shell.quote).joined(separator: " ")
            + "; echo EXIT=$?; stty -a | grep -o -- '-*icanon' ; sleep 120"
        let tmux = try TmuxSession(width: 100, height: 24, command: command)
        try await tmux.poll("the model loaded", timeout: 90) {
            let bar = ChatTmuxTests.statusBar($0)
            return bar.contains("SmolLM2") && !bar.contains("connecting")
        }
        return tmux
    }

    @Test func theEditorsTextBecomesTheInput() async throws {
        let workspace = try Workspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        let tmux = try await launch(workspace, visual: "sed -i -e s/draft/edited/ -e '$a second line'")
        tmux.type("a draft message")
        try await tmux.poll(text: "a draft message")
        tmux.press("C-x")
        tmux.press("C-e")
        let rows = try await tmux.poll("the edited input") { rows in
            rows.contains { $0.contains("a edited message") } && rows.contains { $0.contains("second line") }
        }
        #expect(!rows.contains { $0.contains("a draft message") }, "the draft is replaced: \(rows)")
        #expect(ChatTmuxTests.statusBar(rows).contains("SmolLM2"), "the screen is redrawn after the editor: \(rows)")
        tmux.press("C-q")
        // `stty` prints "icanon" (restored) or "-icanon" (left raw) a moment after EXIT=0.
        let end = try await tmux.poll("the terminal's mode after ponder") { $0.contains { $0.hasSuffix("icanon") } }
        #expect(end.contains("icanon") && !end.contains("-icanon"), "the terminal is restored: \(end)")
    }

    @Test func aFailingEditorLeavesTheInputAndSaysWhy() async throws {
        let workspace = try Workspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        let tmux = try await launch(workspace, visual: "false")
        tmux.type("keep this")
        try await tmux.poll(text: "keep this")
        tmux.press("C-x")
        tmux.press("C-e")
        let rows = try await tmux.poll(text: "exited with status 1")
        #expect(rows.contains { $0.contains("keep this") }, "\(rows)")
        tmux.press("C-q")
        try await tmux.poll(text: "EXIT=0")
    }
}
