import ArgumentParser
import Foundation
import PonderCore

/// The command-line flags that override `config.toml`, shared by every command that resolves the
/// configuration (`ponder config` shows what `ponder chat` would run with the same flags).
struct ConfigOptions: ParsableArguments {
    @Option(name: .customLong("config"), help: ArgumentHelp("Read this config file instead of $XDG_CONFIG_HOME/ponder/config.toml.", valueName: "file"))
    var configPath: String?

    @Option(help: ArgumentHelp("An OpenAI-compatible server URL, or the name of a [servers.NAME] profile.", valueName: "url|profile"))
    var server: String?

    @Option(help: ArgumentHelp("The model to ask the server for (default: its first).", valueName: "name"))
    var apiModel: String?

    @Option(help: ArgumentHelp("The environment variable holding the API key.", valueName: "var"))
    var apiKeyEnv: String?

    @Option(help: ArgumentHelp("The most seconds one reply from a server may take (default: 3600).", valueName: "seconds"))
    var deadline: Int?

    @Flag(help: "Send the API key over plain http:// to a host that is not this machine (refused otherwise).")
    var allowInsecure = false

    @Option(name: [.customLong("api"), .customLong("provider")], help: ArgumentHelp(
        "The server's API: openai (/v1/chat/completions, the default), ollama (Ollama's native /api/chat) or anthropic (/v1/messages; the default for api.anthropic.com).",
        valueName: "api"))
    var api: String?

    @Option(help: ArgumentHelp("How reasoning on/off is sent: \(DialectChoice.names.joined(separator: ", ")).", valueName: "style"))
    var thinkStyle: String?

    @Option(help: ArgumentHelp("The GGUF model for the embedded engine.", valueName: "file"))
    var model: String?

    @Option(help: ArgumentHelp("A theme name (see `ponder config --themes`) or a .toml file.", valueName: "name|path"))
    var theme: String?

    @Option(help: ArgumentHelp("Where conversations are saved.", valueName: "dir"))
    var transcripts: String?

    @Option(help: ArgumentHelp(
        "Reasoning for the first reply: on or off; low, medium or high (on, with that --think-effort); or a number (on, with that --think-budget).",
        valueName: "on|off|low|medium|high|N"))
    var think: String?

    @Option(help: ArgumentHelp("Reasoning tokens before the model must answer.", valueName: "tokens"))
    var thinkBudget: Int?

    @Option(help: ArgumentHelp(
        "How hard to think: low, medium or high (reasoning_effort where a server takes it, else a budget of 256, 1024 or 4096 tokens).",
        valueName: "level"))
    var thinkEffort: String?

    @Option(help: ArgumentHelp("Sampling temperature (0 = greedy).", valueName: "t"))
    var temperature: Double?

    @Option(help: ArgumentHelp("Keep only the k most likely tokens (0 = off).", valueName: "k"))
    var topK: Int?

    @Option(help: ArgumentHelp("Keep the most likely tokens up to this probability mass (1 = off).", valueName: "p"))
    var topP: Double?

    @Option(help: ArgumentHelp("Drop tokens less likely than this fraction of the best one (0 = off).", valueName: "p"))
    var minP: Double?

    @Option(help: ArgumentHelp("Repetition penalty over the last tokens (1 = off).", valueName: "r"))
    var repeatPenalty: Double?

    @Option(help: ArgumentHelp("How many recent tokens the repetition penalty looks at.", valueName: "n"))
    var repeatLastN: Int?

    @Option(help: ArgumentHelp("Sampling seed.", valueName: "n"))
    var seed: UInt64?

    @Flag(help: "Let a reply that repeats itself run on (the loop guard stops it by default).")
    var noLoopGuard = false

    func validate() throws {
        if let api, ServerAPI(rawValue: api) == nil {
            throw ValidationError("--api must be one of \(ServerAPI.allCases.map(\.rawValue).joined(separator: ", ")), not '\(api)'")
        }
        if let thinkStyle, DialectChoice(name: thinkStyle) == nil {
            throw ValidationError("--think-style must be one of \(DialectChoice.names.joined(separator: ", ")), not '\(thinkStyle)'")
        }
        if let think {
            guard let level = ThinkLevel(think) else {
                throw ValidationError("--think must be on, off, low, medium, high or a number of tokens, not '\(think)'")
            }
            if case .effort(let effort) = level, let thinkEffort, thinkEffort != effort {
                throw ValidationError("--think \(effort) and --think-effort \(thinkEffort) disagree: give the level once")
            }
            if case .budget(let tokens) = level, let thinkBudget, thinkBudget != tokens {
                throw ValidationError("--think \(tokens) and --think-budget \(thinkBudget) disagree: give the budget once")
            }
        }
        if let thinkBudget, thinkBudget < 0 { throw ValidationError("--think-budget must be 0 or more") }
        if let deadline, !ResolvedConfig.deadlineRange.contains(deadline) {
            throw ValidationError("--deadline takes seconds from 1 to \(ResolvedConfig.deadlineRange.upperBound), not \(deadline)")
        }
        if let thinkEffort, !["low", "medium", "high"].contains(thinkEffort) {
            throw ValidationError("--think-effort must be low, medium or high, not '\(thinkEffort)'")
        }
        if let temperature, !(0...100).contains(temperature) { throw ValidationError("--temperature must be between 0 and 100") }
        if let topK, topK < 0 { throw ValidationError("--top-k must be 0 or more") }
        if let topP, !(0...1).contains(topP) { throw ValidationError("--top-p must be between 0 and 1") }
        if let minP, !(0...1).contains(minP) { throw ValidationError("--min-p must be between 0 and 1") }
        if let repeatPenalty, !(0...10).contains(repeatPenalty) { throw ValidationError("--repeat-penalty must be between 0 and 10") }
        if let repeatLastN, !(0...4096).contains(repeatLastN) { throw ValidationError("--repeat-last-n must be between 0 and 4096") }
        if let seed, seed > UInt64(Int64.max) { throw ValidationError("--seed must be at most \(Int64.max)") }
    }

    /// The flags as `ResolvedConfig` takes them.
    var overrides: ConfigOverrides {
        var o = ConfigOverrides()
        o.configPath = configPath
        o.server = server
        o.apiModel = apiModel
        o.apiKeyEnv = apiKeyEnv
        o.deadline = deadline
        o.allowInsecure = allowInsecure ? true : nil
        o.api = api.flatMap(ServerAPI.init(rawValue:))
        o.thinkStyle = thinkStyle.flatMap(DialectChoice.init(name:))
        o.model = model
        o.theme = theme
        o.transcripts = transcripts
        let level = think.flatMap(ThinkLevel.init)
        o.think = level?.mode
        o.thinkBudget = thinkBudget ?? level?.budget
        o.thinkEffort = thinkEffort ?? level?.effort
        o.sampler = SamplerSettings(
            temperature: temperature, topK: topK, topP: topP, minP: minP, repeatPenalty: repeatPenalty,
            repeatLastN: repeatLastN, seed: seed)
        o.loopGuard = noLoopGuard ? false : nil
        return o
    }
}

/// `ponder config`: the effective configuration and where each value came from.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Show the effective configuration and where each value came from.",
        discussion: """
            Values come from built-in defaults, then $XDG_CONFIG_HOME/ponder/config.toml, then flags. \
            Exits with status 1 when the config file or the theme has a problem (ponder itself still \
            starts, ignoring the bad file).
            """)

    @OptionGroup var options: ConfigOptions

    @Flag(help: "List the available themes and where each comes from.")
    var themes = false

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        let config = ResolvedConfig.load(overrides: options.overrides, environment: environment)
        let catalog = ThemeCatalog.standard(environment: environment)
        if themes {
            for name in catalog.availableNames() {
                let (_, problem) = catalog.themeOrFallback(name)
                TerminalOutput.line("\(name.padding(toLength: 16, withPad: " ", startingAt: 0))  \(catalog.source(of: name) ?? "?")"
                      + (problem.map { "  error: \($0)" } ?? ""))
            }
            return
        }
        TerminalOutput.write(config.report())
        var failed = !config.problems.isEmpty
        let themeName = Theme.select(requested: config.theme.value, env: environment, terminalColors: 256)
        switch Result(catching: { () throws(ThemeError) in try catalog.theme(named: themeName) }) {
        case .success:
            TerminalOutput.line("theme file: \(catalog.source(of: themeName) ?? "built into ponder") (\(themeName))")
        case .failure(let error):
            TerminalOutput.line("error: theme: \(error) (ponder falls back to the default theme)")
            failed = true
        }
        if failed { throw ExitCode(1) }
    }
}
