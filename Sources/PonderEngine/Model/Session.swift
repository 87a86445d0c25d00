/// A model with its KV cache and the tokens the cache holds: the state of one conversation.
///
/// The session remembers every token whose keys and values are in the cache. A new prompt is
/// compared with them and only the part after the longest common prefix is evaluated, so the
/// second turn of a chat costs its own tokens, not the whole history:
///
/// ```
/// cache:   [system][user 1][assistant 1]
/// prompt:  [system][user 1][assistant 1][user 2][assistant header]
///                                        └──── evaluated ────────┘
/// ```
///
/// ```swift
/// let session = Session(model: transformer)
/// let evaluated = try session.prefill(promptTokens)   // logits now follow the prompt
/// let next = sampler.sample(session.logits)
/// try session.append(next)                            // logits now follow `next`
/// ```
public final class Session: @unchecked Sendable {
    public let model: Transformer
    public let cache: KVCache
    /// The tokens whose keys and values are in the cache, in order.
    public private(set) var tokens: [Int32] = []
    private let logitsStorage: UnsafeMutablePointer<Float>
    /// True when `logits` follow the last token of `tokens`.
    private var logitsCurrent = false

    /// A fresh, empty session with room for the model's ``Transformer/contextCapacity`` positions.
    public init(model: Transformer) {
        self.model = model
        cache = KVCache(config: model.config, capacity: model.contextCapacity)
        logitsStorage = .allocate(capacity: model.config.vocabSize)
        logitsStorage.initialize(repeating: 0, count: model.config.vocabSize)
    }

    deinit { logitsStorage.deallocate() }

    /// The context size in tokens.
    public var capacity: Int { cache.capacity }

    /// The logits that follow the last evaluated token (`vocabSize` values).
    public var logits: UnsafeBufferPointer<Float> {
        UnsafeBufferPointer(start: logitsStorage, count: model.config.vocabSize)
    }

    /// Why a session could not evaluate tokens.
    public enum SessionError: Error, Equatable, CustomStringConvertible {
        /// The text does not fit in the context.
        case contextFull(needed: Int, capacity: Int)
        /// The caller asked to stop (cancellation) before the prompt was fully evaluated.
        case interrupted
        /// A token id outside the model's vocabulary.
        case badToken(Int32)

        public var description: String {
            switch self {
            case .contextFull(let needed, let capacity):
                "the text needs \(needed) tokens but the context holds \(capacity) (raise --ctx)"
            case .interrupted: "evaluation interrupted"
            case .badToken(let id): "token id \(id) is outside the model's vocabulary"
            }
        }
    }

    /// How many leading tokens of `prompt` the cache already holds.
    public func reusablePrefix(of prompt: [Int32]) -> Int {
        var n = 0
        let limit = min(prompt.count, tokens.count)
        while n < limit && prompt[n] == tokens[n] { n += 1 }
        return n
    }

    /// Makes the cache hold exactly `prompt` and leaves the logits that follow it.
    ///
    /// Only tokens after the common prefix with the cache are evaluated, in batches of up to
    /// ``Transformer/maxBatch``; when the whole prompt is cached, its last token is re-evaluated to
    /// recover the logits.
    /// - Parameters:
    ///   - progress: called after every batch with (tokens evaluated so far, tokens to evaluate).
    ///   - shouldStop: polled between layers; returning true throws ``SessionError/interrupted``,
    ///     leaving the session holding the batches that were completed.
    /// - Returns: the number of tokens evaluated.
    @discardableResult
    public func prefill(
        _ prompt: [Int32], progress: (Int, Int) -> Void = { _, _ in }, shouldStop: () -> Bool = { false }
    ) throws(SessionError) -> Int {
        guard !prompt.isEmpty else { return 0 }
        guard prompt.count <= capacity else { throw .contextFull(needed: prompt.count, capacity: capacity) }
        for t in prompt where t < 0 || Int(t) >= model.config.vocabSize { throw .badToken(t) }

        var keep = reusablePrefix(of: prompt)
        if keep == prompt.count && keep == tokens.count && logitsCurrent { return 0 }
        keep = min(keep, prompt.count - 1)
        tokens.removeSubrange(keep...)
        logitsCurrent = false

        let total = prompt.count - keep
        var done = 0
        while keep + done < prompt.count {
            if shouldStop() { throw .interrupted }
            let start = keep + done
            let n = Self.batchLength(from: start, of: prompt.count, maxBatch: model.maxBatch,
                                     checkpointBreaks: model.config.slidingWindow != nil)
            let isLast = start + n == prompt.count
            let completed = prompt[start..<(start + n)].withUnsafeBufferPointer { batch in
                model.forward(tokens: batch, startPosition: start, cache: cache, logits: isLast ? logitsStorage : nil,
                              shouldStop: shouldStop)
            }
            if !completed { throw .interrupted }
            tokens.append(contentsOf: prompt[start..<(start + n)])
            done += n
            progress(done, total)
        }
        if total > 1 { model.releaseBatchMemory() }
        logitsCurrent = true
        return total
    }

    /// Tokens llama-server puts in the prompt batch that starts at `start`.
    ///
    /// At most `maxBatch` (llama.cpp's ubatch). For a model with sliding-window attention
    /// llama-server also ends a batch 4 + ubatch tokens and 4 tokens before the end of the prompt,
    /// so that it can checkpoint the window's cache there (server-context.cpp, "process the last
    /// few tokens of the prompt separately"). That split changes the numbers: llama.cpp multiplies
    /// repacked Q4_K matrices with another rounding for inputs in groups of 4 than for the rest of
    /// a batch. Splitting where it does gives a prompt's logits exactly as llama-server's.
    static func batchLength(from start: Int, of count: Int, maxBatch: Int, checkpointBreaks: Bool) -> Int {
        var n = min(maxBatch, count - start)
        if checkpointBreaks {
            for offset in [4 + maxBatch, 4] where count - offset > start && count - offset < start + n {
                n = count - offset - start
            }
        }
        return n
    }

    /// Evaluates one more token (decode) and leaves the logits that follow it.
    public func append(_ token: Int32) throws(SessionError) {
        guard tokens.count < capacity else { throw .contextFull(needed: tokens.count + 1, capacity: capacity) }
        guard token >= 0 && Int(token) < model.config.vocabSize else { throw .badToken(token) }
        _ = withUnsafePointer(to: token) { p in
            model.forward(tokens: UnsafeBufferPointer(start: p, count: 1), startPosition: tokens.count,
                          cache: cache, logits: logitsStorage)
        }
        tokens.append(token)
        logitsCurrent = true
    }

    /// Forgets everything after the first `count` tokens (the next prefill re-evaluates from there).
    public func truncate(to count: Int) {
        guard count < tokens.count else { return }
        tokens.removeSubrange(max(0, count)...)
        logitsCurrent = false
    }
}
