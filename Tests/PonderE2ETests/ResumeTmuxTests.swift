import Foundation
import PonderCore
import PonderTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The real `ponder` binary in tmux on the embedded engine (SmolLM2-135M): save, quit, resume and
/// continue a conversation; and SIGKILL in the middle of a reply loses only that reply.
/// Waits are async (`TmuxSession.poll`), so they hold no thread of the cooperative pool.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct ResumeTmuxTests {
    typealias Workspace = ChatTmuxTests.Workspace

    /// Starts ponder on the embedded default model; the pane prints `EXIT=<status>` when it ends.
    func launch(_ workspace: Workspace, think: String = "off", width: Int = 100, height: Int = 30, flags: [String]) throws
        -> TmuxSession
    {
        let binary = try Peers.ponderBinary()
        let model = try Peers.model(Peers.smolLM2)
        let arguments = ["--model", model, "--ctx", "2048", "--transcripts", workspace.transcripts.path,
                         "--think", think, "--temperature", "0", "--repeat-penalty", "1"] + flags
        let command = "env LANG=C.UTF-8 TERM=tmux-256color SWIFT_BACKTRACE=enable=no "
            + "XDG_CONFIG_HOME=\(Shell.quote(workspace.root.appendingPathComponent("config").path)) "
            + ([binary] + arguments).map(Shell.quote).joined(separator: " ")
            + "; echo EXIT=$?; sleep 120"
        return try TmuxSession(width: width, height: height, command: command)
    }

    static let statusBar = ChatTmuxTests.statusBar
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let isReplying = ChatTmuxTests.isReplying

    /// Types a message, sends it and waits until its reply has finished: the autosave holds
    /// `messages` messages and the screen no longer says it is replying.
    @discardableResult
    func ask(
        _ tmux: TmuxSession, _ workspace: Workspace, _ text: String, messages: Int, timeout: Double = 120
    ) async throws -> (rows: [String], file: URL, transcript: Transcript) {
        tmux.type(text)
        try await tmux.poll(text: "› " + text.prefix(40))
        tmux.press("Enter")
        let (file, transcript) = try await waitForSaved(workspace, messages: messages, timeout: timeout)
        let rows = try await tmux.poll("the screen to show the reply finished") { !Self.isReplying($0) }
        return (rows, file, transcript)
    }

    /// A file in the folder holding `count` messages, polled until the autosave lands.
    func waitForSaved(_ workspace: Workspace, messages count: Int, timeout: Double = 30) async throws -> (URL, Transcript) {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            for file in workspace.savedFiles(".json") {
                if let transcript = try? Transcript.load(from: file), transcript.conversation.messages.count == count {
                    return (file, transcript)
                }
            }
            guard Date() < deadline else {
                throw E2EFailure(description: "no transcript with \(count) messages in \(workspace.transcripts.path) after \(timeout) s: \(workspace.savedFiles(".json").map(\.lastPathComponent))")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Chat one turn, Ctrl-S, quit; `ponder --resume FILE` shows the old turn; a second message is
    /// answered from the whole history, and the same file then holds four messages in order.
    /// On the way: `/history` lists it, `/export html` writes beside it, a bad `/load` changes
    /// nothing, `/theme` switches live.
    @Test func saveQuitResumeAndContinue() async throws {
        let workspace = try Workspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }

        // First session: one turn, Ctrl-S, Ctrl-Q.
        var tmux = try launch(workspace, flags: ["--max-tokens", "24", "--system", "You are terse."])
        try await tmux.poll("the model in the status bar", timeout: 60) { Self.statusBar($0).contains("SmolLM2") }
        let first = try await ask(tmux, workspace, "What is the capital of France?", messages: 2).rows
        let firstAnswerRow = try #require(first.firstIndex(of: "Assistant · think off")) + 1
        let firstAnswer = first[firstAnswerRow].trimmingCharacters(in: .whitespaces)
        #expect(!firstAnswer.isEmpty)
        tmux.press("C-s")
        try await tmux.poll("the save to be reported") { Self.statusBar($0).contains("saved to") }
        tmux.press("C-q")
        try await tmux.poll(text: "EXIT=0")
        let (file, saved) = try await waitForSaved(workspace, messages: 2)
        #expect(saved.conversation.systemPrompt == "You are terse.")
        let savedAnswer = saved.conversation.messages[1].content
        #expect(savedAnswer.hasPrefix(String(firstAnswer.prefix(20))), "the screen showed “\(firstAnswer)”")

        // Second session: --resume FILE, with no --system and --think on: the transcript's system
        // prompt and think setting (off) come back.
        tmux = try launch(workspace, think: "on", flags: ["--max-tokens", "24", "--resume", file.path])
        var rows = try await tmux.poll("the old turn", timeout: 60) { rows in
            rows.contains("Assistant · think off") && rows.contains { $0.contains("What is the capital of France?") }
                && Self.statusBar(rows).contains("SmolLM2")
        }
        #expect(rows.contains { $0.contains(String(firstAnswer.prefix(20))) })
        #expect(Self.statusBar(rows).hasPrefix(" think: off"))

        // /history lists the conversation; Esc closes the picker.
        tmux.type("/history")
        tmux.press("Enter")
        rows = try await tmux.poll(text: "saved conversations")
        let entry = try #require(rows.first { $0.contains("What is the capital of France?") && $0.contains("2 msgs") })
        #expect(entry.contains("SmolLM2-135M-Instruct.Q4_1"))
        tmux.press("Escape")
        try await tmux.poll("the picker to close") { !$0.contains { $0.contains("saved conversations") } }

        // The picker at 20×5: no border, the entry and the think mode still there.
        tmux.resize(width: 20, height: 5)
        try await tmux.poll("a 20×5 screen") { $0.count == 5 && $0.allSatisfy { $0.count <= 20 } }
        tmux.type("/history")
        tmux.press("Enter")
        rows = try await tmux.poll("the picker at 20×5") { rows in
            rows.count == 5 && rows.contains { $0.hasPrefix("What is") && $0.hasSuffix("2 msgs") }
        }
        #expect(rows.allSatisfy { $0.count <= 20 })
        #expect(rows[4].hasPrefix(" think: off"))
        tmux.press("PPage", "NPage", "Down", "Up")
        tmux.press("Escape")
        tmux.resize(width: 100, height: 30)
        try await tmux.poll("100×30 again without the picker") { rows in
            rows.count == 30 && rows.contains { $0.contains("What is the capital of France?") }
                && !rows.contains { $0.contains("msgs") }
        }

        // A broken file: one line with the file and its line, nothing else changes.
        let broken = workspace.root.appendingPathComponent("broken.json")
        try Data("{\n  \"format\": \"ponder.transcript\",\n  \"version\": 1,\n  oops\n}\n".utf8).write(to: broken)
        tmux.type("/load " + broken.path)
        tmux.press("Enter")
        rows = try await tmux.poll("the load error") { Self.statusBar($0).contains("broken.json:4") }
        #expect(rows.contains { $0.contains("What is the capital of France?") }, "the conversation is still there")
        #expect(try String(contentsOf: broken, encoding: .utf8).contains("oops"), "the bad file is untouched")

        // The second message: answered from the whole history, saved into the same file.
        try await ask(tmux, workspace, "And of Italy?", messages: 4)
        let (after, continued) = try await waitForSaved(workspace, messages: 4)
        #expect(after.path == file.path, "saved back into the resumed file")
        #expect(workspace.savedFiles(".json").filter { !$0.lastPathComponent.hasPrefix("broken") }.count == 1)
        let messages = continued.conversation.messages
        #expect(messages.map(\.role) == [.user, .assistant, .user, .assistant])
        #expect(messages[0].content == "What is the capital of France?")
        #expect(messages[1].content == savedAnswer)
        #expect(messages[2].content == "And of Italy?")
        #expect(!messages[3].content.isEmpty)
        #expect(continued.conversation.systemPrompt == "You are terse.")
        #expect(continued.conversation.created == saved.conversation.created)
        // The engine re-read the history: its prompt held the first turn.
        #expect(messages[3].error == nil)

        // A new conversation gets its own file; /history lists both, newest first, and Enter on
        // the second reopens the first conversation.
        tmux.press("C-n")
        try await tmux.poll("an empty conversation") { !$0.contains { $0.contains("And of Italy?") } }
        let other = try await ask(tmux, workspace, "Name a fruit.", messages: 2).file
        #expect(other.path != file.path)
        #expect(workspace.savedFiles(".json").count == 2)
        // /export txt from a conversation started here: beside its own JSON in the folder.
        tmux.type("/export txt")
        tmux.press("Enter")
        try await tmux.poll("the text export to be reported") { Self.statusBar($0).contains("exported to") && Self.statusBar($0).hasSuffix(".txt") }
        let text = try String(contentsOf: other.deletingPathExtension().appendingPathExtension("txt"), encoding: .utf8)
        #expect(text.contains("Name a fruit.") && !text.contains("<"))
        tmux.type("/history")
        tmux.press("Enter")
        rows = try await tmux.poll("two entries in the picker") { rows in rows.filter { $0.contains("msgs") }.count == 2 }
        let listed = rows.filter { $0.contains("msgs") }
        #expect(listed[0].contains("Name a fruit.") && listed[0].contains("2 msgs"), "newest first: \(listed)")
        #expect(listed[1].contains("What is the capital of France?") && listed[1].contains("4 msgs"))
        tmux.press("Down")
        tmux.press("Enter")
        rows = try await tmux.poll("the first conversation reopened") { rows in
            rows.contains { $0.contains("And of Italy?") } && !rows.contains { $0.contains("Name a fruit.") }
                && !rows.contains { $0.contains("msgs") }
        }
        #expect(Self.statusBar(rows).contains("opened"))
        // /export (Markdown) of a reopened conversation: beside the file it came from, now with the
        // second turn that the Ctrl-S copy of the first session did not have.
        tmux.type("/export")
        tmux.press("Enter")
        try await tmux.poll("the Markdown export to be reported") { Self.statusBar($0).contains("exported to") && Self.statusBar($0).hasSuffix(".md") }
        let markdown = try String(contentsOf: file.deletingPathExtension().appendingPathExtension("md"), encoding: .utf8)
        #expect(markdown.contains("And of Italy?"))

        // /theme switches live (a bad name keeps it); /export html writes beside the JSON in the
        // light theme's colours at full depth (the terminal shows them mapped to 256).
        tmux.type("/theme")
        tmux.press("Enter")
        rows = try await tmux.poll("the list of themes") { Self.statusBar($0).contains("themes: ") }
        for name in ["default", "gruvbox", "high-contrast", "light"] {
            #expect(Self.statusBar(rows).contains(name), "\(Self.statusBar(rows))")
        }
        let before = tmux.styledScreen()
        tmux.type("/theme light")
        tmux.press("Enter")
        try await tmux.poll(text: "theme: light")
        #expect(tmux.styledScreen() != before, "the colours changed")
        tmux.type("/theme no-such-theme")
        tmux.press("Enter")
        try await tmux.poll(text: "no theme named 'no-such-theme'")
        tmux.type("/export html")
        tmux.press("Enter")
        try await tmux.poll("the export to be reported") { Self.statusBar($0).contains("exported to") && Self.statusBar($0).hasSuffix(".html") }
        let html = file.deletingPathExtension().appendingPathExtension("html")
        let page = try String(contentsOf: html, encoding: .utf8)
        #expect(page.contains("And of Italy?") && page.contains("<html"))
        let themes = ThemeCatalog(userDirectory: nil, directories: [Self.repositoryRoot.appendingPathComponent("Themes")])
        let light = try #require(try themes.theme(named: "light")[.userLabel].foreground.hexString)
        let dark = try #require(try themes.theme(named: "default")[.userLabel].foreground.hexString)
        #expect(light != dark)
        #expect(page.contains(".user .label { color: \(light)"), "the page uses the light theme")

        tmux.press("C-q")
        try await tmux.poll(text: "EXIT=0")
        #expect(try Transcript.load(from: file).conversation.messages.count == 4)
    }

    /// `--resume` with a file that is not a valid transcript: one line naming the file and the line
    /// or field, exit status 1, before the screen changes; the file keeps its bytes.
    @Test(arguments: [
        ("{\n  \"format\": \"ponder.transcript\",\n  \"version\": 1,\n  oops\n}\n", "bad.json:4:3: "),
        ("{\"format\": \"ponder.transcript\", \"version\": 3}\n", "bad.json:1: version: version 3 is not supported"),
    ])
    func resumingABadFileIsRefusedInOneLine(text: String, expected: String) async throws {
        let workspace = try Workspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        let bad = workspace.root.appendingPathComponent("bad.json")
        try Data(text.utf8).write(to: bad)
        let tmux = try launch(workspace, flags: ["--resume", bad.path])
        let rows = try await tmux.poll(text: "EXIT=1", timeout: 60)
        let errors = rows.filter { $0.contains("bad.json") }
        #expect(errors.count == 1, "\(rows)")
        #expect(errors.first?.contains(expected) == true, "\(errors)")
        #expect(try Data(contentsOf: bad) == Data(text.utf8))
        #expect(workspace.savedFiles(".json").isEmpty)
    }

    /// Resuming a long conversation: the embedded engine re-reads about 1200 tokens of history
    /// in batches, and the status line shows a progress bar while it does.
    @Test func resumingALongHistoryShowsTheReprefillProgressBar() async throws {
        let workspace = try Workspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        let notes = (1...60).map { "Note \($0): the quick brown fox jumps over the lazy dog near the river bank." }
            .joined(separator: "\n")
        let conversation = Conversation(systemPrompt: "You are terse.", messages: [
            Message(role: .user, content: "Remember these notes.\n" + notes, think: nil),
            Message(role: .assistant, content: "I will remember them.", think: .off),
        ], created: Date(timeIntervalSince1970: 1_790_000_000))
        try FileManager.default.createDirectory(at: workspace.transcripts, withIntermediateDirectories: true)
        let file = workspace.transcripts.appendingPathComponent("long.json")
        try Transcript(conversation, think: ThinkSetting(mode: .off)).write(to: file)

        let tmux = try launch(workspace, flags: ["--max-tokens", "8", "--resume", file.path])
        try await tmux.poll("the resumed conversation", timeout: 60) { rows in
            rows.contains { $0.contains("I will remember them.") } && Self.statusBar(rows).contains("SmolLM2")
        }
        tmux.type("Which note is last?")
        try await tmux.poll(text: "› Which note is last?")
        tmux.press("Enter")
        var seen: [Int] = []
        let deadline = Date().addingTimeInterval(180)
        while Date() < deadline {
            let status = Self.statusBar(tmux.screen())
            if status.contains("reading the conversation ▕"), let figure = status.split(separator: " ").last,
               figure.hasSuffix("%"), let percent = Int(figure.dropLast()) {
                if seen.last != percent { seen.append(percent) }
            }
            if let saved = try? Transcript.load(from: file), saved.conversation.messages.count == 4 { break }
            try await Task.sleep(for: .milliseconds(30))
        }
        print("re-prefill progress seen in the status line: \(seen.map { "\($0)%" }.joined(separator: ", "))")
        #expect(!seen.isEmpty, "a progress bar while the history was re-read")
        #expect(seen == seen.sorted(), "the bar only moves forward")
        let saved = try Transcript.load(from: file)
        #expect(saved.conversation.messages.count == 4)
        #expect(saved.conversation.messages[3].error == nil)
        let rows = try await tmux.poll("the reply to finish and the bar to go") {
            !Self.isReplying($0) && !Self.statusBar($0).contains("reading the conversation")
        }
        #expect(rows.contains { $0.contains("Which note is last?") })
    }

    /// SIGKILL in the middle of the second reply: the file holds exactly the first, completed turn,
    /// as valid JSON that loads strictly.
    @Test func sigkillMidStreamLosesOnlyTheReplyInFlight() async throws {
        let workspace = try Workspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        let tmux = try launch(workspace, flags: ["--max-tokens", "1500"])
        try await tmux.poll("the model in the status bar", timeout: 60) { Self.statusBar($0).contains("SmolLM2") }

        try await ask(tmux, workspace, "Say hello.", messages: 2, timeout: 180)
        let (file, first) = try await waitForSaved(workspace, messages: 2)
        let completed = first.conversation.messages

        // The second reply: kill ponder once its answer has started streaming.
        let question = "Write a very long story about a dragon who learns to bake bread."
        tmux.type(question)
        try await tmux.poll(text: "› " + question.prefix(40))
        tmux.press("Enter")
        let streaming = try await tmux.poll("the second answer to be streaming", timeout: 60) { rows in
            guard Self.isReplying(rows), let label = rows.lastIndex(of: "Assistant · think off") else { return false }
            return rows.indices.contains(label + 1) && rows[label + 1].count > 20
        }
        let pid = try #require(tmux.programPID())
        #expect(kill(pid, SIGKILL) == 0)
        let label = try #require(streaming.lastIndex(of: "Assistant · think off"))
        print("killed ponder with SIGKILL while it showed: \(streaming[label + 1].trimmingCharacters(in: .whitespaces))")
        try await tmux.poll(text: "EXIT=137")

        // Byte-valid JSON, strictly loadable, holding exactly the completed turn.
        let bytes = try Data(contentsOf: file)
        #expect((try? JSONSerialization.jsonObject(with: bytes)) != nil)
        let reloaded = try Transcript.load(from: file)
        #expect(reloaded.conversation.messages == completed)
        #expect(reloaded.conversation.messages.map(\.content).first == "Say hello.")
        #expect(bytes == reloaded.encoded(), "the file is exactly what ponder writes")
        let names = (try FileManager.default.contentsOfDirectory(atPath: workspace.transcripts.path))
        #expect(names.filter { $0.hasSuffix(".json") }.count == 1, "\(names)")
    }
}
