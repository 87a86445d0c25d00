import Foundation
import PonderCore
import PonderTestSupport
import Testing

/// Text from a file printed by the command line cannot act on the terminal: a transcript whose
/// title carries an escape sequence that would rename the window, and a right-to-left override.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct InertOutputTmuxTests {
    @Test
    func aHostileTranscriptTitleIsShownInertOnATerminalAndKeptInAPipe() async throws {
        let workspace = try ChatTmuxTests.Workspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        try FileManager.default.createDirectory(at: workspace.transcripts, withIntermediateDirectories: true)
        let title = "Plans\u{1B}]0;pwned\u{07}\u{1B}[31m red \u{202E}gpj.exe"
        let created = Date(timeIntervalSince1970: 1_790_000_000)
        try Transcript(Conversation(title: title, messages: [.user("Hi."), .assistant("Hello.")], created: created, updated: created))
            .write(to: workspace.transcripts.appendingPathComponent("hostile.json"))

        let binary = try Peers.ponderBinary()
        let list = ([binary, "transcript", "list", "--transcripts", workspace.transcripts.path]).map(Shell.quote).joined(separator: " ")
        let command = "env LANG=C.UTF-8 TERM=tmux-256color XDG_CONFIG_HOME=\(Shell.quote(workspace.root.appendingPathComponent("config").path)) "
            + "sh -c \(Shell.quote("\(list); echo TERMINAL-DONE; \(list) | cat -v; echo PIPE-DONE; sleep 60"))"
        let tmux = try TmuxSession(width: 200, height: 20, command: command)
        let titleBefore = tmux.display("#{pane_title}")
        let rows = try await tmux.poll(text: "PIPE-DONE")
        let onTerminal = try #require(rows.first { $0.contains("Plans") && $0.contains("hostile.json") }, "\(rows)")
        #expect(onTerminal.contains("Plans\u{FFFD}]0;pwned\u{FFFD}\u{FFFD}[31m red ⟨RLO⟩gpj.exe"), "\(onTerminal)")
        #expect(tmux.display("#{pane_title}") == titleBefore, "the window title was not changed")
        #expect(!tmux.display("#{pane_title}").contains("pwned"))
        // Into a pipe the bytes are the file's own (cat -v shows ESC as ^[ and BEL as ^G).
        #expect(rows.contains { $0.contains("Plans^[]0;pwned^G^[[31m red ") }, "\(rows)")
    }
}
