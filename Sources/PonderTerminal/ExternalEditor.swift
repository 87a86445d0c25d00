import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The user's own editor for the input (Ctrl-X Ctrl-E, `/edit`), run as shells and git run it:
/// the command in `$VISUAL`, else `$EDITOR`, else `vi`, through `/bin/sh -c` with the file as its
/// argument, so `code --wait` or `emacs -nw` work as written. The caller hands over the terminal
/// (`CursesScreen.leave`) for as long as this blocks.
///
/// ```swift
/// screen.leave()
/// let result = ExternalEditor.edit(input, environment: ProcessInfo.processInfo.environment)
/// screen.resume()
/// ```
enum ExternalEditor {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The most text taken back from the editor (the input is a chat message, not a file).
    static let maximumBytes = 8 << 20

    /// The editor command from the environment.
    static func command(environment: [String: String]) -> String {
        for name in ["VISUAL", "EDITOR"] {
            if let value = environment[name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty { return value }
        }
        return "vi"
    }

    /// Writes `text` to a private temporary file, runs the editor on it and waits, and returns
    /// what the file holds afterwards. The file is removed whatever happens.
    static func edit(_ text: String, environment: [String: String]) -> Result<String, Failure> {
        let editor = command(environment: environment)
        let folder = environment["TMPDIR"].flatMap { $0.hasPrefix("/") ? $0 : nil } ?? "/tmp"
        var template = Array((folder + "/ponder-edit-XXXXXX.md").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemps($0.baseAddress!, 3) }
        guard fd >= 0 else {
            return .failure(Failure(description: "cannot make a file for the editor in \(folder): \(String(cString: strerror(errno)))"))
        }
        let path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        defer { unlink(path) }
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                let reason = String(cString: strerror(errno))
                close(fd)
                return .failure(Failure(description: "cannot write \(path) for the editor: \(reason)"))
            }
            written += n
        }
        close(fd)

        switch run(editor, on: path) {
        case .failure(let failure): return .failure(failure)
        case .success: break
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            return .failure(Failure(description: "the editor (\(editor)) left no file to read back; the input is unchanged"))
        }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: maximumBytes + 1)) ?? Data()
        guard data.count <= maximumBytes else {
            return .failure(Failure(description: "the edited text is over \(maximumBytes >> 20) MiB; the input is unchanged"))
        }
        return .success(String(decoding: data, as: UTF8.self))
    }

    /// Runs `/bin/sh -c 'EDITOR "$1"' sh PATH` on the terminal and waits for it. Ctrl-C and
    /// Ctrl-\ in the editor are the editor's: ponder ignores them meanwhile, and the editor
    /// starts with every signal at its default.
    private static func run(_ editor: String, on path: String) -> Result<Void, Failure> {
        var ignore = sigaction()
        ignore.__sigaction_handler.sa_handler = SIG_IGN
        var oldInterrupt = sigaction(), oldQuit = sigaction()
        sigaction(SIGINT, &ignore, &oldInterrupt)
        sigaction(SIGQUIT, &ignore, &oldQuit)
        defer {
            sigaction(SIGINT, &oldInterrupt, nil)
            sigaction(SIGQUIT, &oldQuit, nil)
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t(), none = sigset_t()
        sigfillset(&defaults)
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let arguments = ["/bin/sh", "-c", editor + " \"$1\"", "sh", path]
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/bin/sh", nil, &attributes, &argv, environ)
        guard spawned == 0 else {
            return .failure(Failure(description: "cannot start the editor (\(editor)): \(String(cString: strerror(spawned)))"))
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else {
                return .failure(Failure(description: "lost the editor (\(editor)): \(String(cString: strerror(errno)))"))
            }
        }
        let exited = status & 0x7f == 0
        let code = (status >> 8) & 0xff
        if !exited {
            return .failure(Failure(description: "the editor (\(editor)) was ended by signal \(status & 0x7f); the input is unchanged"))
        }
        if code != 0 {
            let hint = code == 127 ? " (not found: set $VISUAL or $EDITOR)" : ""
            return .failure(Failure(description: "the editor (\(editor)) exited with status \(code)\(hint); the input is unchanged"))
        }
        return .success(())
    }
}
