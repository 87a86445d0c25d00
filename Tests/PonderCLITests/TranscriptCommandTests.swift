import Foundation
import PonderCore
import PonderTestSupport
import Testing

/// Runs the real `ponder` binary.
private func ponder(_ arguments: [String], environment: [String: String] = [:]) throws -> ProgramOutput {
    try Program.run(try Peers.ponderBinary(), arguments, environment: environment)
}

private func folder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("ponder-e2e-\(getpid())-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// A transcript of `turns` question/answer pairs whose traces are `size` characters long.
private func bigTranscript(turns: Int, size: Int, seed: Int) -> Transcript {
    var messages: [Message] = []
    for i in 0..<turns {
        messages.append(.user("Question \(i) of run \(seed)?"))
        messages.append(Message(
            role: .assistant, content: "Answer \(i).", reasoning: String(repeating: "thinking \(seed) ", count: size / 10),
            think: .on, reasoningTokens: size / 4, duration: 1.5))
    }
    return Transcript(Conversation(title: "big \(seed)", messages: messages, created: Date(timeIntervalSince1970: 1_700_000_000)))
}

private let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

@Suite(.timeLimit(.minutes(5)))
struct TranscriptCommandTests {
    @Test func exportWritesFoldedMarkdownAndLeavesTheTranscriptAlone() throws {
        let dir = try folder()
        let examples = repositoryRoot.appendingPathComponent("Transcripts")
        let name = try #require(try FileManager.default.contentsOfDirectory(atPath: examples.path)
            .first { $0.hasSuffix("-is-91-a-prime-number-explain-briefly.json") })
        let source = examples.appendingPathComponent(name)
        let before = try Data(contentsOf: source)
        let out = dir.appendingPathComponent("chat.md")
        let run = try ponder(["transcript", "export", source.path, "-o", out.path])
        #expect(run.status == 0, "\(run.stderr)")
        let markdown = try String(contentsOf: out, encoding: .utf8)
        #expect(markdown.hasPrefix("# Is 91 a prime number? Explain briefly.\n"))
        #expect(markdown.components(separatedBy: "<details>\n<summary>Thought for ").count == 2, "one reply has a trace")
        #expect(try Data(contentsOf: source) == before)

        let html = try ponder(["transcript", "export", source.path, "--format", "html", "--theme", "gruvbox", "--no-reasoning"])
        #expect(html.status == 0 && html.stdout.hasPrefix("<!DOCTYPE html>") && !html.stdout.contains("<details"))
        #expect(html.stdout.contains("background: #282828"), "the gruvbox screen colour")
    }

    @Test func aBadTranscriptIsRefusedWithOneLineAndExitStatusOne() throws {
        let dir = try folder()
        let bad = dir.appendingPathComponent("bad.json")
        let bytes = Data("{\"format\": \"ponder.transcript\", \"version\": 1, \"created\": \"2026-11-20T06:30:00.000Z\",\n \"messages\": [{\"role\": \"user\", \"content\": 5}]}".utf8)
        try bytes.write(to: bad)
        let run = try ponder(["transcript", "export", bad.path, "--format", "txt"])
        #expect(run.status == 1)
        #expect(run.stderr == "Error: \(bad.path):2: messages[0].content: expected a string, found 5\n")
        #expect(try Data(contentsOf: bad) == bytes)
        let format = try ponder(["transcript", "export", bad.path, "--format", "pdf"])
        #expect(format.status != 0 && format.stderr.contains("--format must be md, txt, json or html, not 'pdf'"))
    }

    /// SIGKILL at any moment during an atomic write leaves either the old file or the new one,
    /// byte for byte, never a torn or empty file.
    @Test func killingAWriterMidWayLeavesTheOldOrTheNewFile() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let old = bigTranscript(turns: 40, size: 60_000, seed: 1).encoded()
        let new = bigTranscript(turns: 40, size: 60_000, seed: 2)
        let input = dir.appendingPathComponent("new.json")
        try new.encoded().write(to: input)
        let target = dir.appendingPathComponent("out.json")
        let binary = try Peers.ponderBinary()

        // How long one uninterrupted export takes, to spread the kills over it.
        try old.write(to: target)
        let start = Date()
        #expect(try ponder(["transcript", "export", input.path, "--format", "json", "-o", target.path]).status == 0)
        let full = Date().timeIntervalSince(start)
        #expect(try Data(contentsOf: target) == new.encoded())

        var outcomes: [String] = []
        for k in 0..<12 {
            try old.write(to: target)
            let writer = try Program.start(binary, ["transcript", "export", input.path, "--format", "json", "-o", target.path])
            usleep(useconds_t(full * Double(k) / 10 * 1_000_000))
            writer.send(SIGKILL)
            _ = try writer.wait(timeout: .seconds(30))
            let after = try Data(contentsOf: target)
            #expect(after == old || after == new.encoded(), "kill \(k) left a torn file of \(after.count) bytes")
            outcomes.append(after == old ? "old" : "new")
        }
        print("SIGKILL outcomes over \(String(format: "%.2f", full)) s: \(outcomes.joined(separator: " "))")
        #expect(outcomes.first == "old", "a kill right at the start keeps the old file")
        // Only the target and the input remain, apart from hidden temporary files of killed writers.
        let visible = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { !$0.hasPrefix(".") }.sorted()
        #expect(visible == ["new.json", "out.json"])
    }

    @Test func listShowsNewestFirst() throws {
        let dir = try folder()
        let library = TranscriptLibrary(directory: dir)
        var a = bigTranscript(turns: 1, size: 10, seed: 1)
        a.conversation.updated = Date(timeIntervalSince1970: 1_700_000_500)
        var b = bigTranscript(turns: 2, size: 10, seed: 2)
        b.conversation.created = Date(timeIntervalSince1970: 1_600_000_000)
        b.conversation.updated = Date(timeIntervalSince1970: 1_800_000_000)
        try library.save(a)
        try library.save(b)
        let run = try ponder(["transcript", "list", "--transcripts", dir.path])
        #expect(run.status == 0)
        let lines = run.stdout.split(separator: "\n")
        #expect(lines.count == 2 && lines[0].contains("big 2") && lines[0].contains("  4 msgs") && lines[1].contains("big 1"))
    }
}

@Suite(.timeLimit(.minutes(5)))
struct ConfigCommandTests {
    @Test func printsEachValueWithWhereItCameFrom() throws {
        let home = try folder()
        let config = home.appendingPathComponent("ponder/config.toml")
        try FileManager.default.createDirectory(at: config.deletingLastPathComponent(), withIntermediateDirectories: true)
        try "theme = \"light\"\n\n[think]\nmode = \"on\"\n".write(to: config, atomically: true, encoding: .utf8)
        let run = try ponder(["config", "--think-budget", "256"], environment: ["XDG_CONFIG_HOME": home.path])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let lines = run.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
        #expect(lines.contains("theme light \(config.path):1"))
        #expect(lines.contains("think.mode on \(config.path):4"))
        #expect(lines.contains("think.budget 256 tokens --think-budget"))
        #expect(lines.contains("backend embedded default"))
        #expect(lines.contains { $0.hasPrefix("theme file: ") && $0.hasSuffix("Themes/light.toml (light)") })
    }

    @Test func aBadConfigOrThemeIsNamedPreciselyAndExitsOne() throws {
        let home = try folder()
        let config = home.appendingPathComponent("ponder/config.toml")
        try FileManager.default.createDirectory(at: home.appendingPathComponent("ponder/themes"), withIntermediateDirectories: true)
        try "theme = \"mine\"\n".write(to: config, atomically: true, encoding: .utf8)
        let theme = home.appendingPathComponent("ponder/themes/mine.toml")
        try "[user_label]\nfg = \"#ff00\"\n".write(to: theme, atomically: true, encoding: .utf8)
        let run = try ponder(["config"], environment: ["XDG_CONFIG_HOME": home.path])
        #expect(run.status == 1)
        #expect(run.stdout.contains("error: theme: \(theme.path):2: user_label.fg: expected a colour"))

        try "[think]\nmode = 1\n".write(to: config, atomically: true, encoding: .utf8)
        let bad = try ponder(["config"], environment: ["XDG_CONFIG_HOME": home.path])
        #expect(bad.status == 1)
        #expect(bad.stdout.contains("error: \(config.path):2: think.mode: expected a string, found 1 (the config file was ignored)"))
    }
}
