import Foundation
import Testing
import PonderTestSupport
@testable import PonderEngine

/// Decoding past 256 tokens of context, against a live llama-server.
///
/// Once the cells in use (padded to 256) reach 512, llama.cpp decodes a token by splitting the
/// cache into one chunk per thread and merging the chunks' partial softmaxes, which rounds
/// differently from one pass. The engine follows it with the same number of chunks as threads,
/// so this runs the server and the engine with 2 threads each and compares 16 greedy steps after
/// prompts that put the first decoded token just past each boundary: 256 tokens (the new token
/// alone in the second chunk), 300 and 700 (chunks of 384).
@Suite(.serialized, .timeLimit(.minutes(10)))
struct LongContextLlamaServerEndToEndTests {
    static let threads = 2

    /// Varied text (numbers change every sentence), so that attention does not collapse onto a
    /// few positions.
    static func text(sentences: Int) -> String {
        let subjects = ["The river", "The old bridge", "A merchant", "The council", "The harbour", "A storm"]
        let verbs = ["rose", "was rebuilt", "arrived", "voted", "froze", "passed"]
        return (0..<sentences).map { i in
            "In year \(1200 + 7 * i), \(subjects[i % subjects.count].lowercased()) \(verbs[(i * 5) % verbs.count]) "
                + "for the \(i + 3)th time, and \(i * 13 % 97) people remembered it."
        }.joined(separator: " ")
    }

    @Test(arguments: [256, 300, 700])
    func decodingPastTheSplitFollowsLlamaCpp(promptLength: Int) async throws {
        let modelPath = try Peers.model(Peers.smolLM2)
        let file = try GGUFFile(path: modelPath)
        let tokenizer = try Tokenizer.load(from: file)
        let all = tokenizer.encode(Self.text(sentences: 80), addSpecial: true, parseSpecial: false)
        try #require(all.count >= promptLength, "the text gives only \(all.count) tokens")
        let prompt = Array(all.prefix(promptLength))

        let server = try await LlamaServer.start(
            ["-m", modelPath, "-c", "2048", "-t", String(Self.threads), "--no-warmup"])
        defer { server.stop() }
        let request: [String: Any] = [
            "prompt": prompt.map(Int.init), "n_predict": ReferenceTests.steps, "temperature": 0, "n_probs": 5,
            "cache_prompt": false,
        ]
        let reply = try server.post("/completion", json: try JSONSerialization.data(withJSONObject: request))
        let object = try #require(try JSONSerialization.jsonObject(with: reply) as? [String: Any])
        let records = try #require(object["completion_probabilities"] as? [[String: Any]], "no completion_probabilities")
        var steps: [ReferenceFile.Step] = []
        for record in records {
            let id = try #require(record["id"] as? Int), logprob = try #require(record["logprob"] as? Double)
            let top = try #require(record["top_logprobs"] as? [[String: Any]])
            steps.append(.init(id: Int32(id), logprob: logprob, top: try top.map {
                [Double(try #require($0["id"] as? Int)), try #require($0["logprob"] as? Double)]
            }))
        }
        try #require(steps.count == ReferenceTests.steps, "llama-server returned \(steps.count) steps")

        let model = try Transformer(file: file, contextCapacity: 1024, threads: Self.threads)
        let result = try ReferenceTests.compare(
            session: Session(model: model), promptIDs: prompt, greedyIDs: steps.map(\.id), steps: steps)
        let meanError = result.logprobErrorSum / Double(max(result.compared, 1))
        print("long context \(promptLength) tokens: \(result.compared) steps compared, mean |Δlogprob| "
              + String(format: "%.4f", meanError) + (result.mismatch.map { " MISMATCH \($0)" } ?? ""))
        #expect(result.mismatch == nil)
        // The 256-token prompt reaches a near tie (llama.cpp's two best within 0.02) after 5 steps,
        // where the comparison stops by design.
        #expect(result.compared >= 5)
        #expect(meanError <= ReferenceTests.maxExactLogprobError, "decoding past 256 tokens parts from llama.cpp")
    }
}
