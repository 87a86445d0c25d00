import Foundation

/// Picks the next token from a row of logits, in llama.cpp's order.
///
/// The chain is the one llama.cpp's `common_sampler` builds:
///
/// ```
/// logits ─▶ repetition penalty ─▶ top-k ─▶ top-p ─▶ min-p ─▶ temperature ─▶ draw(seed)
/// ```
///
/// Temperature comes last, so top-k/top-p/min-p see untempered logits; with temperature `<= 0`
/// the result is the arg-max of the penalized logits (greedy). The draw walks the surviving
/// candidates in their current order (most likely first) with a uniform number from a seeded
/// ``RandomGenerator``, so a seed reproduces a reply exactly on this engine.
///
/// ```swift
/// var sampler = Sampler(config: .greedy)
/// let token = sampler.sample(logits)
/// sampler.accept(token)
/// ```
public struct Sampler: Sendable {
    public private(set) var config: SamplerConfig
    private var rng: RandomGenerator
    /// The last `penaltyLastN` accepted tokens, oldest first.
    private var recent: [Int32] = []
    /// Reused candidate storage (one entry per surviving token).
    private var candidates: [Candidate] = []

    /// A token id with its (possibly penalized, possibly tempered) logit.
    struct Candidate: Sendable {
        var id: Int32
        var logit: Float
    }

    public init(config: SamplerConfig) {
        self.config = config
        self.rng = config.seed.map { RandomGenerator(seed: $0) } ?? .unseeded()
    }

    /// Records a token that became part of the text (generated or forced), for the repetition penalty.
    public mutating func accept(_ token: Int32) {
        guard config.penaltyLastN > 0 else { return }
        recent.append(token)
        if recent.count > config.penaltyLastN { recent.removeFirst(recent.count - config.penaltyLastN) }
    }

    /// Forgets the accepted tokens (a new reply starts).
    public mutating func reset() {
        recent.removeAll(keepingCapacity: true)
    }

    /// Chooses the next token. `logits` is not modified.
    public mutating func sample(_ logits: UnsafeBufferPointer<Float>) -> Int32 {
        precondition(!logits.isEmpty, "sampling from an empty vocabulary")
        guard config.repeatPenalty != 1, !recent.isEmpty else { return choose(logits) }
        // Penalize a copy: llama.cpp's rule, applied once per distinct recent token.
        var penalized = Array(logits)
        var seen = Set<Int32>()
        for token in recent where Int(token) < penalized.count && seen.insert(token).inserted {
            let v = penalized[Int(token)]
            penalized[Int(token)] = v <= 0 ? v * config.repeatPenalty : v / config.repeatPenalty
        }
        return penalized.withUnsafeBufferPointer { choose($0) }
    }

    /// The chain after the penalty.
    private mutating func choose(_ logits: UnsafeBufferPointer<Float>) -> Int32 {
        @inline(__always) func value(_ i: Int) -> Float { logits[i] }

        if config.isGreedy {
            var best = 0
            var bestValue = value(0)
            for i in 1..<logits.count {
                let v = value(i)
                if v > bestValue { best = i; bestValue = v }
            }
            return Int32(best)
        }

        // Top-k (or everything), most likely first when we selected.
        var sorted = false
        candidates.removeAll(keepingCapacity: true)
        if config.topK > 0 && config.topK < logits.count {
            selectTop(config.topK, from: logits.count, value: value)
            sorted = true
        } else {
            candidates.reserveCapacity(logits.count)
            for i in 0..<logits.count { candidates.append(Candidate(id: Int32(i), logit: value(i))) }
        }

        if config.topP < 1 { applyTopP(sorted: &sorted) }
        if config.minP > 0 { applyMinP() }

        // Temperature, then the draw.
        let invT = 1 / config.temperature
        var maxLogit = -Float.infinity
        for c in candidates where c.logit > maxLogit { maxLogit = c.logit }
        var sum = 0.0
        for c in candidates { sum += Double(expf((c.logit - maxLogit) * invT)) }
        let target = rng.nextUnitDouble() * sum
        var cumulative = 0.0
        for c in candidates {
            cumulative += Double(expf((c.logit - maxLogit) * invT))
            if cumulative >= target { return c.id }
        }
        return candidates[candidates.count - 1].id
    }

    // MARK: - Filters

    /// Fills `candidates` with the `k` largest values, most likely first (a bounded min-heap).
    private mutating func selectTop(_ k: Int, from n: Int, value: (Int) -> Float) {
        var heap: [Candidate] = []
        heap.reserveCapacity(k)
        // Min-heap on logit: the root is the weakest of the current top k.
        func siftDown(_ start: Int) {
            var i = start
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < heap.count && heap[l].logit < heap[m].logit { m = l }
                if r < heap.count && heap[r].logit < heap[m].logit { m = r }
                if m == i { return }
                heap.swapAt(i, m)
                i = m
            }
        }
        for i in 0..<n {
            let v = value(i)
            if heap.count < k {
                heap.append(Candidate(id: Int32(i), logit: v))
                var c = heap.count - 1
                while c > 0 {
                    let p = (c - 1) / 2
                    if heap[p].logit <= heap[c].logit { break }
                    heap.swapAt(p, c)
                    c = p
                }
            } else if v > heap[0].logit {
                heap[0] = Candidate(id: Int32(i), logit: v)
                siftDown(0)
            }
        }
        heap.sort { $0.logit > $1.logit || ($0.logit == $1.logit && $0.id < $1.id) }
        candidates.append(contentsOf: heap)
    }

    /// Keeps the smallest most-likely prefix whose probability mass reaches `topP` (at least one token).
    private mutating func applyTopP(sorted: inout Bool) {
        var maxLogit = -Float.infinity
        for c in candidates where c.logit > maxLogit { maxLogit = c.logit }
        var total = 0.0
        for c in candidates { total += Double(expf(c.logit - maxLogit)) }
        let needed = Double(config.topP) * total

        if !sorted {
            // Most of the mass usually sits in a few hundred tokens: try those before sorting everything.
            let all = candidates
            candidates.removeAll(keepingCapacity: true)
            let head = min(256, all.count)
            selectTop(head, from: all.count) { all[$0].logit }
            for i in candidates.indices { candidates[i].id = all[Int(candidates[i].id)].id }
            var mass = 0.0
            for c in candidates { mass += Double(expf(c.logit - maxLogit)) }
            if mass < needed {
                candidates = all.sorted { $0.logit > $1.logit || ($0.logit == $1.logit && $0.id < $1.id) }
            }
            sorted = true
        }
        var cumulative = 0.0
        for i in candidates.indices {
            cumulative += Double(expf(candidates[i].logit - maxLogit))
            if cumulative >= needed {
                candidates.removeSubrange((i + 1)...)
                return
            }
        }
    }

    /// Drops candidates whose probability is below `minP` times the best one's.
    private mutating func applyMinP() {
        var maxLogit = -Float.infinity
        for c in candidates where c.logit > maxLogit { maxLogit = c.logit }
        let threshold = maxLogit + logf(config.minP)
        candidates.removeAll { $0.logit < threshold }
    }
}
