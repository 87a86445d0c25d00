import Foundation
import PonderCore
import PonderTestSupport
import Testing

/// The settings that act on the screen and the disk rather than on a request, followed from
/// `config.toml` (and the flags that override it) to what a user sees: the model the embedded
/// engine loads, the think mode, the theme, the transcripts folder, and whether ponder takes the
/// mouse.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct ScreenSettingsTmuxTests {
    typealias Workspace = ChatTmuxTests.Workspace

    /// Starts plain `ponder FLAGS` in tmux with `config` as the user's config file.
    func launch(_ workspace: Workspace, config: String, flags: [String] = []) throws -> TmuxSession {
        let folder = workspace.root.appendingPathComponent("config/ponder")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data(config.utf8).write(to: folder.appendingPathComponent("config.toml"))
        let command = "env LANG=C.UTF-8 TERM=tmux-256color SWIFT_BACKTRACE=enable=no "
            + "XDG_CONFIG_HOME=\(Shell.quote(workspace.root.appendingPathComponent("config").path)) "
            + "XDG_DATA_HOME=\(Shell.quote(workspace.root.appendingPathComponent("data").path)) "
            + ([try Peers.ponderBinary()] + flags).map(Shell.quote).joined(separator: " ")
            + "; echo EXIT=$?; sleep 120"
        return try TmuxSession(width: 120, height: 30, command: command)
    }

    /// Waits until the status bar shows `think` and `model` for a loaded backend (not the
    /// "connecting to …" label), then checks whether ponder took the mouse.
    func waitUntilReady(_ tmux: TmuxSession, think: String, model: String, mouse: Bool) async throws {
        try await tmux.poll("\(think) and \(model) in the status bar", timeout: 90) {
            let bar = ChatTmuxTests.statusBar($0)
            return bar.contains(think) && bar.contains(model) && !bar.contains("connecting")
        }
        #expect(tmux.display("#{mouse_any_flag}") == (mouse ? "1" : "0"), "mouse reporting \(mouse ? "on" : "off")")
    }

    /// `/theme` names the theme in use.
    func expectTheme(_ name: String, in tmux: TmuxSession) async throws {
        tmux.type("/theme")
        tmux.press("Enter")
        try await tmux.poll(text: "(current: \(name))")
    }

    @Test func theConfigFileChoosesModelThinkModeThemeAndTranscriptsFolder() async throws {
        let workspace = try Workspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        let tmux = try launch(workspace, config: """
            model = "\(try Peers.model(Peers.gemma3))"
            theme = "gruvbox"
            transcripts = "\(workspace.transcripts.path)"
            [think]
            mode = "on"
            [sampler]
            temperature = 0
            """, flags: ["--max-tokens", "8", "--threads", "2"])
        try await waitUntilReady(tmux, think: "think: on", model: "gemma-3-270m", mouse: true)
        try await expectTheme("gruvbox", in: tmux)

        tmux.type("Hi")
        tmux.press("Enter")
        let deadline = Date().addingTimeInterval(60)
        while workspace.savedFiles(".json").isEmpty {
            if Date() > deadline { throw E2EFailure(description: "no transcript in the configured folder: \(tmux.screen())") }
            try await Task.sleep(for: .milliseconds(100))
        }
        tmux.press("C-q")
        try await tmux.poll(text: "EXIT=0")
    }

    /// `--threads N` is how many threads compute: the engine's pool adds N - 1 workers, named
    /// `ponder-compute`, to the thread that asks.
    @Test(arguments: [1, 3])
    func theThreadsFlagSizesTheComputePool(threads: Int) async throws {
        let workspace = try Workspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        let tmux = try launch(workspace, config: "model = \"\(try Peers.model(Peers.gemma3))\"\n", flags: ["--threads", "\(threads)"])
        try await waitUntilReady(tmux, think: "think: off", model: "gemma-3-270m", mouse: true)
        let pid = try #require(tmux.programPID())
        let tasks = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")
        let computing = tasks.filter {
            (try? String(contentsOfFile: "/proc/\(pid)/task/\($0)/comm", encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines) == "ponder-compute"
        }
        #expect(computing.count == threads - 1)
        tmux.press("C-q")
        try await tmux.poll(text: "EXIT=0")
    }

    @Test func flagsOverrideTheFileOnTheScreen() async throws {
        let workspace = try Workspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        let tmux = try launch(workspace, config: """
            model = "\(try Peers.model(Peers.gemma3))"
            theme = "gruvbox"
            [think]
            mode = "on"
            """, flags: ["--model", try Peers.model(Peers.smolLM2), "--theme", "mono", "--think", "off", "--no-mouse", "--threads", "2"])
        try await waitUntilReady(tmux, think: "think: off", model: "SmolLM2", mouse: false)
        try await expectTheme("mono", in: tmux)
        tmux.press("C-q")
        try await tmux.poll(text: "EXIT=0")
    }
}
