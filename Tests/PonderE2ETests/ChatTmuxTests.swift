import Foundation
import PonderCore
import PonderTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The real `ponder` binary in a real terminal (tmux), talking to a real llama-server.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct ChatTmuxTests {
    /// A temporary folder with the transcripts folder and an empty config home (no user config).
    struct Workspace {
        let root: URL
        var transcripts: URL { root.appendingPathComponent("transcripts") }

        init() throws {
            root = FileManager.default.temporaryDirectory
                .appendingPathComponent("ponder-tmux-\(getpid())-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: root.appendingPathComponent("config"), withIntermediateDirectories: true)
        }

        func savedFiles(_ suffix: String) -> [URL] {
            ((try? FileManager.default.contentsOfDirectory(atPath: transcripts.path)) ?? [])
                .filter { $0.hasSuffix(suffix) }.sorted().map { transcripts.appendingPathComponent($0) }
        }
    }

    /// Starts ponder in tmux; the pane prints `EXIT=<status>` when it ends.
    func launch(_ workspace: Workspace, server: String, width: Int = 100, height: Int = 30, flags: [String] = []) throws
        -> TmuxSession
    {
        let binary = try Peers.ponderBinary()
        let arguments = ["--server", server, "--transcripts", workspace.transcripts.path] + flags
        let command = "env LANG=C.UTF-8 TERM=tmux-256color SWIFT_BACKTRACE=enable=no "
            + "XDG_CONFIG_HOME=\(Shell.quote(workspace.root.appendingPathComponent("config").path)) "
            + ([binary] + arguments).map(Shell.quote).joined(separator: " ")
            + "; echo EXIT=$?; stty -a | grep -o -- '-*icanon' ; sleep 120"
        return try TmuxSession(width: width, height: height, command: command)
    }

    /// The pane runs `stty -a | grep -o -- '-*icanon'` after ponder: `icanon` when line editing is
    /// back on, `-icanon` when the terminal was left raw.
    static func sttyReported(_ rows: [String]) -> Bool { rows.contains("icanon") || rows.contains("-icanon") }

    static func statusBar(_ rows: [String]) -> String { rows.last(where: { !$0.isEmpty }) ?? "" }
    /// While a reply streams, the input line (just above the status bar) says so.
    static func isReplying(_ rows: [String]) -> Bool {
        rows.filter { !$0.isEmpty }.suffix(2).contains { $0.contains("replying") }
    }

    /// Thinking off, then Ctrl-T and thinking on: the user sees a plain answer, then a thinking
    /// block they fold and unfold with Ctrl-O and a click; Ctrl-S saves; Ctrl-Q restores the
    /// terminal; the saved JSON says which reply reasoned.
    @Test func chatWithThinkingOffThenOnFoldSaveAndQuit() async throws {
        let server = try await LlamaServer.start(LlamaServer.r1Arguments(contextSize: 4096) + ["--reasoning-format", "deepseek"])
        defer { server.stop() }
        let workspace = try Workspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        let tmux = try launch(workspace, server: server.url, flags: [
            "--think", "off", "--temperature", "0", "--max-tokens", "24",
        ])

        // The status bar shows the model once the server answered, and the think mode. With the
        // default `--think-style auto`, ponder finds that this template honours enable_thinking
        // (llama-server renders different prompts for true and false) and says so.
        try await tmux.poll("the model in the status bar", timeout: 60) {
            Self.statusBar($0).contains("think: off") && Self.statusBar($0).contains("SmolLM2")
        }
        try await tmux.poll(text: "Ctrl-T sets the template's enable_thinking.")
        #expect(tmux.display("#{alternate_on}") == "1")

        // Think off: the answer streams in with no thinking block.
        tmux.type("What is the capital of France?")
        try await tmux.poll(text: "› What is the capital of France?")
        tmux.press("Enter")
        try await tmux.poll(text: "Assistant · think off", timeout: 30)
        var rows = try await tmux.poll("the first answer to finish", timeout: 240) {
            !Self.isReplying($0) && $0.contains("Assistant · think off")
        }
        let answerRow = try #require(rows.firstIndex(of: "Assistant · think off")) + 1
        #expect(rows[answerRow].hasPrefix("  ") && rows[answerRow].count > 3, "the answer shows under its label")
        #expect(!rows.contains { $0.contains("Thought for") || $0.contains("Thinking…") })
        let shownAnswer = rows[answerRow].trimmingCharacters(in: .whitespaces)

        // Ctrl-T: the next reply reasons; the status bar says so at once.
        tmux.press("C-t")
        try await tmux.poll("think: on in the status bar") { Self.statusBar($0).contains("think: on") }
        tmux.type("Name a color.")
        tmux.press("Enter")
        try await tmux.poll("a live thinking header", timeout: 120) { $0.contains { $0.contains("Thinking…") || $0.contains("Thought for") } }
        rows = try await tmux.poll("the second reply to finish", timeout: 240) { !Self.isReplying($0) && $0.contains("Assistant · think on") }

        // The block: its header says how long and how many tokens; Ctrl-O folds and unfolds it.
        func header(_ rows: [String]) -> (row: Int, expanded: Bool)? {
            guard let row = rows.lastIndex(where: { $0.contains("Thought for") && $0.contains("token") }) else { return nil }
            return (row, rows[row].contains("▾"))
        }
        func bodyShown(_ rows: [String]) -> Bool {
            guard let h = header(rows) else { return false }
            return rows.indices.contains(h.row + 1) && rows[h.row + 1].hasPrefix("  │ ")
        }
        let initial = try #require(header(rows), "a thinking header after the think-on reply")
        #expect(bodyShown(rows) == initial.expanded)
        tmux.press("C-o")
        rows = try await tmux.poll("Ctrl-O to flip the block") { header($0)?.expanded == !initial.expanded }
        #expect(bodyShown(rows) == !initial.expanded)
        tmux.press("C-o")
        rows = try await tmux.poll("Ctrl-O to flip it back") { header($0)?.expanded == initial.expanded }
        #expect(bodyShown(rows) == initial.expanded)

        // A click on the header folds it too (an SGR mouse press and release on that row).
        let row = try #require(header(rows)).row + 1
        tmux.sendHex(Array("\u{1b}[<0;6;\(row)M\u{1b}[<0;6;\(row)m".utf8))
        try await tmux.poll("a click to flip the block") { header($0)?.expanded == !initial.expanded }

        // Ctrl-S saves the JSON and a Markdown copy and says where.
        tmux.press("C-s")
        rows = try await tmux.poll("the save to be reported", timeout: 60) { rows in
            rows.contains { $0.contains("saved to") || $0.contains("cannot") }
        }
        #expect(Self.statusBar(rows).contains("saved to"), "\(Self.statusBar(rows))")
        #expect(workspace.savedFiles(".json").count == 1)
        #expect(workspace.savedFiles(".md").count == 1)

        // Ctrl-Q: ponder ends, the terminal is back to normal.
        tmux.press("C-q")
        try await tmux.poll(text: "EXIT=0")
        rows = try await tmux.poll("stty's report on the terminal modes", Self.sttyReported)
        #expect(rows.contains { $0.hasPrefix("Transcript saved to ") })
        #expect(rows.contains("icanon"))
        #expect(tmux.display("#{alternate_on}") == "0")

        // The saved JSON: every turn, with the mode each reply was asked with.
        let file = try #require(workspace.savedFiles(".json").first)
        let root = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
        let messages = try #require(root["messages"] as? [[String: Any]])
        #expect(messages.map { $0["role"] as? String } == ["user", "assistant", "user", "assistant"])
        #expect(messages[0]["content"] as? String == "What is the capital of France?")
        #expect(messages[1]["think"] as? String == "off")
        #expect(messages[1]["reasoning"] == nil)
        let firstAnswer = try #require(messages[1]["content"] as? String)
        #expect(firstAnswer.hasPrefix(shownAnswer.prefix(20)), "the screen showed “\(shownAnswer)”")
        #expect(messages[2]["content"] as? String == "Name a color.")
        #expect(messages[3]["think"] as? String == "on")
        #expect(((messages[3]["reasoning"] as? String) ?? "").count > 10)
        // And PonderCore reads it back.
        let transcript = try Transcript.load(from: file)
        #expect(transcript.conversation.messages.count == 4)
    }

    /// A 20×5 terminal, a 1 MB paste, a server that refuses connections and SIGTERM: nothing
    /// crashes, the error is one line, the message is kept and saved, the terminal is restored.
    @Test func tinyTerminalBigPasteRefusedServerAndSigterm() async throws {
        let workspace = try Workspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        let port = try LlamaServer.freePort()  // nothing listens there
        let tmux = try launch(workspace, server: "http://127.0.0.1:\(port)", width: 80, height: 24, flags: ["--think", "on"])
        try await tmux.poll("the status bar") { Self.statusBar($0).contains("think: on") }

        // 1 MB in one bracketed paste: the end of it shows in the input box.
        let lines = (1...18_100).map { "line \($0): the quick brown fox jumps over the lazy dog" }
        let text = lines.joined(separator: "\n")
        #expect(text.utf8.count > 1_000_000)
        let pasted = Date()
        try tmux.paste(text)
        try await tmux.poll(text: "line 18100: the quick brown fox", timeout: 30)
        let pasteSeconds = Date().timeIntervalSince(pasted)
        print("1 MB paste visible after \(String(format: "%.2f", pasteSeconds)) s")

        // 20×5 and back: redrawn each time, the think mode always on screen.
        tmux.resize(width: 20, height: 5)
        try await tmux.poll("a 20×5 screen") { rows in
            rows.count == 5 && rows.allSatisfy { $0.count <= 20 } && Self.statusBar(rows).hasPrefix(" think: on")
        }
        tmux.press("C-t")
        try await tmux.poll("think: off at 20×5") { Self.statusBar($0).hasPrefix(" think: off") }
        tmux.resize(width: 80, height: 24)
        try await tmux.poll("80×24 again") { $0.count == 24 && $0.contains { $0.contains("line 18100") } }

        // Sending: the refused connection is one readable line; the message stays.
        tmux.press("Enter")
        let rows = try await tmux.poll("the connection error", timeout: 60) { $0.contains { $0.hasPrefix("  ✗ ") } }
        #expect(rows.contains("Assistant · think off"))
        #expect(rows.contains { $0.hasPrefix("  line 18100: the quick brown fox") }, "the message is in the transcript")
        #expect(!Self.isReplying(rows))

        // SIGTERM: saved, ended, terminal restored.
        let pid = try #require(tmux.programPID())
        kill(pid, SIGTERM)
        try await tmux.poll(text: "EXIT=0")
        #expect(tmux.display("#{alternate_on}") == "0")
        let file = try #require(workspace.savedFiles(".json").first)
        let transcript = try Transcript.load(from: file)
        #expect(transcript.conversation.messages.first?.content == text)
        #expect(transcript.conversation.messages.last?.error?.isEmpty == false)
        #expect(transcript.conversation.messages.last?.think == .off)
    }

    /// A crash (here SIGSEGV) leaves the terminal usable: out of the alternate screen, echo and
    /// line editing back on.
    @Test func aCrashRestoresTheTerminal() async throws {
        let workspace = try Workspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        let tmux = try launch(workspace, server: "http://127.0.0.1:\(try LlamaServer.freePort())", width: 60, height: 12,
                              flags: ["--think", "on"])
        try await tmux.poll("the status bar") { Self.statusBar($0).contains("think: on") }
        #expect(tmux.display("#{alternate_on}") == "1")
        let pid = try #require(tmux.programPID())
        kill(pid, SIGSEGV)
        try await tmux.poll(text: "EXIT=139")
        let rows = try await tmux.poll("stty's report on the terminal modes", Self.sttyReported)
        #expect(rows.contains("icanon"))
        #expect(tmux.display("#{alternate_on}") == "0")
    }
}
