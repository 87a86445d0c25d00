import ArgumentParser
import Foundation
import PonderCore
import PonderTerminal
import PonderTUI

extension ThinkMode: ExpressibleByArgument {}
extension ThinkStyle: ExpressibleByArgument {}

/// The chat TUI (the default subcommand).
struct ChatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat",
        abstract: "Open the full-screen chat (the default).",
        discussion: """
            Keys: Enter sends, Alt-Enter or Ctrl-J inserts a new line, Ctrl-T turns reasoning on/off \
            for the next reply, Ctrl-O folds the latest thinking block (Alt-O all), Esc stops a reply, \
            Ctrl-R regenerates, Ctrl-N starts over, Ctrl-S saves, Ctrl-Q quits, F1 lists every key. \
            Commands: /think on|off, /system TEXT, /save [PATH], /clear, /help, /quit.
            """)

    @Option(help: ArgumentHelp("An OpenAI-compatible server, e.g. http://127.0.0.1:8080.", valueName: "url"))
    var server: String?

    @Option(help: ArgumentHelp("The model to ask the server for (default: the first of /v1/models).", valueName: "name"))
    var apiModel: String?

    @Option(help: ArgumentHelp("The environment variable holding the API key (never saved or logged).", valueName: "var"))
    var apiKeyEnv: String?

    @Option(help: ArgumentHelp(
        "How reasoning on/off is sent: auto, template-kwargs, effort, system-prompt, soft-switch, ollama, none.",
        valueName: "style"))
    var thinkStyle: ThinkStyle = .auto

    @Option(help: ArgumentHelp("Reasoning for the first reply: on or off (Ctrl-T flips it).", valueName: "on|off"))
    var think: ThinkMode = .on

    @Option(help: ArgumentHelp("A system prompt for new conversations.", valueName: "text"))
    var system: String?

    @Option(help: ArgumentHelp(
        "Where transcripts are saved (default: $XDG_DATA_HOME/ponder/transcripts).", valueName: "dir"))
    var transcripts: String?

    @Flag(help: "Leave the mouse to the terminal (no wheel scrolling or header clicks, native selection).")
    var noMouse = false

    func validate() throws {
        if let apiKeyEnv, ProcessInfo.processInfo.environment[apiKeyEnv] == nil {
            throw ValidationError("--api-key-env \(apiKeyEnv): that environment variable is not set")
        }
        if server == nil {
            throw ValidationError("no backend: give --server URL (an OpenAI-compatible server such as llama-server)")
        }
    }

    func run() async throws {
        let backend = try makeBackend()
        let options = ChatApp.Options(
            settings: ChatSettings(systemPrompt: system, backendLabel: server.map(Self.hostPort) ?? ""),
            think: think, theme: .fallback, transcripts: transcriptsDirectory(), mouse: !noMouse)
        let app = ChatApp(backend: backend, options: options)
        let saved = try await Self.runOnOwnThread(app)
        if let saved { print("Transcript saved to \(saved)") }
    }

    /// The backend the flags ask for. The embedded engine will add `--model PATH` here.
    func makeBackend() throws -> any ChatBackend {
        guard let server else { throw ValidationError("no backend: give --server URL") }
        throw ValidationError("the remote backend for \(server) is not built yet")
    }

    func transcriptsDirectory() -> URL {
        if let transcripts { return URL(fileURLWithPath: (transcripts as NSString).expandingTildeInPath) }
        let environment = ProcessInfo.processInfo.environment
        let base = environment["XDG_DATA_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil }
            ?? (NSHomeDirectory() + "/.local/share")
        return URL(fileURLWithPath: base).appendingPathComponent("ponder/transcripts")
    }

    static func hostPort(_ url: String) -> String {
        var text = Substring(url)
        if let scheme = text.range(of: "://") { text = text[scheme.upperBound...] }
        if let slash = text.firstIndex(of: "/") { text = text[..<slash] }
        if let at = text.lastIndex(of: "@") { text = text[text.index(after: at)...] }  // no credentials
        return String(text)
    }

    /// The chat loop blocks in poll(2), so it gets a thread of its own instead of one of the few
    /// threads Swift concurrency runs reply streams on.
    static func runOnOwnThread(_ app: ChatApp) async throws -> String? {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                do {
                    continuation.resume(returning: try app.run())
                } catch {
                    continuation.resume(throwing: error)
                }
            }
            thread.name = "ponder-ui"
            thread.stackSize = 8 << 20
            thread.start()
        }
    }
}
