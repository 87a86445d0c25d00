import Foundation
import Testing
import PonderCore
@testable import PonderEngine

/// The sampler's chain (penalty → top-k → top-p → min-p → temperature → draw), checked on small
/// hand-made logit rows whose probabilities are easy to reason about.
struct SamplerTests {
    /// Draws `n` tokens from `logits` with a fresh sampler and counts each id.
    func histogram(_ logits: [Float], _ config: SamplerConfig, draws n: Int = 4000) -> [Int: Int] {
        var sampler = Sampler(config: config)
        var counts: [Int: Int] = [:]
        logits.withUnsafeBufferPointer { row in
            for _ in 0..<n { counts[Int(sampler.sample(row)), default: 0] += 1 }
        }
        return counts
    }

    @Test func greedyTakesTheLargestLogit() {
        var sampler = Sampler(config: .greedy)
        let logits: [Float] = [0.1, 3.5, -2, 3.4, 1]
        #expect(logits.withUnsafeBufferPointer { sampler.sample($0) } == 1)
    }

    @Test func sameSeedSameTokensDifferentSeedDifferentTokens() {
        let logits: [Float] = (0..<50).map { Float($0 % 7) * 0.3 }
        func run(seed: UInt64) -> [Int32] {
            var sampler = Sampler(config: SamplerConfig(temperature: 1, topK: 0, topP: 1, minP: 0, seed: seed))
            return logits.withUnsafeBufferPointer { row in (0..<64).map { _ in sampler.sample(row) } }
        }
        #expect(run(seed: 7) == run(seed: 7))
        #expect(run(seed: 7) != run(seed: 8))
    }

    @Test func topKOfOneIsGreedyAtAnyTemperature() {
        let counts = histogram([1, 2, 1.9, 0], SamplerConfig(temperature: 5, topK: 1, topP: 1, minP: 0, seed: 1))
        #expect(counts == [1: 4000])
    }

    @Test func topKKeepsOnlyTheKMostLikely() {
        let counts = histogram([1, 2, 1.9, 0, 1.95], SamplerConfig(temperature: 1, topK: 2, topP: 1, minP: 0, seed: 2))
        #expect(Set(counts.keys) == [1, 4])
    }

    @Test func topPKeepsTheSmallestPrefixReachingP() {
        // Probabilities 0.5, 0.3, 0.15, 0.05: top-p 0.7 needs the first two.
        let logits = [0.5, 0.3, 0.15, 0.05].map { Float(log($0)) }
        let counts = histogram(logits, SamplerConfig(temperature: 1, topK: 0, topP: 0.7, minP: 0, seed: 3))
        #expect(Set(counts.keys) == [0, 1])
        // 0.5 / 0.8 of the draws should be token 0.
        #expect(abs(Double(counts[0]!) / 4000 - 0.625) < 0.04)
    }

    @Test func topPOnALargeVocabularyWithoutTopK() {
        // 50 000 tokens: 3 likely ones, the rest far below; top-p 0.9 keeps only the likely ones.
        var logits = [Float](repeating: -20, count: 50_000)
        logits[123] = 5; logits[40_000] = 4.8; logits[7] = 4.5
        let counts = histogram(logits, SamplerConfig(temperature: 1, topK: 0, topP: 0.9, minP: 0, seed: 4), draws: 500)
        #expect(Set(counts.keys).isSubset(of: [123, 40_000, 7]))
        #expect(counts.count >= 2)
    }

    @Test func minPDropsTokensBelowAFractionOfTheBest() {
        // Probabilities 0.5, 0.3, 0.15, 0.05: min-p 0.5 keeps p ≥ 0.25.
        let logits = [0.5, 0.3, 0.15, 0.05].map { Float(log($0)) }
        let counts = histogram(logits, SamplerConfig(temperature: 1, topK: 0, topP: 1, minP: 0.5, seed: 5))
        #expect(Set(counts.keys) == [0, 1])
    }

    @Test func temperatureComesAfterTheFilters() {
        // Untempered, token 0 holds 98.7% of the mass, so top-p 0.9 keeps it alone — even though
        // at temperature 100 all three would be almost equally likely if temperature came first.
        let counts = histogram([5, 0, 0], SamplerConfig(temperature: 100, topK: 0, topP: 0.9, minP: 0, seed: 6))
        #expect(counts == [0: 4000])
    }

    @Test func drawsFollowTheTemperedDistribution() {
        let logits: [Float] = [1, 0, -1]
        let t: Float = 2
        let counts = histogram(logits, SamplerConfig(temperature: t, topK: 0, topP: 1, minP: 0, seed: 9), draws: 20_000)
        let weights = logits.map { exp(Double($0 / t)) }
        let total = weights.reduce(0, +)
        for (i, w) in weights.enumerated() {
            #expect(abs(Double(counts[i] ?? 0) / 20_000 - w / total) < 0.015)
        }
    }

    @Test func repetitionPenaltyDemotesRecentTokens() {
        var config = SamplerConfig.greedy
        config.repeatPenalty = 1.2
        var sampler = Sampler(config: config)
        let logits: [Float] = [2.0, 1.9, -1]
        #expect(logits.withUnsafeBufferPointer { sampler.sample($0) } == 0)
        sampler.accept(0)
        // 2.0 / 1.2 < 1.9: the repeated token loses.
        #expect(logits.withUnsafeBufferPointer { sampler.sample($0) } == 1)
        sampler.reset()
        #expect(logits.withUnsafeBufferPointer { sampler.sample($0) } == 0)
    }

    @Test func repetitionPenaltyLooksOnlyAtTheLastNTokens() {
        var config = SamplerConfig.greedy
        config.repeatPenalty = 1.2
        config.penaltyLastN = 2
        var sampler = Sampler(config: config)
        sampler.accept(0); sampler.accept(5); sampler.accept(6)
        let logits: [Float] = [2.0, 1.9, -1]
        #expect(logits.withUnsafeBufferPointer { sampler.sample($0) } == 0)
    }

    @Test func familyTablePerThinkModeAndDefaultsForTheRest() {
        let on = SamplerDefaults.family(architecture: "qwen3", name: "Qwen3-0.6B", think: .on)
        #expect(on == SamplerSettings(temperature: 0.6, topK: 20, topP: 0.95, minP: 0, repeatPenalty: 1))
        let off = SamplerDefaults.family(architecture: "qwen3", name: "Qwen3-0.6B", think: .off)
        #expect(off == SamplerSettings(temperature: 0.7, topK: 20, topP: 0.8, minP: 0, repeatPenalty: 1))
        let nemotronOn = SamplerDefaults.family(architecture: "llama", name: "Llama-3.1-Nemotron-Nano-8B-v1", think: .on)
        #expect(nemotronOn?.temperature == 0.6 && nemotronOn?.topP == 0.95)
        #expect(SamplerDefaults.family(architecture: "llama", name: "Llama-3.1-Nemotron-Nano-8B-v1", think: .off)?.temperature == 0)
        // A model the table does not know gets ponder's defaults, repetition penalty included.
        #expect(SamplerDefaults.family(architecture: "gemma3", name: "gemma-3-270m", think: .on) == nil)
        let gemma = SamplerDefaults.profile(architecture: "gemma3", name: "gemma-3-270m", think: .on, gguf: SamplerSettings())
        #expect(gemma.settings == SamplerDefaults.builtIn)
        #expect(gemma.settings.repeatPenalty == 1.1 && gemma.sources[.repeatPenalty] == .builtIn)
    }

    /// The order of precedence, from a GGUF written here with `general.sampling.*` keys: the
    /// user's value over the file's, the file's over the family table's, the table's over the defaults.
    @Test func userOverGGUFOverFamilyTableOverDefaults() throws {
        var file = GGUFTestFile()
        file.metadata = [
            ("general.architecture", .string("llama")),
            ("general.name", .string("SmolLM2-135M-Instruct")),
            ("general.sampling.temp", .float32(0.5)),
            ("general.sampling.top_k", .int32(7)),
            ("general.sampling.penalty_last_n", .int32(-1)),
        ]
        let gguf = try SamplerDefaults.gguf(GGUFFile(bytes: file.build(), name: "sampling.gguf").metadata)
        #expect(gguf == SamplerSettings(temperature: 0.5, topK: 7, repeatLastN: 4096))

        let model = SamplerDefaults.profile(architecture: "llama", name: "SmolLM2-135M-Instruct", think: .off, gguf: gguf)
        let family = try #require(SamplerDefaults.family(architecture: "llama", name: "SmolLM2-135M-Instruct", think: .off))
        #expect(model.settings.temperature == 0.5 && model.sources[.temperature] == .gguf)
        #expect(model.settings.topK == 7 && model.sources[.topK] == .gguf)
        #expect(model.settings.repeatLastN == 4096 && model.sources[.repeatLastN] == .gguf)
        #expect(model.settings.topP == family.topP && model.sources[.topP] == .family)
        #expect(model.settings.repeatPenalty == family.repeatPenalty && model.sources[.repeatPenalty] == .family)

        // A model no family entry covers: the defaults fill what the file leaves out.
        let other = SamplerDefaults.profile(architecture: "llama", name: "Mystery-1B", think: .off, gguf: gguf)
        #expect(other.settings.topP == SamplerDefaults.builtIn.topP && other.sources[.topP] == .builtIn)
        #expect(other.settings.temperature == 0.5 && other.sources[.temperature] == .gguf)

        let user = model.under(SamplerSettings(temperature: 1.1), sources: [.temperature: .flag])
        #expect(user.settings.temperature == 1.1 && user.sources[.temperature] == .flag)
        #expect(user.settings.topK == 7 && user.sources[.topK] == .gguf)
    }

    @Test func aSamplingValueOutOfRangeInTheGGUFIsNamed() throws {
        var file = GGUFTestFile()
        file.metadata = [("general.architecture", .string("llama")), ("general.sampling.top_p", .float32(3))]
        let metadata = try GGUFFile(bytes: file.build(), name: "bad.gguf").metadata
        let error = #expect(throws: GGUFError.self) { try SamplerDefaults.gguf(metadata) }
        #expect(error?.description.contains("general.sampling.top_p") == true, "\(String(describing: error))")
        #expect(error?.description.contains("bad.gguf") == true)
    }

    @Test func settingsBecomeTheEngineConfig() {
        let config = SamplerConfig(SamplerSettings(
            temperature: 0.3, topK: 40, topP: 0.9, minP: 0.05, repeatPenalty: 1.1, repeatLastN: 32, seed: 9))
        #expect(config == SamplerConfig(temperature: 0.3, topK: 40, topP: 0.9, minP: 0.05, repeatPenalty: 1.1,
                                        penaltyLastN: 32, seed: 9))
        #expect(SamplerConfig(.greedy).isGreedy && SamplerConfig(.greedy).repeatPenalty == 1)
        #expect(config.settings == SamplerSettings(
            temperature: Double(Float(0.3)), topK: 40, topP: Double(Float(0.9)), minP: Double(Float(0.05)),
            repeatPenalty: Double(Float(1.1)), repeatLastN: 32, seed: 9))
    }

    @Test func logProbabilitiesAreALogSoftmax() {
        let logits: [Float] = [1, 2, 3, -5, 2]
        logits.withUnsafeBufferPointer { row in
            let lp = LogProbabilities(row)
            let total = row.reduce(0.0) { $0 + exp(lp.logProbability(ofLogit: $1)) }
            #expect(abs(total - 1) < 1e-9)
            let top = lp.top(3, of: row)
            #expect(top.map(\.id) == [2, 1, 4])
            #expect(abs(top[0].logprob - (3 - log(exp(1.0) + 2 * exp(2.0) + exp(3.0) + exp(-5.0)))) < 1e-6)
        }
    }
}
