import Foundation
import PonderCore

#if canImport(Glibc)
import Glibc
#endif

/// Where the command line writes text that came from outside (a model, a server, a file): when
/// the stream is a terminal, the text goes out inert (`InertText.forTerminal`: no escape
/// sequences, no control characters, bidi controls as marks), so a GGUF's metadata, a model's
/// reply or a transcript title cannot retitle the window, move the cursor or hide what follows.
/// Written to a pipe or a file, it is left byte for byte as it is.
enum TerminalOutput {
    enum Stream {
        case standardOutput, standardError

        var descriptor: Int32 { self == .standardOutput ? STDOUT_FILENO : STDERR_FILENO }
        var handle: FileHandle { self == .standardOutput ? .standardOutput : .standardError }
    }

    static let outputIsTerminal = isatty(STDOUT_FILENO) == 1
    static let errorIsTerminal = isatty(STDERR_FILENO) == 1

    static func isTerminal(_ stream: Stream) -> Bool { stream == .standardOutput ? outputIsTerminal : errorIsTerminal }

    /// Writes `text` (made inert on a terminal), between `before` and `after`, which are ponder's
    /// own and go out as they are (the dimming of a trace, say).
    static func write(_ text: String, to stream: Stream = .standardOutput, before: String = "", after: String = "") {
        let shown = isTerminal(stream) ? InertText.forTerminal(text) : text
        stream.handle.write(Data((before + shown + after).utf8))
    }

    /// `print` for outside text: a line on standard output.
    static func line(_ text: String) { write(text + "\n") }

    /// A line on standard error.
    static func warn(_ text: String) { write(text + "\n", to: .standardError) }
}
