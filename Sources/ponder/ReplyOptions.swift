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
        if let maxTokens, !(1...1_048_576).contains(maxTokens) { throw ValidationError("--max-tokens must be from 1 to 1048576") }
        if !(64...1_048_576).contains(ctx) { throw ValidationError("--ctx must be from 64 to 1048576 tokens") }
        if let threads, !(1...256).contains(threads) { throw ValidationError("--threads must be from 1 to 256") }
    }
}
