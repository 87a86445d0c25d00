/// Notices a reply that has fallen into a loop: the same short run of tokens repeated back to back
/// ("la France, la France, la France, …"), in the trace or in the answer.
///
/// Fed one token at a time, it keeps, for every cycle length `p` up to ``maxPeriod``, how many
/// tokens in a row have equalled the token `p` before them. A loop of period `p` has gone on for
/// that count plus `p` tokens; the guard fires once that span reaches both ``minimumSpan`` tokens
/// and ``minimumCycles`` whole cycles. So a one-token stutter must run 80 tokens, a 3-token phrase
/// about 27 times, a 40-token sentence 3 times (120 tokens), before it counts. The rule and its
/// numbers were tuned on `dev/sampling-eval` (no ordinary reply there or in the reference
/// outputs comes near it).
///
/// ```swift
/// var guard = RepetitionGuard()
/// for token in tokens where guard.observe(token) { stop("the model was repeating itself") }
/// ```
///
/// The embedded engine feeds it token ids; the remote backends, a stable hash of each streamed piece
/// (a server sends about one token per piece).
public struct RepetitionGuard: Sendable {
    /// Longest cycle looked for, in tokens.
    public static let maxPeriod = 100
    /// Tokens the repetition must cover.
    public static let minimumSpan = 80
    /// Whole cycles the repetition must cover.
    public static let minimumCycles = 3

    /// The last `maxPeriod` tokens, as a ring.
    private var ring: [Int32]
    /// `runs[p]`: tokens in a row equal to the token `p + 1` before them.
    private var runs: [Int]
    private var count = 0
    /// The period and span of the loop that made ``observe(_:)`` return true.
    public private(set) var detected: (period: Int, span: Int)? = nil

    public init() {
        ring = Array(repeating: 0, count: Self.maxPeriod)
        runs = Array(repeating: 0, count: Self.maxPeriod)
    }

    /// Takes the next token; true when the tokens so far end in a loop.
    public mutating func observe(_ token: Int32) -> Bool {
        let slot = count % Self.maxPeriod
        var found: (period: Int, span: Int)? = nil
        let reachable = min(count, Self.maxPeriod)
        if reachable > 0 {
            for period in 1...reachable {
                let earlier = ring[(count - period) % Self.maxPeriod]
                if earlier == token {
                    runs[period - 1] += 1
                    let span = runs[period - 1] + period
                    if found == nil, span >= Self.minimumSpan, span >= Self.minimumCycles * period {
                        found = (period, span)
                    }
                } else {
                    runs[period - 1] = 0
                }
            }
        }
        ring[slot] = token
        count += 1
        if let found, detected == nil { detected = found }
        return found != nil
    }

    /// Takes a piece of streamed text (a server's delta, about one token).
    public mutating func observe(piece: String) -> Bool {
        var hasher = FNV1a()
        for byte in piece.utf8 { hasher.add(byte) }
        return observe(hasher.value)
    }

    /// Forgets everything (a new reply).
    public mutating func reset() { self = RepetitionGuard() }

    /// A stable 32-bit FNV-1a hash: `Hasher` is seeded per process, which would make a loop in a
    /// server's stream found or not by chance of collision; this one is the same every run.
    private struct FNV1a {
        var state: UInt32 = 2_166_136_261
        mutating func add(_ byte: UInt8) { state = (state ^ UInt32(byte)) &* 16_777_619 }
        var value: Int32 { Int32(bitPattern: state) }
    }
}
