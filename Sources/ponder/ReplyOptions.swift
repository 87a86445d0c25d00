import ArgumentParser

/// The options `chat` and `ask` share: the system prompt, the reply's length and the embedded
/// engine's context and threads.
struct ReplyOptions: ParsableArguments {
    @Option(help: ArgumentHelp("A system prompt (in the chat: for new conversations).", valueName: "text"))
    var system: String?

    @Option(help: ArgumentHelp("At most this many tokens per reply, trace and answer (default: the backend's limit).", valueName: "n"))
    var maxTokens: Int?

    @Option(help: ArgumentHelp("Context window of the embedded engine, in tokens.", valueName: "n"))
    var ctx: Int = 4096

    @Option(help: ArgumentHelp("Compute threads of the embedded engine (default: every core).", valueName: "n"))
    var threads: Int?

    func validate() throws {
        if let maxTokens, maxTokens < 1 { throw ValidationError("--max-tokens must be 1 or more") }
        if ctx < 64 { throw ValidationError("--ctx must be at least 64 tokens") }
        if let threads, threads < 1 { throw ValidationError("--threads must be 1 or more") }
    }
}
