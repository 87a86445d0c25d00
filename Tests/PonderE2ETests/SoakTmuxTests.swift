import Foundation
import PonderCore
import PonderTestSupport
import Testing

/// Long conversations with the real binary in tmux: one conversation of many turns on the
/// embedded engine and one against a real llama-server, each in a context small enough that it
/// overflows early (the oldest turns are then left out of each request). Every turn must be
/// answered and saved; after the last, the process may hold no more than 10% more resident
/// memory than after turn 20, and no more open files or threads.
///
/// `make test` runs 30 turns each; `make soak` runs 200 (`PONDER_SOAK_TURNS`).
@Suite(.serialized, .timeLimit(.minutes(30)))
struct SoakTmuxTests {
    typealias Workspace = ChatTmuxTests.Workspace
    let resume = ResumeTmuxTests()
    let turns = Int(ProcessInfo.processInfo.environment["PONDER_SOAK_TURNS"] ?? "") ?? 30

    /// What the kernel says about a process.
    struct Footprint: CustomStringConvertible {
        var residentKiB: Int
        var files: Int
        var threads: Int

        init(pid: Int32) throws {
            let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
            func field(_ name: String) -> Int? {
                status.split(separator: "\n").first { $0.hasPrefix(name + ":") }
                    .flatMap { Int($0.split(whereSeparator: { $0 == " " || $0 == "\t" })[1]) }
            }
            residentKiB = try #require(field("VmRSS"))
            threads = try #require(field("Threads"))
            files = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count
        }

        var description: String { "\(residentKiB / 1024) MiB resident, \(files) open files, \(threads) threads" }
    }

    /// Chats `turns` turns in `tmux` and checks every turn was answered and saved, the footprint,
    /// and that the context overflowed along the way.
    func soak(_ tmux: TmuxSession, _ workspace: Workspace, label: String) async throws {
        let pid = try #require(tmux.programPID())
        var afterTwenty: Footprint? = nil
        var overflowed = false
        let started = Date()
        for turn in 1...turns {
            let (rows, _, transcript) = try await resume.ask(
                tmux, workspace, "Question \(turn): name a colour and a fruit.", messages: 2 * turn, timeout: 180)
            let reply = try #require(transcript.conversation.messages.last)
            #expect(reply.role == .assistant && reply.error == nil, "turn \(turn): \(reply.error ?? "")")
            if rows.contains(where: { $0.contains("no longer fits in the context") }) { overflowed = true }
            if turn == min(20, turns) { afterTwenty = try Footprint(pid: pid) }
        }
        let end = try Footprint(pid: pid)
        let twenty = try #require(afterTwenty)
        let seconds = Date().timeIntervalSince(started)
        print("[soak] \(label): \(turns) turns in \(String(format: "%.0f", seconds)) s; after turn 20: \(twenty); at the end: \(end)")
        #expect(Double(end.residentKiB) <= Double(twenty.residentKiB) * 1.10, "\(label): memory grew from \(twenty) to \(end)")
        #expect(end.files <= twenty.files, "\(label): open files grew from \(twenty) to \(end)")
        #expect(end.threads <= twenty.threads, "\(label): threads grew from \(twenty) to \(end)")
        #expect(overflowed, "\(label): the conversation never outgrew the context")
        tmux.press("C-q")
        try await tmux.poll(text: "EXIT=0", timeout: 60)
    }

    @Test func manyTurnsOnTheEmbeddedEngine() async throws {
        let workspace = try Workspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        let tmux = try resume.launch(workspace, width: 120, height: 30, flags: ["--ctx", "512", "--max-tokens", "12"])
        try await tmux.poll("the model in the status bar", timeout: 60) { ResumeTmuxTests.statusBar($0).contains("SmolLM2") }
        try await soak(tmux, workspace, label: "embedded engine")
    }

    @Test func manyTurnsAgainstARealLlamaServer() async throws {
        let server = try await LlamaServer.start(try LlamaServer.r1Arguments(contextSize: 512))
        defer { server.stop() }
        let workspace = try Workspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        let tmux = try ChatTmuxTests().launch(workspace, server: server.url, width: 120, height: 30, flags: [
            "--think", "off", "--temperature", "0", "--max-tokens", "12",
        ])
        try await tmux.poll("the model in the status bar", timeout: 60) { ResumeTmuxTests.statusBar($0).contains("SmolLM2") }
        try await soak(tmux, workspace, label: "llama-server")
    }
}
