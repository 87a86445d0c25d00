import Foundation
import PonderCore

/// The token loop of one reply: prefill, then sample → detokenize → split reasoning from answer →
/// evaluate, until an end-of-generation token, the token limit, a loop (``RepetitionGuard``), or
/// cancellation.
///
/// ```
/// prompt ─▶ Session.prefill ─▶ logits ─▶ Sampler ─▶ token ─▶ StreamingDetokenizer ─▶ ThinkSplitter ─▶ events
///                                 ▲                    │
///                                 └── Session.append ◀─┘   (budget hit: append `</think>\n\n` instead)
/// ```
///
/// The thinking budget acts inside this loop: when the trace reaches `thinkBudget` tokens and is
/// still open, the end-of-thinking tokens are evaluated as if the model had written them, a
/// `.traceCut(.budget)` event is sent, and the model goes on to answer. The same happens, once, when the
/// model ends its turn inside a trace it never closed, and when the user asks for the answer now
/// (Ctrl-G, polled before every token like cancellation).
struct Generator {
    /// What one reply asks for.
    struct Options {
        /// Tokens to generate at most (trace and answer together).
        var maxTokens: Int
        var sampler: SamplerConfig
        /// Stop the reply when it falls into a loop (``RepetitionGuard``).
        var loopGuard: Bool = true
        /// The prompt ends inside an opened `<think>` (forced or by the template).
        var startsInsideThink: Bool
        /// Reasoning tokens allowed before the trace is closed for the model.
        var thinkBudget: Int?
        /// The tokens that close a trace (`</think>\n\n`), appended when the budget is hit.
        var closeThinkTokens: [Int32]
        /// The output is gpt-oss's harmony channels (``HarmonySplitter``), not `<think>` tags; a
        /// trace is closed with ``HarmonySplitter/answerNowText`` (`closeThinkTokens` hold its tokens).
        var harmony = false
        /// Texts that end the reply as the end-of-generation token would, left out of it
        /// (``ChatFormat/stopTexts``: a plain transcript's next `User:` line).
        var stopTexts: [String] = []
    }

    /// How a reply ended, with its counts.
    struct Outcome: Equatable {
        var finish: FinishReason
        var promptTokens: Int
        var evaluatedPromptTokens: Int
        var completionTokens: Int
        var reasoningTokens: Int
        /// Why the trace was closed for the model, if it was (the budget, or Ctrl-G).
        var traceCut: TraceCut?
    }

    let session: Session
    let tokenizer: Tokenizer
    /// Tokens whose text is `<think>` or `</think>`: passed to the splitter even when the
    /// vocabulary marks them as control tokens (which the detokenizer otherwise leaves out).
    let thinkTagTokens: [Int32: String]

    init(session: Session, tokenizer: Tokenizer) {
        self.session = session
        self.tokenizer = tokenizer
        var tags: [Int32: String] = [:]
        for tag in ["<think>", "</think>"] {
            if let id = tokenizer.id(ofTokenText: tag) { tags[id] = tag }
        }
        thinkTagTokens = tags
    }

    /// Runs one reply, sending its events to `emit` as they happen.
    /// - Parameters:
    ///   - prompt: the whole prompt; the session reuses whatever prefix it already holds.
    ///   - isCancelled: polled before every token (and between layers during prefill).
    ///   - answerNow: polled before every token; true while the trace is open closes it (Ctrl-G).
    /// - Throws: ``Session/SessionError`` when the prompt does not fit.
    func run(
        prompt: [Int32], options: Options, isCancelled: () -> Bool, answerNow: () -> Bool = { false },
        emit: (ChatEvent) -> Void
    ) throws(Session.SessionError) -> Outcome {
        let capacity = session.capacity
        var outcome = Outcome(
            finish: .stop, promptTokens: prompt.count, evaluatedPromptTokens: 0, completionTokens: 0,
            reasoningTokens: 0, traceCut: nil)
        func usage(promptSeconds: Double?, decodeSeconds: Double?) -> Usage {
            Usage(
                promptTokens: outcome.promptTokens, promptTokensEvaluated: outcome.evaluatedPromptTokens,
                completionTokens: outcome.completionTokens, reasoningTokens: outcome.reasoningTokens,
                promptTokensPerSecond: promptSeconds.flatMap {
                    $0 > 0 && outcome.evaluatedPromptTokens > 0 ? Double(outcome.evaluatedPromptTokens) / $0 : nil
                },
                tokensPerSecond: decodeSeconds.flatMap {
                    $0 > 0 && outcome.completionTokens > 0 ? Double(outcome.completionTokens) / $0 : nil
                },
                contextSize: capacity, contextUsed: session.tokens.count)
        }

        // Prefill: only what the cache does not hold yet.
        let promptStart = Date()
        let toEvaluate = prompt.count - min(session.reusablePrefix(of: prompt), prompt.count - 1)
        let reportProgress = toEvaluate > session.model.maxBatch
        do {
            outcome.evaluatedPromptTokens = try session.prefill(
                prompt, progress: { done, total in if reportProgress { emit(.progress(done: done, total: total)) } },
                shouldStop: isCancelled)
        } catch .interrupted {
            outcome.finish = .cancelled
            emit(.finished(.cancelled))
            return outcome
        }
        let promptSeconds = Date().timeIntervalSince(promptStart)
        emit(.usage(usage(promptSeconds: promptSeconds, decodeSeconds: nil)))

        var sampler = Sampler(config: options.sampler)
        // The penalty window covers what the model has seen, prompt included, as llama-server's
        // does (it replays the prompt into its sampler): a question's own words count from the
        // first token of the answer.
        for token in prompt.suffix(max(0, options.sampler.penaltyLastN)) { sampler.accept(token) }
        var repetition = RepetitionGuard()
        var detokenizer = StreamingDetokenizer(tokenizer: tokenizer)
        var splitter: any TraceSplitting = options.harmony
            ? HarmonySplitter() : ThinkSplitter(startsInsideThink: options.startsInsideThink)
        let closeText = options.harmony ? HarmonySplitter.answerNowText : "</think>\n\n"
        func send(_ pieces: [ThinkPiece]) {
            for piece in pieces {
                switch piece {
                case .reasoning(let text) where !text.isEmpty: emit(.reasoning(text))
                case .content(let text) where !text.isEmpty: emit(.content(text))
                default: break
                }
            }
        }

        /// Text held back because it may be the start of a stop text.
        var held = ""
        var stoppedByText = false
        /// Passes text on to the splitter, holding back what may begin a stop text; true when a
        /// stop text is complete (the text before it has been passed on, the rest is dropped).
        func feed(_ text: String) -> Bool {
            guard !options.stopTexts.isEmpty else {
                send(splitter.feed(text))
                return false
            }
            held += text
            if let stop = options.stopTexts.compactMap({ held.range(of: $0) }).min(by: { $0.lowerBound < $1.lowerBound }) {
                send(splitter.feed(String(held[..<stop.lowerBound])))
                held = ""
                return true
            }
            var keep = 0
            for stop in options.stopTexts {
                for length in stride(from: min(stop.count - 1, held.count), to: 0, by: -1)
                    where held.hasSuffix(stop.prefix(length)) {
                    keep = max(keep, length)
                    break
                }
            }
            let cut = held.index(held.endIndex, offsetBy: -keep)
            send(splitter.feed(String(held[..<cut])))
            held = String(held[cut...])
            return false
        }

        /// Closes the open trace for the model: `</think>\n\n` is shown and evaluated after `pending`
        /// (the token just sampled, if it is to be kept); a `cut` is recorded and reported. Returns
        /// how the reply must end, if it must.
        func closeTrace(after pending: [Int32], cut: TraceCut?) -> FinishReason? {
            _ = feed(detokenizer.finish())
            send(splitter.feed(held))
            held = ""
            send(splitter.feed(closeText))
            if let cut {
                outcome.traceCut = cut
                emit(.traceCut(cut))
            }
            do {
                try session.prefill(session.tokens + pending + options.closeThinkTokens, shouldStop: isCancelled)
            } catch .interrupted {
                return .cancelled
            } catch {
                emit(.notice("The context is full; the reply stops here."))
                return .length
            }
            return nil
        }
        var closedAtEnd = false

        let decodeStart = Date()
        generation: while true {
            if isCancelled() { outcome.finish = .cancelled; break }
            // Ctrl-G: the tokens so far are evaluated; close the trace after them and answer.
            if outcome.traceCut == nil, splitter.isInsideReasoning, !options.closeThinkTokens.isEmpty, answerNow() {
                if let finish = closeTrace(after: [], cut: .answerNow) { outcome.finish = finish; break }
            }
            if outcome.completionTokens >= options.maxTokens { outcome.finish = .length; break }
            let token = sampler.sample(session.logits)
            if tokenizer.isEndOfGeneration(token) {
                // A model made to think (forced `<think>`) may end its turn without ever closing the
                // trace, which would leave the user a thought and no answer: close it for the model,
                // once, and let it answer, as the budget does.
                if splitter.isInsideReasoning, !closedAtEnd, !options.closeThinkTokens.isEmpty {
                    closedAtEnd = true
                    if let finish = closeTrace(after: [], cut: nil) { outcome.finish = finish; break }
                    continue
                }
                outcome.finish = .stop
                break
            }
            sampler.accept(token)
            outcome.completionTokens += 1
            let wasInside = splitter.isInsideReasoning
            let stopped = thinkTagTokens[token].map { feed(detokenizer.finish() + $0) } ?? feed(detokenizer.append(token))
            if wasInside && splitter.isInsideReasoning { outcome.reasoningTokens += 1 }
            if stopped {
                // The model spelled out the end of its turn.
                stoppedByText = true
                outcome.finish = .stop
                break
            }

            // The loop guard: a reply repeating a short cycle over and over stops here.
            if options.loopGuard, repetition.observe(token) {
                outcome.finish = .repetition
                break
            }

            // The budget: close the trace for the model and let it answer.
            if let budget = options.thinkBudget, splitter.isInsideReasoning, outcome.reasoningTokens >= budget {
                if let finish = closeTrace(after: [token], cut: .budget) { outcome.finish = finish; break generation }
                continue
            }
            if outcome.completionTokens >= options.maxTokens { outcome.finish = .length; break }
            do {
                try session.append(token)
            } catch {
                emit(.notice("The context is full; the reply stops here."))
                outcome.finish = .length
                break
            }
        }
        if !stoppedByText, !feed(detokenizer.finish()) { send(splitter.feed(held)) }
        send(splitter.finish())
        if let harmony = splitter as? HarmonySplitter, let call = harmony.toolCalls.first {
            emit(.notice("the model asked to call \(call); ponder runs no tools, so that call is in the trace"))
        }
        emit(.usage(usage(promptSeconds: promptSeconds, decodeSeconds: Date().timeIntervalSince(decodeStart))))
        emit(.finished(outcome.finish))
        return outcome
    }
}
