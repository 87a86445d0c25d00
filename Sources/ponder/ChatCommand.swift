import ArgumentParser
import Foundation
import PonderCore
import PonderEngine
import PonderRemote
import PonderTerminal
import PonderTUI

/// The chat TUI (the default subcommand).
///
/// Settings come from `ConfigOptions` (flags over `config.toml` over defaults, exactly what
/// `ponder config` reports); the flags below are the chat's own.
struct ChatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat",
        abstract: "Open the full-screen chat (the default).",
        discussion: """
            Keys: Enter sends, Alt-Enter or Ctrl-J inserts a new line, Ctrl-T turns reasoning on/off \
            for the next reply, Ctrl-G ends a streaming trace and makes the model answer, Ctrl-O folds \
            the latest thinking block (Alt-O all), Esc stops a reply, Ctrl-R regenerates (keeping the \
            old version; [ ] flip them), Alt-Up/Down select a message, Ctrl-F searches, Ctrl-N starts \
            over, Ctrl-S saves, Ctrl-Q quits, F1 lists every key. \
            Commands: /think [on|off|low|medium|high|N|default], /budget N|off, /compare, \
            /copy [answer|reasoning|code|all], /search TEXT, /context [strip|keep], /system [TEXT], \
            /save [PATH], /load FILE, /history, /model [NAME], \
            /export [md|txt|json|html] [PATH], /theme [NAME|PATH], /sampler [NAME VALUE|reset], /clear, /help, /quit. \
            Conversations are saved after every reply in the transcripts folder; \
            --resume FILE continues a saved one and keeps saving into FILE.
            """)

    @OptionGroup var config: ConfigOptions

    @OptionGroup var reply: ReplyOptions

    @Option(help: ArgumentHelp(
        "Continue a saved conversation (a path, or a name in the transcripts folder); saves go back into it.",
        valueName: "file"))
    var resume: String?

    @Flag(help: "Leave the mouse to the terminal (no wheel scrolling or header clicks; native selection).")
    var noMouse = false

    func validate() throws {
        if let variable = config.apiKeyEnv, ProcessInfo.processInfo.environment[variable] == nil {
            throw ValidationError("--api-key-env \(variable): that environment variable is not set")
        }
    }

    func run() async throws {
        // A crash report goes to a file, never to an interactive backtracer over the screen
        // (this may restart the process once, before anything is loaded).
        CrashReports.arrange()
        let report = try await Self.runOnOwnThread(try makeApp())
        if let failure = report.failure {
            // Never "saved to" a file that was not written: say what failed and where the copy is.
            var line = "ponder: the conversation could not be saved: \(failure)"
            if let rescued = report.rescuedTo {
                line += "; a copy is in \(rescued)"
            } else if let problem = report.rescueFailure {
                line += "; no copy could be written either: \(problem)"
            }
            FileHandle.standardError.write(Data((line + "\n").utf8))
            throw ExitCode(1)
        }
        if let saved = report.savedTo { print("Transcript saved to \(saved)") }
    }

    /// The chat, its backend made from the configuration. The backend goes to the app alone (no
    /// local here outlives this call), so that when `/model` replaces it nothing else holds the
    /// old model's memory.
    func makeApp() throws -> ChatApp {
        let environment = ProcessInfo.processInfo.environment
        let resolved = ResolvedConfig.load(overrides: config.overrides, environment: environment)
        let (backend, label, warning) = try BackendFactory.make(
            resolved.backend.value, contextSize: reply.ctx, threads: reply.threads)
        let themeRequest = resolved.theme.value
        // Read the transcript before the screen opens: a bad file is one line on stderr and the
        // file is left as it is.
        var resumed: (transcript: Transcript, path: String)? = nil
        if let resume {
            let url = TranscriptLibrary(directory: URL(fileURLWithPath: resolved.transcripts.value)).resolve(resume)
            do {
                resumed = (try Transcript.load(from: url), url.path)
            } catch {
                throw CommandFailure(message: error.description)
            }
        }
        let options = ChatApp.Options(
            settings: ChatSettings(
                systemPrompt: reply.system, sampler: resolved.sampler, samplerSources: resolved.samplerSources,
                loopGuard: resolved.loopGuard.value, maxTokens: reply.maxTokens,
                thinkBudget: resolved.thinkBudget.value, thinkEffort: resolved.thinkEffort.value, backendLabel: label),
            think: resolved.thinkMode.value,
            theme: { colors in
                let name = Theme.select(requested: themeRequest, env: environment, terminalColors: colors)
                let (theme, problem) = ThemeCatalog.standard(environment: environment).themeOrFallback(name)
                return (theme, problem.map { "theme: \($0) (using the default theme)" })
            },
            transcripts: URL(fileURLWithPath: resolved.transcripts.value),
            mouse: !noMouse,
            notices: resolved.problems.map(\.description) + (warning.map { [$0] } ?? []),
            themes: ThemeCatalog.standard(environment: environment),
            resume: resumed,
            models: BackendFactory.catalog(for: backend, contextSize: reply.ctx, threads: reply.threads))
        return ChatApp(backend: backend, options: options)
    }

    /// The chat loop blocks in poll(2), so it gets a thread of its own instead of one of the few
    /// threads Swift concurrency runs reply streams on.
    static func runOnOwnThread(_ app: ChatApp) async throws -> ExitReport {
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
