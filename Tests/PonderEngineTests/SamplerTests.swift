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

    @Test func modelCardDefaultsPerThinkMode() {
        let on = SamplerDefaults.config(architecture: "qwen3", name: "Qwen3-0.6B", think: .on)
        #expect(on == SamplerConfig(temperature: 0.6, topK: 20, topP: 0.95, minP: 0))
        let off = SamplerDefaults.config(architecture: "qwen3", name: "Qwen3-0.6B", think: .off)
        #expect(off == SamplerConfig(temperature: 0.7, topK: 20, topP: 0.8, minP: 0))
        let nemotronOn = SamplerDefaults.config(architecture: "llama", name: "Llama-3.1-Nemotron-Nano-8B-v1", think: .on)
        #expect(nemotronOn.temperature == 0.6 && nemotronOn.topP == 0.95)
        #expect(SamplerDefaults.config(architecture: "llama", name: "Llama-3.1-Nemotron-Nano-8B-v1", think: .off).isGreedy)
        #expect(SamplerDefaults.config(architecture: "gemma3", name: "gemma-3-270m", think: .on) == .llamaCppDefaults)
    }

    @Test func requestSettingsOverrideDefaults() {
        let defaults = SamplerConfig(temperature: 0.6, topK: 20, topP: 0.95, minP: 0)
        let resolved = SamplerConfig.resolved(SamplerSettings(temperature: 1.1, seed: 42), defaults: defaults)
        #expect(resolved == SamplerConfig(temperature: 1.1, topK: 20, topP: 0.95, minP: 0, seed: 42))
        #expect(SamplerConfig.resolved(.greedy, defaults: defaults).isGreedy)
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
