import ArgumentParser
import CBuildInfo
import Foundation

/// `ponder`: a terminal chat client for reasoning models.
@main
struct Ponder: AsyncParsableCommand {
    static let version = "0.1.0"
    /// What `--version` prints: the version and the git commit of the build.
    static let versionLine = "ponder \(version) (commit \(String(cString: ponder_build_commit())))"

    static let configuration = CommandConfiguration(
        commandName: "ponder",
        abstract: "A terminal chat client for reasoning models.",
        discussion: """
            Without a subcommand, opens the chat. Ctrl-T toggles reasoning for the next reply; F1 lists every key.

            Examples:
              ponder --server http://127.0.0.1:8080
              ponder --server https://api.openai.com --api-model o4-mini --api-key-env OPENAI_API_KEY
              ponder --server https://api.anthropic.com --api-model claude-sonnet-4-5   (key in $ANTHROPIC_API_KEY)
              ponder --server http://127.0.0.1:8080 --think off --think-style enable-thinking

            Every chat option (server, model, think mode and style, theme, transcripts folder, sampling): \
            `ponder chat --help`.
            """,
        version: versionLine,
        subcommands: [
            ChatCommand.self, AskCommand.self, InspectCommand.self, TokenizeCommand.self, TemplateCommand.self, GenerateCommand.self,
            BenchCommand.self, TranscriptCommand.self, ConfigCommand.self, ModelsCommand.self, ServeCommand.self,
            StreamBenchCommand.self,
        ],
        defaultSubcommand: ChatCommand.self
    )

    /// Parses and runs as swift-argument-parser does, but an error from running a command (which
    /// may quote a model file, a server or a transcript) goes out inert on a terminal.
    static func main() async {
        // Past a file-size limit (ulimit -f) a write should fail with EFBIG, which ponder reports
        // and survives, instead of the default SIGXFSZ killing it with the conversation unsaved.
        signal(SIGXFSZ, SIG_IGN)
        let command: any ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            exitWithUsageStatus(error)  // the user's own arguments, help and usage
        }
        do {
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                var command = command
                try command.run()
            }
        } catch let failure as CommandFailure {
            TerminalOutput.warn(fullMessage(for: failure))
            Foundation.exit(failure.status)
        } catch let error as ValidationError {
            exitWithUsageStatus(error)
        } catch {
            let message = fullMessage(for: error)
            if !message.isEmpty { TerminalOutput.warn(message) }
            Foundation.exit(exitCode(for: error).rawValue)
        }
    }

    /// Help and version as swift-argument-parser gives them; bad usage exits 2, as a shell tool's
    /// does, rather than sysexits' 64.
    static func exitWithUsageStatus(_ error: any Error) -> Never {
        guard exitCode(for: error) == .validationFailure else { exit(withError: error) }
        TerminalOutput.warn(fullMessage(for: error))
        Foundation.exit(2)
    }
}
