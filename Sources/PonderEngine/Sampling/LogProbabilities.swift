import Foundation

/// Log-probabilities over the full vocabulary (a log-softmax of the raw logits).
///
/// This is what llama.cpp reports as `logprob` (and what the reference files hold), so
/// `ponder generate --json` and the acceptance tests compare like with like.
public struct LogProbabilities: Sendable {
    /// `log Σ exp(logit)`, computed in double precision around the maximum.
    public let logSumExp: Double

    /// Prepares the log-softmax of `logits`.
    public init(_ logits: UnsafeBufferPointer<Float>) {
        var maxLogit = -Float.infinity
        for v in logits where v > maxLogit { maxLogit = v }
        var sum = 0.0
        for v in logits { sum += exp(Double(v - maxLogit)) }
        logSumExp = Double(maxLogit) + log(sum)
    }

    /// The log-probability of a logit value from the same row.
    public func logProbability(ofLogit logit: Float) -> Double { Double(logit) - logSumExp }

    /// The `k` most likely tokens with their log-probabilities, most likely first (ties: lower id first).
    public func top(_ k: Int, of logits: UnsafeBufferPointer<Float>) -> [(id: Int32, logprob: Double)] {
        guard k > 0 else { return [] }
        var best: [(id: Int32, logit: Float)] = []
        best.reserveCapacity(min(k, logits.count) + 1)
        for (i, v) in logits.enumerated() {
            if best.count == k, let last = best.last, v <= last.logit { continue }
            // Insertion into a short sorted list: k is small (≤ 20 in practice).
            var at = best.count
            while at > 0 && best[at - 1].logit < v { at -= 1 }
            best.insert((Int32(i), v), at: at)
            if best.count > k { best.removeLast() }
        }
        return best.map { ($0.id, logProbability(ofLogit: $0.logit)) }
    }
}
