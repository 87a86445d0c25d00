import ArgumentParser
import Foundation
import PonderCore

/// `ponder transcript …`: work with saved conversations outside the chat.
struct TranscriptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transcript",
        abstract: "Export or list saved conversations.",
        subcommands: [Export.self, List.self])

    /// `ponder transcript export FILE --format md|txt|json|html [--no-reasoning] [-o OUT]`.
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Export a transcript as Markdown, plain text, JSON or HTML.",
            discussion: """
                Markdown and HTML keep each reasoning trace folded in <details> (GitHub and browsers show \
                it closed). Without -o the export goes to standard output.
                """)

        @Argument(help: ArgumentHelp("A transcript file, or its name in the transcript folder.", valueName: "file"))
        var file: String

        @Option(help: ArgumentHelp("md, txt, json or html (default: from -o's extension, else md).", valueName: "format"))
        var format: String?

        @Flag(help: "Leave the reasoning traces out.")
        var noReasoning = false

        @Option(name: [.customShort("o"), .customLong("output")], help: ArgumentHelp("Write here (atomically) instead of standard output.", valueName: "out"))
        var output: String?

        @Option(help: ArgumentHelp("Theme for HTML colours (name or .toml file).", valueName: "name|path"))
        var theme: String?

        @Option(help: ArgumentHelp("The transcript folder to look names up in.", valueName: "dir"))
        var transcripts: String?

        func validate() throws {
            if let format, PonderCore.Export.Format(name: format) == nil {
                throw ValidationError("--format must be md, txt, json or html, not '\(format)'")
            }
        }

        func run() throws {
            let environment = ProcessInfo.processInfo.environment
            let chosen = format.flatMap(PonderCore.Export.Format.init(name:))
                ?? output.flatMap { PonderCore.Export.Format(name: URL(fileURLWithPath: $0).pathExtension) } ?? .markdown
            var overrides = ConfigOverrides()
            overrides.transcripts = transcripts
            overrides.theme = theme
            let config = ResolvedConfig.load(overrides: overrides, environment: environment)
            let library = TranscriptLibrary(directory: URL(fileURLWithPath: config.transcripts.value))
            let transcript: Transcript
            do {
                transcript = try library.load(file)
            } catch {
                throw CommandFailure(message: error.description)
            }
            var options = PonderCore.Export.Options(includeReasoning: !noReasoning)
            if chosen == .html {
                let catalog = ThemeCatalog.standard(environment: environment)
                let (loaded, problem) = catalog.themeOrFallback(config.theme.value ?? "default")
                if let problem { TerminalOutput.warn("warning: \(problem); using the default theme") }
                options.theme = loaded
            }
            let text = PonderCore.Export.render(transcript, as: chosen, options: options)
            guard let output else {
                TerminalOutput.write(text)
                return
            }
            do {
                try AtomicFile.write(Data(text.utf8), to: URL(fileURLWithPath: output))
            } catch {
                throw CommandFailure(message: error.description)
            }
        }
    }

    /// `ponder transcript list`: what `/history` shows, newest first.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List saved conversations, newest first.")

        @Option(help: ArgumentHelp("The transcript folder (default: from the configuration).", valueName: "dir"))
        var transcripts: String?

        func run() throws {
            var overrides = ConfigOverrides()
            overrides.transcripts = transcripts
            let config = ResolvedConfig.load(overrides: overrides)
            let listing = TranscriptLibrary(directory: URL(fileURLWithPath: config.transcripts.value)).list()
            for entry in listing.entries {
                let date = TranscriptDate.format(entry.updated).prefix(16).replacingOccurrences(of: "T", with: " ")
                TerminalOutput.line(
                    "\(date)  \(String(format: "%3d", entry.messageCount)) msgs  \(entry.model ?? "-")  \(entry.title)  \(entry.url.lastPathComponent)")
            }
            for problem in listing.unreadable {
                TerminalOutput.warn("unreadable: \(problem)")
            }
        }
    }
}

/// A failure already phrased for the user: printed as `error: …`, exit status 1.
struct CommandFailure: Error, CustomStringConvertible {
    var message: String
    /// The exit status (`ponder ask` has its own; 1 elsewhere).
    var status: Int32 = 1
    var description: String { message }
}
