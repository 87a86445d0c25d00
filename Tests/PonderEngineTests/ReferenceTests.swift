import Foundation
import Testing
import PonderTestSupport
@testable import PonderEngine

/// The acceptance test of the engine: greedy decoding equals llama.cpp's on every reference prompt.
///
/// For each `generate[]` entry of `Tests/Fixtures/reference/*.json` (written by llama.cpp's
/// llama-server on the same GGUF files), the engine is fed `prompt_ids` and then, step by step,
/// llama.cpp's greedy tokens. At each of the first 16 steps its arg-max must be llama.cpp's token —
/// unless llama.cpp's two best log-probabilities are within 0.02 of each other, where either
/// choice counts and the comparison of that prompt stops. Over the compared steps, the chosen
/// token's log-probability must differ by at most 0.05 on average and the top-5 sets must share
/// at least 4 ids on average. The figures are printed.
@Suite(.serialized, .timeLimit(.minutes(20)))
struct ReferenceTests {
    static let steps = 16
    static let tieMargin = 0.02
    static let maxMeanLogprobError = 0.05
    static let minMeanTop5Overlap = 4.0
    /// What "exact" leaves: llama-server rounds its log-softmax over the vocabulary in its own
    /// way (about 1e-4; 2.5e-4 over Gemma's 262 144 tokens). A single rounding step of difference
    /// in a matmul moves Gemma's logprobs by 0.01 or more.
    static let maxExactLogprobError = 0.001

    typealias Step = ReferenceFile.Step

    static let fixtures = [
        "smollm2-135m-instruct-q4_1.json", "gemma3-270m-q4_k_m.json",
        "tiny-qwen2-q8_0.json", "tiny-qwen3-q8_0.json", "tiny-qwen3-q4_k_m.json",
        "tiny-qwen3-q2_k.json", "tiny-qwen3-q3_k_m.json", "tiny-qwen3-iq4_nl.json", "tiny-qwen3-iq4_xs.json",
        "tiny-qwen3-q4_0.json",
        "tiny-smollm3-q8_0.json", "tiny-smollm3-q4_k_m.json", "tiny-phi3-q8_0.json", "tiny-phi3-q4_k_m.json",
        "tiny-qwen3moe-q8_0.json", "tiny-qwen3moe-q4_k_m.json", "tiny-gpt-oss-q8_0.json", "tiny-gpt-oss-mxfp4.json",
    ]
    /// llama-server's context in dev/references.py (`-c 2048`): Phi's LongRoPE picks its factors
    /// by the context size, so the engine is loaded for the same.
    static let contextCapacity = 2048

    /// Figures of one prompt's comparison.
    struct PromptResult {
        var compared = 0
        var mismatch: String?
        var stoppedAtTie = false
        var logprobErrorSum = 0.0
        var overlapSum = 0
    }

    /// Feeds `promptIDs`, then llama.cpp's greedy tokens one by one, comparing the engine's
    /// distribution with llama.cpp's recorded `steps` at each of the first `Self.steps`.
    static func compare(session: Session, promptIDs: [Int32], greedyIDs: [Int32], steps: [Step]) throws -> PromptResult {
        var result = PromptResult()
        // llama-server evaluated each prompt whole (`cache_prompt: false` in dev/references.py).
        // Reusing the previous prompt's common prefix would cut this one's batch elsewhere, and
        // the batch decides llama.cpp's rounding (tiled attention from 64 queries, repacked Q4_K
        // in groups of 4): SmolLM3's two chat prompts share 20 tokens, and differed for that alone.
        session.truncate(to: 0)
        try session.prefill(promptIDs)
        // llama-server leaves out the per-token record of a token whose text ended inside a
        // UTF-8 character, so `steps` can skip ids of `greedyIDs`: walk both in step.
        var next = 0
        for (i, expected) in greedyIDs.prefix(Self.steps).enumerated() {
            let logits = session.logits
            let probabilities = LogProbabilities(logits)
            let ours = probabilities.top(5, of: logits)
            let step: Step? = next < steps.count && steps[next].id == expected ? steps[next] : nil
            if step != nil { next += 1 }
            if let step {
                let theirs = step.top.map { (id: Int32($0[0]), logprob: $0[1]) }
                if theirs.count >= 2 && theirs[0].logprob - theirs[1].logprob < Self.tieMargin {
                    // A near tie: either of llama.cpp's two best counts, and the comparison stops here.
                    if ![theirs[0].id, theirs[1].id].contains(ours[0].id) {
                        result.mismatch = "step \(i): near tie \(theirs[0].id)/\(theirs[1].id), engine chose \(ours[0].id)"
                    }
                    result.stoppedAtTie = true
                    break
                }
            }
            guard ours[0].id == expected else {
                result.mismatch = "step \(i): llama.cpp chose \(expected) (\(step.map { "\($0.logprob)" } ?? "?")), "
                    + "engine chose \(ours[0].id) (\(ours[0].logprob)); engine's logprob of \(expected): "
                    + "\(probabilities.logProbability(ofLogit: logits[Int(expected)]))"
                break
            }
            if let step {
                result.compared += 1
                result.logprobErrorSum += abs(probabilities.logProbability(ofLogit: logits[Int(step.id)]) - step.logprob)
                result.overlapSum += Set(ours.map(\.id)).intersection(step.top.map { Int32($0[0]) }).count
            }
            try session.append(expected)
        }
        return result
    }

    @Test(arguments: fixtures)
    func greedyTokensMatchLlamaCpp(fixture: String) throws {
        let reference = try ReferenceFile.load(fixture)
        let modelName = String(reference.model.split(separator: " ")[0])
        let file = try GGUFFile(path: try Peers.model(modelName))
        let model = try Transformer(file: file, contextCapacity: Self.contextCapacity, threads: 2)
        let session = Session(model: model)

        var results: [PromptResult] = []
        for entry in reference.generate {
            results.append(try Self.compare(
                session: session, promptIDs: entry.prompt_ids, greedyIDs: entry.greedy_ids, steps: entry.steps))
        }

        let compared = results.reduce(0) { $0 + $1.compared }
        let meanError = results.reduce(0) { $0 + $1.logprobErrorSum } / Double(max(compared, 1))
        let meanOverlap = Double(results.reduce(0) { $0 + $1.overlapSum }) / Double(max(compared, 1))
        print("reference \(modelName): \(results.count) prompts, \(compared) steps compared, "
              + "mean |Δlogprob| \(String(format: "%.4f", meanError)), "
              + "mean top-5 overlap \(String(format: "%.2f", meanOverlap))/5")
        for (entry, r) in zip(reference.generate, results) {
            let label = entry.prompt.suffix(40).replacingOccurrences(of: "\n", with: "⏎")
            print("  \(r.compared) steps, mean |Δlogprob| \(String(format: "%.4f", r.logprobErrorSum / Double(max(r.compared, 1))))"
                  + "\(r.stoppedAtTie ? " (stopped at a near tie)" : "")"
                  + (r.mismatch.map { " MISMATCH \($0)" } ?? "") + "  …\(label)")
        }
        // Every model follows llama.cpp to the bit (checked tensor by tensor against llama.cpp's
        // intermediates with dev/llama-dump): the remaining |Δlogprob| of about 1e-4 is
        // llama-server's own rounding of the log-softmax. So the comparison is strict: beyond the
        // acceptance bounds, the mean error must stay at that rounding.
        for (entry, r) in zip(reference.generate, results) {
            #expect(r.mismatch == nil, "\(modelName) prompt \(entry.prompt.debugDescription): \(r.mismatch ?? "")")
        }
        #expect(meanError <= Self.maxMeanLogprobError)
        #expect(meanError <= Self.maxExactLogprobError, "\(modelName) is no longer bit-exact with llama.cpp")
        #expect(compared > 0)
        #expect(meanOverlap >= Self.minMeanTop5Overlap)
    }
}
