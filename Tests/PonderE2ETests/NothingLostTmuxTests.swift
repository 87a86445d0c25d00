import Foundation
import PonderCore
import PonderTestSupport
import Testing

/// Nothing lost, nothing claimed falsely, with the real binary in tmux on the embedded engine: a
/// transcripts folder that cannot be made, and two ponders continuing the same file.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct NothingLostTmuxTests {
    typealias Workspace = ChatTmuxTests.Workspace
    let resume = ResumeTmuxTests()

    /// `--transcripts` names a regular file, so no save can succeed (as root, a read-only folder
    /// would not stop a write; this does). The error shows at once, Ctrl-Q asks again, and ponder
    /// leaves with exit status 1 and a copy of the conversation in the temporary folder, never
    /// "saved to".
    @Test func aConversationThatCannotBeSavedIsShownAtQuitAndCopiedElsewhere() async throws {
        let workspace = try Workspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        try Data("not a folder\n".utf8).write(to: workspace.transcripts)
        let tmux = try resume.launch(workspace, width: 140, flags: ["--max-tokens", "16"])
        try await tmux.poll("the model in the status bar", timeout: 60) { ResumeTmuxTests.statusBar($0).contains("SmolLM2") }
        tmux.type("Say hello.")
        try await tmux.poll(text: "› Say hello.")
        tmux.press("Enter")
        var rows = try await tmux.poll("the failed save on the status bar", timeout: 60) {
            ResumeTmuxTests.statusBar($0).contains("not saved:")
        }
        print("save failure shown: \(ResumeTmuxTests.statusBar(rows).trimmingCharacters(in: .whitespaces))")
        tmux.press("C-q")
        rows = try await tmux.poll("the warning at quit") { ResumeTmuxTests.statusBar($0).contains("Ctrl-Q again quits anyway") }
        #expect(!rows.contains { $0.contains("EXIT=") }, "the first Ctrl-Q does not leave")
        tmux.press("C-q")
        rows = try await tmux.poll(text: "EXIT=1")
        let screen = rows.joined(separator: "\n").replacingOccurrences(of: "\n", with: "")
        #expect(!screen.contains("Transcript saved to"))
        let pattern = #"a copy is in (\S+\.json)"#
        let match = try #require(screen.range(of: pattern, options: .regularExpression), "\(rows)")
        let rescue = String(screen[match].dropFirst("a copy is in ".count))
        defer { try? FileManager.default.removeItem(atPath: rescue) }
        #expect(screen.contains("ponder: the conversation could not be saved: "))
        let copy = try Transcript.load(from: URL(fileURLWithPath: rescue))
        #expect(copy.conversation.messages.first?.content == "Say hello.")
        #expect(copy.conversation.messages.count == 2)
        let mode = try FileManager.default.attributesOfItem(atPath: rescue)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    /// Two ponders `--resume` the same file: the second is told it is in use and continues in a
    /// copy with a file of its own; the first keeps saving into the file; once the first has
    /// quit, a third opens the file itself.
    @Test func twoPondersOnOneTranscriptDoNotOverwriteEachOther() async throws {
        let workspace = try Workspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        let shared = workspace.transcripts.appendingPathComponent("shared.json")
        let start = Date(timeIntervalSince1970: 1_790_000_000)
        try Transcript(Conversation(title: "Shared", messages: [.user("Name a color."), .assistant("Blue.")],
                                    created: start, updated: start)).write(to: shared)

        let first = try resume.launch(workspace, flags: ["--max-tokens", "12", "--resume", shared.path])
        try await first.poll("the first to open the file", timeout: 60) {
            $0.contains { $0.contains("Blue.") } && ResumeTmuxTests.statusBar($0).contains("SmolLM2")
        }
        let second = try resume.launch(workspace, flags: ["--max-tokens", "12", "--resume", shared.path])
        try await second.poll(text: "in use by another ponder, so this is a copy with a file of its own", timeout: 60)

        _ = try await resume.ask(second, workspace, "And a fruit?", messages: 4)
        let files = workspace.savedFiles(".json")
        #expect(files.count == 2, "\(files.map(\.lastPathComponent))")
        #expect(try Transcript.load(from: shared).conversation.messages.count == 2, "the copy did not write into the file")

        first.type("And an animal?")
        try await first.poll(text: "› And an animal?")
        first.press("Enter")
        let deadline = Date().addingTimeInterval(60)
        while (try? Transcript.load(from: shared))?.conversation.messages.count != 4 {
            guard Date() < deadline else { throw E2EFailure(description: "the first never saved into the file") }
            try await Task.sleep(for: .milliseconds(50))
        }
        let kept = try Transcript.load(from: shared).conversation.messages.map(\.content)
        #expect(kept.prefix(3) == ["Name a color.", "Blue.", "And an animal?"])
        first.press("C-q")
        try await first.poll(text: "EXIT=0")
        second.press("C-q")
        try await second.poll(text: "EXIT=0")

        let third = try resume.launch(workspace, flags: ["--resume", shared.path])
        let rows = try await third.poll("the third to open the file itself", timeout: 60) {
            ResumeTmuxTests.statusBar($0).contains("opened ")
        }
        #expect(!rows.contains { $0.contains("in use by another ponder") })
        third.press("C-q")
        try await third.poll(text: "EXIT=0")
    }

    /// The disk fills up under a conversation: a tmpfs of 256 KiB mounted on the transcripts
    /// folder and filled, so the autosave fails with ENOSPC and says so at once; with room made,
    /// the next reply saves everything. Where no tmpfs can be mounted, a file-size limit
    /// (`ulimit -f`) makes every write fail instead, and leaving says the conversation was not
    /// saved, never "saved to".
    @Test func aFullDiskIsShownAndTheNextReplySavesOnceThereIsRoom() async throws {
        let workspace = try Workspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        try FileManager.default.createDirectory(at: workspace.transcripts, withIntermediateDirectories: true)
        let folder = workspace.transcripts.path
        let mounted = Shell.run("mount -t tmpfs -o size=256k,mode=0700 tmpfs \(Shell.quote(folder))") == 0
        defer { if mounted { Shell.run("umount -l \(Shell.quote(folder))") } }
        let filler = workspace.transcripts.appendingPathComponent("filler")
        if mounted {
            Shell.run("dd if=/dev/zero of=\(Shell.quote(filler.path)) bs=4k 2>/dev/null; sync")
            #expect(Shell.output("df -k \(Shell.quote(folder)) | tail -1").contains(" 100% "), "the tmpfs is full")
        }
        print("full disk: \(mounted ? "a full 256 KiB tmpfs" : "ulimit -f 1 (no tmpfs could be mounted)")")

        let binary = try Peers.ponderBinary()
        let model = try Peers.model(Peers.smolLM2)
        let arguments = ["--model", model, "--ctx", "2048", "--transcripts", folder, "--think", "off", "--temperature", "0",
                         "--max-tokens", "16"]
        let command = (mounted ? "" : "ulimit -f 1; ")
            + "env LANG=C.UTF-8 TERM=tmux-256color SWIFT_BACKTRACE=enable=no "
            + "XDG_CONFIG_HOME=\(Shell.quote(workspace.root.appendingPathComponent("config").path)) "
            + "TMPDIR=\(Shell.quote(workspace.root.path)) "
            + ([binary] + arguments).map(Shell.quote).joined(separator: " ") + "; echo EXIT=$?; sleep 120"
        let tmux = try TmuxSession(width: 160, height: 30, command: command)
        try await tmux.poll("the model in the status bar", timeout: 60) { ResumeTmuxTests.statusBar($0).contains("SmolLM2") }
        tmux.type("Say hello.")
        try await tmux.poll(text: "› Say hello.")
        tmux.press("Enter")
        let expected = mounted ? "No space left on device" : "File too large"
        let rows = try await tmux.poll("the failed save on the status bar", timeout: 60) {
            ResumeTmuxTests.statusBar($0).contains("not saved:")
        }
        #expect(ResumeTmuxTests.statusBar(rows).contains(expected), "\(ResumeTmuxTests.statusBar(rows))")
        #expect(workspace.savedFiles(".json").isEmpty, "nothing half-written is left behind")

        if mounted {
            // Room again: the next reply saves the whole conversation.
            try FileManager.default.removeItem(at: filler)
            _ = try await resume.ask(tmux, workspace, "And again.", messages: 4)
            tmux.press("C-q")
            let end = try await tmux.poll(text: "EXIT=")
            #expect(end.contains("EXIT=0"))
            #expect(end.contains { $0.hasPrefix("Transcript saved to ") })
        } else {
            tmux.press("C-q")
            try await tmux.poll(text: "Ctrl-Q again quits anyway")
            tmux.press("C-q")
            let end = try await tmux.poll(text: "EXIT=")
            #expect(end.contains("EXIT=1"))
            #expect(!end.contains { $0.contains("Transcript saved to") })
            #expect(end.contains { $0.contains("ponder: the conversation could not be saved: ") })
        }
    }
}

