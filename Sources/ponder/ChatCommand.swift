import ArgumentParser
import PonderCore

/// The chat TUI (the default subcommand).
struct ChatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat", abstract: "Open the full-screen chat (the default).")

    @Option(help: "An OpenAI-compatible server, e.g. http://127.0.0.1:8080.")
    var server: String?

    func run() async throws {
        throw ValidationError("the chat is being built; see `ponder --help`")
    }
}
