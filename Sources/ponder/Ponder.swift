import ArgumentParser

/// `ponder`: a terminal chat client for reasoning models.
@main
struct Ponder: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "ponder",
        abstract: "A terminal chat client for reasoning models.",
        discussion: """
            Without a subcommand, opens the chat. Ctrl-T toggles reasoning for the next reply; F1 lists every key.
            """,
        version: version,
        subcommands: [ChatCommand.self, InspectCommand.self, TokenizeCommand.self],
        defaultSubcommand: ChatCommand.self
    )
}
