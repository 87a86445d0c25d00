import CTerminal
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Where a crash of the full-screen chat is reported, and how.
///
/// Swift's runtime catches crashes with its backtracer, which on a terminal is interactive by
/// default: it waits for a key ("Press space to interact…") over whatever the screen showed. The
/// runtime reads its settings (`SWIFT_BACKTRACE`) once, as the process starts, so when the user
/// has not set them the chat restarts itself once (`execv`, same process id, same arguments) with
/// the backtracer told to write its full report to a file without interaction. The crash guard
/// (CTerminal) then restores the terminal first and prints one line naming that file.
public enum CrashReports {
    static let variable = "SWIFT_BACKTRACE"

    /// When stdin and stdout are terminals and `SWIFT_BACKTRACE` is unset, restarts the process
    /// with it set (never returns then). Otherwise, or when the restart fails, returns and the
    /// runtime's defaults stay. Call first thing, before anything is loaded.
    public static func arrange(environment: [String: String] = ProcessInfo.processInfo.environment) {
        guard environment[variable] == nil, isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else { return }
        guard let folder = folder(environment: environment) else { return }
        let stamp = Int(Date().timeIntervalSince1970)
        let file = folder.appendingPathComponent("ponder-crash-\(stamp)-\(getpid()).txt").path
        // A comma would split the setting; such a folder gets the runtime's defaults.
        guard !file.contains(",") else { return }
        setenv(variable, "enable=yes,interactive=no,color=no,output-to=\(file)", 1)
        var arguments = CommandLine.arguments.map { strdup($0) }
        arguments.append(nil)
        execv("/proc/self/exe", &arguments)
        // Only reached when the restart failed: go on with the runtime's defaults.
        unsetenv(variable)
        for argument in arguments { free(argument) }
    }

    /// The folder crash reports go to: `$XDG_STATE_HOME/ponder/crashes` (or
    /// `~/.local/state/ponder/crashes`), created private; nil when it cannot be made.
    static func folder(environment: [String: String]) -> URL? {
        let state: URL
        if let value = environment["XDG_STATE_HOME"], value.hasPrefix("/") {
            state = URL(fileURLWithPath: value)
        } else if let home = environment["HOME"], home.hasPrefix("/") {
            state = URL(fileURLWithPath: home).appendingPathComponent(".local/state")
        } else {
            return nil
        }
        let folder = state.appendingPathComponent("ponder/crashes")
        do {
            try FileManager.default.createDirectory(
                at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            return nil
        }
        return folder
    }

    /// The end of the line the crash guard prints after "ponder crashed: a memory fault (SIGSEGV)".
    static func note(environment: [String: String]) -> String {
        guard let setting = environment[variable] else { return "; the Swift runtime's report follows" }
        var pairs: [String: String] = [:]
        for item in setting.split(separator: ",") {
            let parts = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2 { pairs[parts[0].lowercased()] = parts[1] }
        }
        if pairs["enable"] == "no" { return " (no report: SWIFT_BACKTRACE has enable=no)" }
        switch pairs["output-to"] {
        case nil, "stdout", "stderr": return "; the Swift runtime's report follows"
        case let path?: return "; the full report is in \(path)"
        }
    }

    /// Hands the note to the crash guard. Call before the guard is installed.
    static func prepareGuard(environment: [String: String]) {
        ct_guard_set_report_note(note(environment: environment))
    }

    /// The faults the crash tests force (`PONDER_TEST_FAULT=trap` or `overflow`, fired by F12):
    /// a Swift runtime trap, as an overflowing number from a server once caused, and a stack
    /// overflow on the UI thread.
    enum Fault: String {
        case trap, overflow

        init?(environment: [String: String]) {
            guard let value = environment["PONDER_TEST_FAULT"] else { return nil }
            self.init(rawValue: value)
        }

        func fire() {
            switch self {
            case .trap:
                // An addition that overflows, with operands the optimiser cannot see.
                let huge = Int(ProcessInfo.processInfo.environment["PONDER_TEST_FAULT_BASE"] ?? "") ?? Int.max
                print(huge + Int(getpid()))
            case .overflow:
                print(ct_force_stack_overflow())
            }
        }
    }
}
