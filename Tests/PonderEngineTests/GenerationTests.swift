import Foundation
import Testing
import PonderCore
import PonderTestSupport
@testable import PonderEngine

/// The embedded backend end to end on SmolLM2: prefix reuse across turns, the thinking budget,
/// cancellation, context overflow, and stopping on the model's end-of-generation token.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct GenerationTests {
    /// Everything one reply streamed.
    struct Reply {
        var events: [ChatEvent] = []
        var reasoning: String { events.reduce("") { if case .reasoning(let t) = $1 { $0 + t } else { $0 } } }
        var content: String { events.reduce("") { if case .content(let t) = $1 { $0 + t } else { $0 } } }
        var usage: Usage? { events.reversed().lazy.compactMap { if case .usage(let u) = $0 { u } else { nil } }.first }
        var finish: FinishReason? { if case .finished(let r) = events.last { r } else { nil } }
        var notices: [String] { events.compactMap { if case .notice(let n) = $0 { n } else { nil } } }
    }

    static func collect(_ backend: EmbeddedBackend, _ request: ChatRequest) async throws -> Reply {
        var reply = Reply()
        for try await event in backend.reply(to: request) { reply.events.append(event) }
        return reply
    }

    static func smol(contextSize: Int = 1024) throws -> EmbeddedBackend {
        EmbeddedBackend(modelPath: try Peers.model(Peers.smolLM2), contextSize: contextSize, threads: 2)
    }

    @Test func secondTurnEvaluatesOnlyItsNewTokens() async throws {
        let backend = try Self.smol()
        _ = try await backend.prepare()
        var messages: [Message] = [.user("What is the capital of France?")]
        let first = try await Self.collect(
            backend, ChatRequest(messages: messages, think: ThinkSetting(mode: .off), sampler: .greedy, maxTokens: 48))
        let usage1 = try #require(first.usage)
        #expect(usage1.promptTokensEvaluated == usage1.promptTokens)
        #expect(!first.content.isEmpty)

        messages.append(.assistant(first.content))
        messages.append(.user("And of Germany?"))
        let second = try await Self.collect(
            backend, ChatRequest(messages: messages, think: ThinkSetting(mode: .off), sampler: .greedy, maxTokens: 8))
        let usage2 = try #require(second.usage)

        // Independently: the tokens of the second prompt after the first reply's text.
        let file = try GGUFFile(path: try Peers.model(Peers.smolLM2))
        let tokenizer = try Tokenizer.load(from: file)
        let prompt2 = try ChatFormat(model: file).prompt(for: ChatRequest(messages: messages, think: ThinkSetting(mode: .off)))
        let replyEnd = try #require(prompt2.text.range(of: first.content, options: .backwards)).upperBound
        let newTokens = tokenizer.encode(String(prompt2.text[replyEnd...]), addSpecial: false, parseSpecial: true)
        // A reply cut by the token limit leaves its last sampled token unevaluated.
        let expected = newTokens.count + (first.finish == .length ? 1 : 0)
        print("prefix reuse: turn 1 evaluated \(usage1.promptTokensEvaluated ?? -1) of \(usage1.promptTokens ?? -1); "
              + "turn 2 evaluated \(usage2.promptTokensEvaluated ?? -1) of \(usage2.promptTokens ?? -1) (expected \(expected))")
        #expect(usage2.promptTokens == tokenizer.encode(prompt2.text, addSpecial: true, parseSpecial: true).count)
        #expect(usage2.promptTokensEvaluated == expected)
    }

    @Test func thinkingBudgetClosesTheTraceAndTheModelAnswers() async throws {
        let backend = try Self.smol()
        let request = ChatRequest(
            messages: [.user("How many legs do three spiders and two ants have in total?")],
            think: ThinkSetting(mode: .on, budget: 32), sampler: .greedy, maxTokens: 96)
        let reply = try await Self.collect(backend, request)
        let hit = try #require(reply.events.firstIndex(of: .traceCut(.budget)))
        let usage = try #require(reply.usage)
        print("budget 32: reasoning tokens \(usage.reasoningTokens ?? -1), completion \(usage.completionTokens ?? -1); "
              + "answer: \(reply.content.prefix(80).debugDescription)")
        #expect(usage.reasoningTokens == 32)
        #expect(!reply.reasoning.isEmpty && !reply.content.isEmpty)
        // The trace comes before the budget event, the answer after it.
        #expect(reply.events[..<hit].allSatisfy { if case .content = $0 { false } else { true } })
        #expect(reply.events[hit...].allSatisfy { if case .reasoning = $0 { false } else { true } })
        #expect(!reply.reasoning.contains("</think>") && !reply.content.contains("</think>"))
    }

    /// Ctrl-G while the trace streams: the engine closes the trace after the tokens it has, says
    /// so, and the model answers in the same reply; no tag leaks into either part.
    @Test func answerNowClosesTheTraceMidwayAndTheModelAnswers() async throws {
        let backend = try Self.smol()
        let request = ChatRequest(
            messages: [.user("How many legs do three spiders and two ants have in total?")],
            think: ThinkSetting(mode: .on), sampler: .greedy, maxTokens: 160)
        let control = ReplyControl()
        var reply = Reply()
        var pieces = 0
        for try await event in backend.reply(to: request, control: control) {
            reply.events.append(event)
            if case .reasoning = event {
                pieces += 1
                if pieces == 12 { control.answerNow() }
            }
        }
        let cut = try #require(reply.events.firstIndex(of: .traceCut(.answerNow)), "no cut in \(reply.events)")
        print("answer now after 12 pieces: reasoning \(reply.reasoning.debugDescription); answer \(reply.content.prefix(80).debugDescription)")
        #expect(reply.events[..<cut].allSatisfy { if case .content = $0 { false } else { true } })
        #expect(reply.events[cut...].allSatisfy { if case .reasoning = $0 { false } else { true } })
        #expect(!reply.content.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
        let usage = try #require(reply.usage)
        // The generation thread runs ahead of this reader (by 12 tokens once in a busy clean
        // clone), so only "after the 12th and long before the limit" is certain; uncut, this
        // trace takes all 160 tokens.
        #expect((12..<120).contains(usage.reasoningTokens ?? -1), "\(usage)")
        #expect(!reply.reasoning.contains("</think>") && !reply.content.contains("</think>"))
        #expect(reply.finish != .cancelled)
    }

    /// An effort level on a model without effort levels of its own is a budget: `low` is 256
    /// tokens. The tiny random-weight Qwen3 (a short template with no switch, so ponder forces
    /// `<think>`) never closes its trace, so the budget is what ends it.
    @Test func anEffortLevelIsABudgetOnTheEmbeddedEngine() async throws {
        let backend = EmbeddedBackend(modelPath: try Peers.model("tiny-qwen3-q8_0.gguf"), contextSize: 1024, threads: 2)
        let info = try await backend.prepare()
        #expect(info.dialect == ReasoningDialect.none && info.capabilities.effort)
        let request = ChatRequest(
            messages: [.user("Hello")], think: ThinkSetting(mode: .on, effort: "low"), sampler: .greedy, maxTokens: 300,
            loopGuard: false)
        let reply = try await Self.collect(backend, request)
        let usage = try #require(reply.usage)
        print("effort low on tiny-qwen3: \(usage.reasoningTokens ?? -1) reasoning tokens, cut: \(reply.events.contains(.traceCut(.budget)))")
        #expect(reply.events.contains(.traceCut(.budget)))
        #expect(usage.reasoningTokens == 256)
        // An explicit budget wins over the level's.
        var explicit = request
        explicit.think.budget = 20
        let short = try await Self.collect(backend, explicit)
        #expect(short.usage?.reasoningTokens == 20 && short.events.contains(.traceCut(.budget)))
    }

    /// Ctrl-G pressed before the first token: the forced trace closes at once, empty, and the
    /// model answers (the same mechanism, with no race against the reader).
    @Test func answerNowBeforeTheFirstTokenGivesAnEmptyTraceAndAnAnswer() async throws {
        let backend = try Self.smol()
        let request = ChatRequest(
            messages: [.user("How many legs do three spiders and two ants have in total?")],
            think: ThinkSetting(mode: .on), sampler: .greedy, maxTokens: 160)
        let control = ReplyControl()
        control.answerNow()
        var reply = Reply()
        for try await event in backend.reply(to: request, control: control) { reply.events.append(event) }
        #expect(reply.events.contains(.traceCut(.answerNow)))
        #expect(reply.usage?.reasoningTokens == 0)
        #expect(reply.reasoning.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
        #expect(!reply.content.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
    }

    /// SmolLM2 has no thinking dialect, so think-on forces `<think>`; on this conversation the
    /// model ends its turn inside the trace it never closed (before ponder handled that, the reply
    /// was that one-sentence trace and an empty answer). ponder closes the trace for it and the
    /// model answers, instead of leaving the user a thought and no answer.
    @Test func aTraceTheModelNeverClosesIsClosedForItAndAnAnswerFollows() async throws {
        let backend = try Self.smol()
        let request = ChatRequest(
            messages: [
                .user("What is the capital of France? Answer in one sentence."),
                .assistant("The capital of France is Paris.", think: .off),
                .user("And of Italy? Answer in one sentence."),
            ],
            think: ThinkSetting(mode: .on), sampler: .greedy, maxTokens: 200)
        let reply = try await Self.collect(backend, request)
        print("unclosed trace: reasoning \(reply.reasoning.debugDescription); answer \(reply.content.debugDescription)")
        #expect(reply.reasoning.trimmingCharacters(in: .whitespacesAndNewlines) == "Italy is a country in the western part of Europe.")
        #expect(!reply.content.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
        #expect(reply.finish == .stop)
        #expect(!reply.events.contains { if case .traceCut = $0 { true } else { false } })
        #expect(!reply.reasoning.contains("</think>") && !reply.content.contains("</think>"))
    }

    @Test func aReplyEndsAtTheEndOfGenerationToken() async throws {
        let backend = try Self.smol()
        let reply = try await Self.collect(backend, ChatRequest(
            messages: [.user("Say hello.")], think: ThinkSetting(mode: .off), sampler: .greedy, maxTokens: 200))
        #expect(reply.finish == .stop)
        #expect(!reply.content.contains("<|im_end|>"))
        #expect((reply.usage?.completionTokens ?? 0) < 200)
    }

    /// Greedy, with no repetition penalty, SmolLM2 answers the France question with a list that
    /// never ends ("…, la France, la France, …"). The guard stops it within a few hundred tokens;
    /// without the guard it runs to the token limit.
    @Test func theLoopGuardStopsARepeatingReplyAndSaysWhy() async throws {
        let backend = try Self.smol()
        let question = [Message.user("What is the capital of France?")]
        let guarded = try await Self.collect(backend, ChatRequest(
            messages: question, think: ThinkSetting(mode: .off), sampler: .greedy, maxTokens: 600))
        let tokens = try #require(guarded.usage?.completionTokens)
        print("loop guard: stopped after \(tokens) tokens; tail \(guarded.content.suffix(80).debugDescription)")
        #expect(guarded.finish == .repetition)
        #expect(tokens < 400)

        let unguarded = try await Self.collect(backend, ChatRequest(
            messages: question, think: ThinkSetting(mode: .off), sampler: .greedy, maxTokens: 600, loopGuard: false))
        #expect(unguarded.finish == .length)
        #expect(unguarded.content.hasPrefix(guarded.content), "the guard only cuts the same reply short")
    }

    /// The guard never fires on ordinary text: every trace and answer of the example transcripts,
    /// every prompt of the reference files, and the replies llama-server's SmolLM2 ended by itself
    /// in the sampling evaluation (`Tests/Fixtures/loop-guard`), tokenized as SmolLM2 reads them.
    @Test func theLoopGuardNeverFiresOnTheExamplesOrTheReferencePrompts() throws {
        let tokenizer = try Tokenizer.load(from: GGUFFile(path: try Peers.model(Peers.smolLM2)))
        var texts: [String] = []
        let examples = Fixtures.url("../../Transcripts")
        let files = try FileManager.default.contentsOfDirectory(atPath: examples.path).filter { $0.hasSuffix(".json") }
        try #require(files.count >= 3, "the example transcripts")
        for name in files {
            let transcript = try Transcript.load(from: examples.appendingPathComponent(name))
            for message in transcript.conversation.messages { texts += [message.content, message.reasoning ?? ""] }
        }
        let ordinary = try #require(
            try JSONSerialization.jsonObject(with: Fixtures.data("loop-guard/ordinary-replies.json")) as? [String: Any])
        let replies = try #require(ordinary["replies"] as? [String])
        try #require(replies.count > 500, "llama-server's ordinary replies")
        texts += replies
        let references = try FileManager.default.contentsOfDirectory(atPath: Fixtures.url("reference").path)
        for name in references where name.hasSuffix(".json") {
            let object = try #require(try JSONSerialization.jsonObject(with: Fixtures.data("reference/" + name)) as? [String: Any])
            for entry in try #require(object["generate"] as? [[String: Any]]) { texts.append(try #require(entry["prompt"] as? String)) }
        }
        var tokens = 0
        for text in texts {
            var watcher = RepetitionGuard()
            for token in tokenizer.encode(text, addSpecial: false, parseSpecial: true) {
                tokens += 1
                let fired = watcher.observe(token)
                #expect(!fired, "fired on \(text.prefix(60).debugDescription)")
            }
        }
        print("loop guard: silent over \(texts.count) texts, \(tokens) tokens")
        #expect(tokens > 20_000)
    }

    /// Every reply reports the settings it was sampled with, all of them, the seed it drew included;
    /// the same seed gives the same reply.
    @Test func aReplyReportsItsSamplerSettingsAndItsSeedReproducesIt() async throws {
        let backend = try Self.smol()
        let info = try await backend.prepare()
        let defaults = try #require(info.samplerDefaults[.off])
        #expect(defaults.sources[.temperature] == .family, "SmolLM2 is in the family table")
        let request = ChatRequest(
            messages: [.user("Name a colour.")], think: ThinkSetting(mode: .off),
            sampler: SamplerSettings(topK: 30), maxTokens: 24)
        let first = try await Self.collect(backend, request)
        let used = try #require(first.events.lazy.compactMap { if case .sampler(let s) = $0 { s } else { nil } }.first)
        #expect(used.topK == 30, "the request's value wins")
        #expect(used.temperature == defaults.settings.temperature && used.repeatPenalty == defaults.settings.repeatPenalty)
        let seed = try #require(used.seed)
        var again = request
        again.sampler.seed = seed
        let second = try await Self.collect(backend, again)
        #expect(second.content == first.content)
    }

    @Test func cancellingTheConsumerStopsGenerationAndFreesTheEngine() async throws {
        let backend = try Self.smol()
        let request = ChatRequest(
            messages: [.user("Write a long story about a dragon.")], think: ThinkSetting(mode: .off),
            sampler: SamplerSettings(temperature: 0.8, seed: 1), maxTokens: 400)
        let consumer = Task {
            var pieces = 0
            for try await event in backend.reply(to: request) {
                if case .content = event { pieces += 1 }
                if pieces == 5 { withUnsafeCurrentTask { $0?.cancel() } }
            }
            return pieces
        }
        let pieces = try await consumer.value
        #expect(pieces >= 5 && pieces < 400)
        // The generation thread let go of the engine: the next reply runs to its end.
        let start = Date()
        let next = try await Self.collect(backend, ChatRequest(
            messages: [.user("Say hello.")], think: ThinkSetting(mode: .off), sampler: .greedy, maxTokens: 4))
        #expect(next.finish == .length || next.finish == .stop)
        #expect(Date().timeIntervalSince(start) < 30)
    }

    @Test func generatorStopsWithinOneTokenOfCancellation() throws {
        let file = try GGUFFile(path: try Peers.model(Peers.smolLM2))
        let session = Session(model: try Transformer(file: file, contextCapacity: 256, threads: 2))
        let generator = Generator(session: session, tokenizer: try Tokenizer.load(from: file))
        // After the prompt (its first .usage event), the loop asks once per token; say "cancelled"
        // at the fourth question: exactly three tokens may be produced.
        var decoding = false, questions = 0
        var events: [ChatEvent] = []
        let outcome = try generator.run(
            prompt: [1, 9690, 198, 28, 29, 30],
            options: .init(maxTokens: 100, sampler: .greedy, startsInsideThink: false, thinkBudget: nil, closeThinkTokens: []),
            isCancelled: {
                guard decoding else { return false }
                questions += 1
                return questions > 3
            },
            emit: { event in
                events.append(event)
                if case .usage = event { decoding = true }
            })
        #expect(outcome.finish == .cancelled)
        #expect(outcome.completionTokens == 3)
        #expect(events.last == .finished(.cancelled))
    }

    @Test func overflowDropsTheOldestTurnsKeepsTheSystemPromptAndSaysSo() async throws {
        let backend = try Self.smol(contextSize: 256)
        let filler = String(repeating: "The quick brown fox jumps over the lazy dog. ", count: 6)
        var messages: [Message] = []
        for i in 0..<6 {
            messages.append(.user("Question \(i): \(filler)"))
            messages.append(.assistant("Answer \(i): \(filler)"))
        }
        messages.append(.user("What colour is the fox?"))
        let reply = try await Self.collect(backend, ChatRequest(
            systemPrompt: "You are terse.", messages: messages, think: ThinkSetting(mode: .off), sampler: .greedy,
            maxTokens: 16))
        let usage = try #require(reply.usage)
        print("overflow: \(reply.notices.first ?? "no notice"); prompt \(usage.promptTokens ?? -1) of \(usage.contextSize ?? -1)")
        #expect(reply.notices.count == 1)
        #expect((usage.promptTokens ?? .max) + 16 <= 256)
        #expect(reply.finish != nil)

        // What the model saw: the system prompt, the newest turns, the question; not the oldest turns.
        let engine = try Engine(modelPath: try Peers.model(Peers.smolLM2), contextSize: 256, threads: 2)
        let (prompt, tokens, dropped) = try engine.fittedPrompt(for: ChatRequest(
            systemPrompt: "You are terse.", messages: messages, think: ThinkSetting(mode: .off), maxTokens: 16))
        #expect(dropped == 10 && tokens.count == usage.promptTokens)
        #expect(prompt.text.hasPrefix("<|im_start|>system\nYou are terse.<|im_end|>"))
        #expect(prompt.text.contains("Answer 5:") && !prompt.text.contains("Question 4:"))
        #expect(prompt.text.contains("What colour is the fox?<|im_end|>\n<|im_start|>assistant\n"))
    }

    /// Gemma-3-270M, a base model, is spoken to as a plain transcript; its reply ends where it
    /// starts the user's next line (it has no token that ends a turn), and none of that line
    /// reaches the answer.
    @Test func aBaseModelsReplyEndsWhereItBeginsTheUsersNextLine() async throws {
        let backend = EmbeddedBackend(modelPath: try Peers.model(Peers.gemma3), contextSize: 512, threads: 2)
        let reply = try await Self.collect(backend, ChatRequest(
            messages: [.user("What is the capital of France?")], think: ThinkSetting(mode: .off),
            sampler: .greedy, maxTokens: 96))
        print("Gemma, plain transcript: \(reply.content.debugDescription), \(reply.usage?.completionTokens ?? -1) tokens")
        #expect(reply.finish == .stop)
        #expect((reply.usage?.completionTokens ?? 96) < 96)
        #expect(reply.content.contains("Paris"))
        #expect(!reply.content.contains("User:"))
    }

    @Test func gemma3RepliesThroughTheBackend() async throws {
        let backend = EmbeddedBackend(modelPath: try Peers.model(Peers.gemma3), contextSize: 512, threads: 2)
        let info = try await backend.prepare()
        #expect(info.kind == .embedded && info.model == Peers.gemma3 && info.contextSize == 512)
        let reply = try await Self.collect(backend, ChatRequest(
            messages: [.user("Name three colours.")], think: ThinkSetting(mode: .off), sampler: .greedy,
            maxTokens: 16))
        #expect(!reply.content.isEmpty)
        #expect(reply.finish == .stop || reply.finish == .length)
    }

    @Test func longPrefillReportsProgressPerBatch() throws {
        let file = try GGUFFile(path: try Peers.model(Peers.smolLM2))
        let session = Session(model: try Transformer(file: file, contextCapacity: 64, threads: 2, batchSize: 8))
        let generator = Generator(session: session, tokenizer: try Tokenizer.load(from: file))
        var progress: [ChatEvent] = []
        _ = try generator.run(
            prompt: ModelTests.prompt,
            options: .init(maxTokens: 1, sampler: .greedy, startsInsideThink: false, thinkBudget: nil, closeThinkTokens: []),
            isCancelled: { false },
            emit: { if case .progress = $0 { progress.append($0) } })
        let n = ModelTests.prompt.count
        #expect(progress == stride(from: 8, to: n, by: 8).map { .progress(done: $0, total: n) } + [.progress(done: n, total: n)])
    }
}

