import Foundation
import PonderTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Why an end-to-end step failed, with the screen as it was.
struct E2EFailure: Error, CustomStringConvertible {
    var description: String
}

/// A private tmux server running one program in one pane of a fixed size.
///
/// tmux is driven with `system()` and read with `popen()`: `Foundation.Process` hangs on
/// `tmux new-session`, whose daemon inherits the pipe Process uses to learn that its child exited
/// (swift-corelibs-foundation#4795). Waits poll the screen against a deadline; nothing sleeps
/// for a fixed time hoping the program caught up.
final class TmuxSession {
    let socket: String
    let target: String

    /// Starts `command` (a shell command line) in a detached pane of `width`×`height` cells.
    init(width: Int, height: Int, command: String) throws {
        guard Shell.run("command -v tmux") == 0 else { throw MissingPeer(what: "tmux (apt-get install tmux)") }
        socket = "ponder-e2e-\(getpid())-\(UUID().uuidString.prefix(8))"
        target = socket + ":0"
        let status = Shell.run(tmux("new-session -d -s \(socket) -x \(width) -y \(height) \(Shell.quote(command))"))
        guard status == 0 else { throw E2EFailure(description: "tmux new-session failed (\(status))") }
    }

    deinit { _ = Shell.run(tmux("kill-server")) }

    private func tmux(_ arguments: String) -> String { "tmux -L \(socket) -f /dev/null \(arguments)" }

    /// Types text literally (UTF-8, no key names).
    func type(_ text: String) {
        _ = Shell.run(tmux("send-keys -t \(target) -l \(Shell.quote(text))"))
    }

    /// Presses named keys: `Enter`, `C-t`, `M-o`, `Escape`, `PPage`, `F1`.
    func press(_ keys: String...) {
        _ = Shell.run(tmux("send-keys -t \(target) " + keys.joined(separator: " ")))
    }

    /// Sends raw bytes (a mouse report, say).
    func sendHex(_ bytes: [UInt8]) {
        _ = Shell.run(tmux("send-keys -t \(target) -H " + bytes.map { String(format: "%02x", $0) }.joined(separator: " ")))
    }

    /// Pastes text as a terminal does with bracketed paste on.
    func paste(_ text: String) throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("\(socket)-paste.txt")
        try Data(text.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        _ = Shell.run(tmux("load-buffer -b paste \(Shell.quote(file.path))"))
        _ = Shell.run(tmux("paste-buffer -p -d -b paste -t \(target)"))
    }

    /// Sets a tmux option for the whole server (`set-clipboard on`).
    func setOption(_ option: String) {
        _ = Shell.run(tmux("set-option -g \(option)"))
    }

    /// The newest paste buffer (what an OSC 52 copy put there, with `set-clipboard on`).
    func buffer() -> String { Shell.output(tmux("show-buffer")) }

    func resize(width: Int, height: Int) {
        _ = Shell.run(tmux("resize-window -t \(target) -x \(width) -y \(height)"))
    }

    /// The screen as text, one string per row (trailing spaces removed).
    func screen() -> [String] {
        var text = Shell.output(tmux("capture-pane -p -t \(target)"))
        if text.hasSuffix("\n") { text.removeLast() }  // one line per row, no empty row after the last
        return text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { String($0).replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) }
    }

    /// The screen with colours and attributes as escape sequences (`capture-pane -e`).
    func styledScreen() -> String { Shell.output(tmux("capture-pane -p -e -t \(target)")) }

    /// A tmux format value for the pane, e.g. `#{alternate_on}`.
    func display(_ format: String) -> String {
        Shell.output(tmux("display-message -p -t \(target) \(Shell.quote(format))"))
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The process running in the pane (the program, child of the pane's shell).
    func programPID() -> Int32? {
        let shell = display("#{pane_pid}")
        return Int32(Shell.output("pgrep -P \(shell) | head -1").trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Polls the screen until `condition` holds, or fails after `timeout` seconds showing the screen.
    ///
    /// It sleeps with `Task.sleep`, never `usleep`: Swift Testing runs suites side by side on the
    /// cooperative pool (two threads on this machine), and a blocking wait would starve the
    /// suites beside it — a refused-connection test once measured 15 s that way.
    @discardableResult
    func poll(_ what: String, timeout: Double = 20, _ condition: ([String]) -> Bool) async throws -> [String] {
        let deadline = Date().addingTimeInterval(timeout)
        var rows = screen()
        while !condition(rows) {
            if Date() > deadline {
                throw E2EFailure(description: "timed out after \(timeout) s waiting for \(what); the screen:\n"
                                 + rows.map { "│\($0)" }.joined(separator: "\n"))
            }
            try await Task.sleep(for: .milliseconds(50))
            rows = screen()
        }
        return rows
    }

    /// Waits for a row containing `text`.
    @discardableResult
    func poll(text: String, timeout: Double = 20) async throws -> [String] {
        try await poll("“\(text)”", timeout: timeout) { $0.contains { $0.contains(text) } }
    }
}

/// `system()` and `popen()` with shell quoting.
enum Shell {
    static func quote(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    /// Runs a command with its output discarded; returns the exit status.
    @discardableResult
    static func run(_ command: String) -> Int32 {
        let status = system(command + " >/dev/null 2>&1")
        return status == -1 ? -1 : (status >> 8) & 0xff
    }

    /// Runs a command and returns its standard output.
    static func output(_ command: String) -> String {
        guard let pipe = popen(command + " 2>/dev/null", "r") else { return "" }
        defer { pclose(pipe) }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&buffer, 1, buffer.count, pipe)
            if n <= 0 { break }
            data.append(buffer, count: n)
        }
        return String(decoding: data, as: UTF8.self)
    }
}
