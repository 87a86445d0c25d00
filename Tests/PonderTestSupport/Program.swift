import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A program the tests run: llama.cpp's tools, Python, the `ponder` binary. The one place in the
/// tests that uses Foundation's `Process` (tmux is the exception: `TmuxSession` says why).
///
/// stdin, stdout and stderr are files in a scratch folder, not pipes, so a child that writes a lot
/// never blocks on a full pipe while the test waits for it. A program still running when its
/// timeout ends is killed with SIGKILL (a child of the test runner can find SIGTERM blocked) and
/// the wait throws, so no test hangs on a child.
public final class Program: @unchecked Sendable {
    /// Runs `executable` to completion and returns its status and outputs. `environment` is added
    /// to the test runner's own.
    public static func run(
        _ executable: String, _ arguments: [String] = [], stdin: Data = Data(), environment: [String: String] = [:],
        timeout: Duration = .seconds(300)
    ) throws -> ProgramOutput {
        try start(executable, arguments, stdin: stdin, environment: environment).wait(timeout: timeout)
    }

    /// Starts `executable` and returns at once; `wait` or `stop` it. Dropping the value kills a
    /// program still running and removes its scratch folder.
    public static func start(
        _ executable: String, _ arguments: [String] = [], stdin: Data = Data(), environment: [String: String] = [:]
    ) throws -> Program {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("ponder-program-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let program = Program(executable: executable, arguments: arguments, scratch: scratch)
        try stdin.write(to: program.inURL)
        _ = FileManager.default.createFile(atPath: program.outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: program.errURL.path, contents: nil)
        let process = program.process
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        process.standardInput = try FileHandle(forReadingFrom: program.inURL)
        process.standardOutput = try FileHandle(forWritingTo: program.outURL)
        process.standardError = try FileHandle(forWritingTo: program.errURL)
        let exited = program.exited
        process.terminationHandler = { _ in exited.signal() }
        try process.run()
        program.started = true
        return program
    }

    public let executable: String
    public let arguments: [String]
    private let process = Process()
    private let exited = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var finished = false
    /// Set once the child runs: a `Process` that never started has pid 0, and kill(0, …) would
    /// signal the whole process group, the test runner included.
    private var started = false
    private let scratch: URL
    private var inURL: URL { scratch.appendingPathComponent("stdin") }
    private var outURL: URL { scratch.appendingPathComponent("stdout") }
    private var errURL: URL { scratch.appendingPathComponent("stderr") }

    private init(executable: String, arguments: [String], scratch: URL) {
        self.executable = executable
        self.arguments = arguments
        self.scratch = scratch
    }

    deinit {
        if started && !waitForExit(within: .zero) {
            send(SIGKILL)
            _ = waitForExit(within: .seconds(10))
        }
        try? FileManager.default.removeItem(at: scratch)
    }

    public var processIdentifier: Int32 { process.processIdentifier }

    public var isRunning: Bool { !waitForExit(within: .zero) }

    /// The exit status once the program has ended, else nil.
    public var exitStatus: Int32? { isRunning ? nil : process.terminationStatus }

    /// Sends `signal` (e.g. SIGKILL) to the program.
    public func send(_ signal: Int32) {
        guard started, process.processIdentifier > 0 else { return }
        kill(process.processIdentifier, signal)
    }

    /// Waits for the program to end and returns what it left. One still running after `timeout` is
    /// killed, and the wait throws with the end of its stderr.
    public func wait(timeout: Duration = .seconds(300)) throws -> ProgramOutput {
        if !waitForExit(within: timeout) {
            send(SIGKILL)
            _ = waitForExit(within: .seconds(10))
            let tail = String(outputSoFar().stderr.suffix(400))
            throw ProgramTimedOut(description: "\(describe()) still ran after \(timeout) and was killed; stderr: \(tail)")
        }
        let (stdout, stderr) = try (Data(contentsOf: outURL), Data(contentsOf: errURL))
        return ProgramOutput(status: process.terminationStatus, stdoutData: stdout, stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// SIGTERM, then SIGKILL if the program has not gone within `grace`; returns once it has exited.
    public func stop(grace: Duration = .seconds(2)) {
        guard isRunning else { return }
        send(SIGTERM)
        if !waitForExit(within: grace) {
            send(SIGKILL)
            _ = waitForExit(within: .seconds(10))
        }
    }

    /// Both outputs as written so far (a server's log while it runs).
    public func outputSoFar() -> (stdout: String, stderr: String) {
        let read = { (url: URL) in (try? String(contentsOf: url, encoding: .utf8)) ?? "" }
        return (read(outURL), read(errURL))
    }

    /// The command line, for messages.
    public func describe() -> String {
        ([executable] + arguments).joined(separator: " ")
    }

    /// True once the program has exited (waiting up to `timeout` for it).
    private func waitForExit(within timeout: Duration) -> Bool {
        if locked({ finished }) { return true }
        let (seconds, attoseconds) = timeout.components
        let nanoseconds = Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
        if exited.wait(timeout: .now() + .nanoseconds(nanoseconds)) == .success { locked { finished = true } }
        return locked { finished }
    }

    private func locked<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }
}

/// What a finished program left: its exit status and both outputs.
public struct ProgramOutput: Sendable {
    public var status: Int32
    public var stdoutData: Data
    public var stderr: String

    public var stdout: String { String(decoding: stdoutData, as: UTF8.self) }
}

/// A program outlived its timeout and was killed.
public struct ProgramTimedOut: Error, CustomStringConvertible {
    public var description: String
}
