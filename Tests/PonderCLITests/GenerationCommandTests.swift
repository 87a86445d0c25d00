import Foundation
import Testing
import PonderTestSupport

/// `ponder generate` as a user runs it: raw prompt in, per-token JSON out, checked against the
/// llama.cpp reference outputs for the same prompt (tokenization with BOS as the model asks,
/// greedy ids, text pieces, log-probabilities).
@Suite(.serialized, .timeLimit(.minutes(10)))
struct GenerationCommandTests {
    struct Line: Decodable {
        var id: Int32
        var text: String
        var logprob: Double
        var top: [[Double]]
    }

    /// Runs `ponder` with `arguments`; returns (exit status, stdout, stderr).
    static func ponder(_ arguments: [String]) throws -> (Int32, String, String) {
        let run = try Program.run(try Peers.ponderBinary(), arguments)
        return (run.status, run.stdout, run.stderr)
    }

    @Test(arguments: [
        (Peers.smolLM2, "smollm2-135m-instruct-q4_1.json"), (Peers.gemma3, "gemma3-270m-q4_k_m.json"),
        ("tiny-smollm3-q4_k_m.gguf", "tiny-smollm3-q4_k_m.json"), ("tiny-phi3-q8_0.gguf", "tiny-phi3-q8_0.json"),
    ])
    func jsonLinesFollowLlamaCppsGreedyPath(model: String, fixture: String) throws {
        let reference = try ReferenceFile.load(fixture)
        let entry = try #require(reference.generate.first { $0.prompt == "def fibonacci(n):" })
        let steps = 6
        let (status, stdout, stderr) = try Self.ponder([
            "generate", "--model", try Peers.model(model), "--prompt", entry.prompt, "--greedy",
            "--max-tokens", "\(steps)", "--json", "--threads", "2",
        ])
        #expect(status == 0, "\(stderr)")
        let lines = try stdout.split(separator: "\n").map { try JSONDecoder().decode(Line.self, from: Data($0.utf8)) }
        #expect(lines.map(\.id) == Array(entry.greedy_ids.prefix(steps)))
        #expect(entry.greedy_text.hasPrefix(lines.map(\.text).joined()))
        for (line, step) in zip(lines, entry.steps) where line.id == step.id {
            // Bit-exact arithmetic: llama-server prints five decimals.
            #expect(abs(line.logprob - step.logprob) < 0.001)
            #expect(line.top.count == 5)
            #expect(Int32(line.top[0][0]) == line.id && line.top[0][1] == line.logprob)
            #expect(zip(line.top, line.top.dropFirst()).allSatisfy { $0[1] >= $1[1] })
        }
        // The prompt was tokenized as llama.cpp did (special tokens parsed, BOS when the model asks).
        #expect(stderr.contains("prompt \(entry.prompt_ids.count) tokens"))
    }

    @Test func plainOutputIsTheTextAndBadArgumentsAreRefused() throws {
        let model = try Peers.model(Peers.smolLM2)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("ponder-prompt-\(getpid()).txt")
        try "The capital of France is".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let (status, stdout, _) = try Self.ponder([
            "generate", "--model", model, "--prompt-file", file.path, "--greedy", "--max-tokens", "2", "--threads", "2",
        ])
        #expect(status == 0)
        #expect(stdout == " Paris.\n")

        let (both, _, bothErr) = try Self.ponder(["generate", "--model", model, "--prompt", "a", "--prompt-file", file.path])
        #expect(both != 0 && bothErr.contains("exactly one of --prompt and --prompt-file"))
        let (missing, _, missingErr) = try Self.ponder(["generate", "--model", "/nonexistent.gguf", "--prompt", "a"])
        #expect(missing != 0 && missingErr.contains("/nonexistent.gguf"))
    }
}
