import Foundation
import PonderCore
import PonderTestSupport
import Testing

/// `ponder ask` as a script uses it: `--think` levels and budgets, `--continue FILE` building a
/// conversation one call at a time, and the exit statuses a script branches on (0 answered,
/// 2 bad usage, 3 backend failure, 130 interrupted), through the real binary against a server on
/// loopback.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct AskCommandTests {
    typealias FakeServer = SettingsReachTheRequestTests.FakeServer

    /// A folder standing for `$XDG_CONFIG_HOME` and `$XDG_DATA_HOME`, removed afterwards.
    final class Home {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ponder-ask-\(UUID().uuidString)")
        var environment: [String: String] { ["XDG_CONFIG_HOME": url.path, "XDG_DATA_HOME": url.path] }
        var transcripts: URL { url.appendingPathComponent("ponder/transcripts") }

        init() throws { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) }
        deinit { try? FileManager.default.removeItem(at: url) }

        func ask(_ arguments: [String]) throws -> ProgramOutput {
            try Program.run(try Peers.ponderBinary(), ["ask"] + arguments, environment: environment, timeout: .seconds(60))
        }
    }

    @Test func theThinkFlagTakesALevelOrATokenBudget() throws {
        let home = try Home()
        let server = try FakeServer()
        let high = try home.ask(["--server", server.url, "--think-style", "effort", "--think", "high", "--json", "Hi."])
        #expect(high.status == 0, "\(high.stderr)")
        let budget = try home.ask(["--server", server.url, "--think", "96", "Hi."])
        #expect(budget.status == 0, "\(budget.stderr)")
        let requests = server.requests.all.compactMap(\.json)
        try #require(requests.count == 2)
        #expect(requests[0]["reasoning_effort"] as? String == "high")
        #expect(requests[1]["thinking_budget_tokens"] as? Int == 96)
        let object = try #require(try JSONSerialization.jsonObject(with: high.stdoutData) as? [String: Any])
        #expect(object["think"] as? String == "on")

        let unknown = try home.ask(["--server", server.url, "--think", "maybe", "Hi."])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("--think must be on, off, low, medium, high or a number of tokens, not 'maybe'"), "\(unknown.stderr)")
        let twice = try home.ask(["--server", server.url, "--think", "high", "--think-effort", "low", "Hi."])
        #expect(twice.status == 2)
        #expect(twice.stderr.contains("--think high and --think-effort low disagree"), "\(twice.stderr)")
        #expect(server.requests.all.count == 2, "a usage error asks nothing")
    }

    /// Each call adds its turn to the file, and the next call sends the turns before it.
    @Test func continueBuildsAConversationOneCallAtATime() throws {
        let home = try Home()
        let server = try FakeServer()
        let first = try home.ask(["--server", server.url, "--continue", "notes", "What is 2 + 2?"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout == "Hello there.\n")
        let file = home.transcripts.appendingPathComponent("notes.json")
        let second = try home.ask(["--server", server.url, "--continue", file.path, "And 3 + 3?"])
        #expect(second.status == 0, "\(second.stderr)")

        let sent = try #require(server.requests.all.last?.json?["messages"] as? [[String: Any]])
        #expect(sent.map { $0["role"] as? String } == ["user", "assistant", "user"])
        #expect(sent.map { $0["content"] as? String } == ["What is 2 + 2?", "Hello there.", "And 3 + 3?"])
        let saved = try Transcript.load(from: file).conversation
        #expect(saved.messages.map(\.role) == [.user, .assistant, .user, .assistant])
        #expect(saved.messages.map(\.content) == ["What is 2 + 2?", "Hello there.", "And 3 + 3?", "Hello there."])
        #expect(saved.title == "What is 2 + 2?")
        // Each reply names the model that wrote it, as the server listed it.
        #expect(saved.messages.filter { $0.role == .assistant }.map(\.model) == ["listed-model", "listed-model"])
    }

    /// A file that is not a transcript is refused before anything is asked, and left as it was.
    @Test func aBrokenTranscriptIsRefusedAndLeftAlone() throws {
        let home = try Home()
        let server = try FakeServer()
        let file = home.url.appendingPathComponent("broken.json")
        let bytes = Data("{\"format\": \"ponder.transcript\", \"version\": 2, \"conversation\": ".utf8)
        try bytes.write(to: file)
        let run = try home.ask(["--server", server.url, "--continue", file.path, "Hi."])
        #expect(run.status == 2)
        #expect(run.stderr.contains(file.path), "names the file: \(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1, "one line: \(run.stderr)")
        #expect(try Data(contentsOf: file) == bytes)
        #expect(server.requests.all.isEmpty)
    }

    @Test func aServerThatCannotBeReachedExits3() throws {
        let home = try Home()
        // A port that was just free: nothing listens there.
        let port = try LoopbackServer { _, _ in }
        let url = port.url
        port.stop()
        let run = try home.ask(["--server", url, "Hi."])
        #expect(run.status == 3, "\(run.stderr)")
        #expect(run.stderr.contains("127.0.0.1"), "\(run.stderr)")
    }

    /// Ctrl-C in the middle of a reply: what arrived is printed and saved (marked stopped), and
    /// the status is 130.
    @Test func ctrlCKeepsWhatArrivedAndExits130() async throws {
        let home = try Home()
        let endless = try SettingsReachTheRequestTests.endlessServer(every: 20_000) { "w\($0) " }
        defer { endless.stop() }
        let file = home.url.appendingPathComponent("stopped.json")
        let program = try Program.start(
            try Peers.ponderBinary(), ["ask", "--server", endless.url, "--no-loop-guard", "--continue", file.path, "Count."],
            environment: home.environment)
        let deadline = ContinuousClock.now + .seconds(30)
        while !program.outputSoFar().stdout.contains("w3 ") {
            try #require(ContinuousClock.now < deadline && program.isRunning, "no reply arrived: \(program.describe())")
            try await Task.sleep(for: .milliseconds(20))
        }
        program.send(SIGINT)
        let run = try program.wait(timeout: .seconds(20))
        #expect(run.status == 130, "\(run.stderr)")
        #expect(run.stdout.hasPrefix("w0 w1 w2 w3 "))
        let reply = try #require(try Transcript.load(from: file).conversation.messages.last)
        #expect(reply.role == .assistant && reply.stopped)
        #expect(run.stdout == reply.content + "\n", "what was shown is what was saved")
    }
}
