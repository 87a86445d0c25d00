import Foundation
import PonderCore
import PonderTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// However the chat ends — a signal from outside, a runtime trap, a stack overflow — the real
/// binary in tmux leaves the terminal as it found it: out of the alternate screen, mouse reporting
/// off, echo and line editing on. Signals save first; crashes print one line naming the report.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct TerminalRestoredTmuxTests {
    typealias Workspace = ChatTmuxTests.Workspace

    /// Starts ponder against a port nothing listens on. `SWIFT_BACKTRACE` is left unset, as a user
    /// has it, unless `backtrace` gives a value. After ponder the pane prints its exit status and
    /// what `stty` says about line editing and echo.
    func launch(_ workspace: Workspace, environment: [String] = []) throws -> TmuxSession {
        let binary = try Peers.ponderBinary()
        let arguments = ["--server", "http://127.0.0.1:\(try LlamaServer.freePort())", "--transcripts", workspace.transcripts.path]
        let command = "env -u SWIFT_BACKTRACE LANG=C.UTF-8 TERM=tmux-256color "
            + "XDG_CONFIG_HOME=\(Shell.quote(workspace.root.appendingPathComponent("config").path)) "
            + "XDG_STATE_HOME=\(Shell.quote(workspace.root.appendingPathComponent("state").path)) "
            + environment.map(Shell.quote).joined(separator: " ") + " "
            + ([binary] + arguments).map(Shell.quote).joined(separator: " ")
            + "; echo EXIT=$?; stty -a | grep -o -- '-*icanon\\|-*echo ' ; sleep 120"
        return try TmuxSession(width: 220, height: 30, command: command)
    }

    /// The terminal as the program found it: normal screen, no mouse reporting, cooked and echoing.
    func expectRestored(_ tmux: TmuxSession) async throws {
        let rows = try await tmux.poll("stty's report on the terminal modes") { rows in
            rows.contains { $0.hasSuffix("icanon") } && rows.contains { $0.trimmingCharacters(in: .whitespaces).hasSuffix("echo") }
        }
        #expect(rows.contains("icanon"), "line editing is back on")
        #expect(rows.contains { $0.trimmingCharacters(in: .whitespaces) == "echo" }, "echo is back on")
        #expect(tmux.display("#{alternate_on}") == "0", "out of the alternate screen")
        #expect(tmux.display("#{mouse_any_flag}") == "0", "mouse reporting off")
        #expect(!rows.contains { $0.contains("Press space") }, "never the interactive backtracer")
    }

    /// SIGQUIT and SIGHUP (the terminal window closed) end the chat as SIGTERM does: the message
    /// that was typed and sent is saved, ponder exits 0 and the terminal is restored.
    @Test(arguments: [SIGQUIT, SIGHUP, SIGTERM])
    func aSignalSavesAndRestores(signal: Int32) async throws {
        let workspace = try Workspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        let tmux = try launch(workspace)
        try await tmux.poll("the status bar") { ChatTmuxTests.statusBar($0).contains("think:") }
        #expect(tmux.display("#{alternate_on}") == "1")
        #expect(tmux.display("#{mouse_any_flag}") == "1")
        tmux.type("Keep this question.")
        try await tmux.poll(text: "› Keep this question.")
        tmux.press("Enter")
        try await tmux.poll("the connection error", timeout: 60) { $0.contains { $0.hasPrefix("  ✗ ") } }

        let pid = try #require(tmux.programPID())
        #expect(kill(pid, signal) == 0)
        let rows = try await tmux.poll(text: "EXIT=")
        #expect(rows.contains("EXIT=0"), "signal \(signal): \(rows.filter { !$0.isEmpty })")
        try await expectRestored(tmux)
        let file = try #require(workspace.savedFiles(".json").first, "signal \(signal) left no transcript")
        #expect(try Transcript.load(from: file).conversation.messages.first?.content == "Keep this question.")
    }

    /// A Swift runtime trap (an overflowing addition, as a server's usage numbers once caused) and
    /// a stack overflow on the UI thread, forced with F12 in the test build: the terminal comes
    /// back first, then one line says what happened and names the report, which the Swift
    /// backtracer wrote there without asking anything.
    @Test(arguments: [("trap", "a runtime trap (SIGILL)", 132, "arithmetic overflow"),
                      ("overflow", "a memory fault (SIGSEGV)", 139, "recurse_forever")])
    func aCrashRestoresTheTerminalAndNamesTheReport(fault: String, what: String, status: Int, inReport: String) async throws {
        let workspace = try Workspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        let tmux = try launch(workspace, environment: ["PONDER_TEST_FAULT=\(fault)"])
        try await tmux.poll("the status bar") { ChatTmuxTests.statusBar($0).contains("think:") }
        #expect(tmux.display("#{alternate_on}") == "1")
        tmux.press("F12")
        let rows = try await tmux.poll(text: "EXIT=", timeout: 90)
        #expect(rows.contains("EXIT=\(status)"), "\(rows.filter { !$0.isEmpty })")
        try await expectRestored(tmux)

        let prefix = "ponder crashed: \(what); the full report is in "
        let line = try #require(rows.first { $0.hasPrefix(prefix) }, "\(rows.filter { !$0.isEmpty })")
        let report = String(line.dropFirst(prefix.count))
        #expect(report.hasPrefix(workspace.root.appendingPathComponent("state/ponder/crashes/").path))
        let text = try String(contentsOfFile: report, encoding: .utf8)
        #expect(text.contains(inReport), "the report names the fault: \(text.prefix(400))")
    }
}
