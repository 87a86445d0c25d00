import Foundation
import PonderCore
import Testing

@testable import PonderRemote

/// The JSON object a request becomes, parsed back with Foundation.
private func json(
    _ request: ChatRequest, dialect: ReasoningDialect, model: String = "m", kind: ServerFacts.Kind = .other
) throws -> [String: Any] {
    let body = OpenAIRequestBuilder(model: model, dialect: dialect, serverKind: kind).body(for: request)
    return try #require(try JSONSerialization.jsonObject(with: OpenAIWire.encoder().encode(body)) as? [String: Any])
}

private func messages(_ object: [String: Any]) -> [[String: String]] {
    (object["messages"] as? [[String: Any]] ?? []).map { $0.compactMapValues { $0 as? String } }
}

private func request(_ mode: ThinkMode, system: String? = nil, effort: String? = nil, budget: Int? = nil) -> ChatRequest {
    ChatRequest(
        systemPrompt: system,
        messages: [.user("Hi"), .assistant("Hello!", reasoning: "greet back", think: .on), .user("Name a color.")],
        think: ThinkSetting(mode: mode, budget: budget, effort: effort))
}

private let keysOfEveryDialect: Set<String> = ["model", "messages", "stream", "stream_options"]

struct OpenAIRequestBuilderTests {
    @Test
    func enableThinkingGoesInChatTemplateKwargs() throws {
        for mode in ThinkMode.allCases {
            let object = try json(request(mode), dialect: .enableThinking)
            let on = mode == .on
            #expect(object["chat_template_kwargs"] as? [String: Bool] == ["enable_thinking": on, "thinking": on])
            #expect(Set(object.keys) == keysOfEveryDialect.union(["chat_template_kwargs"]))
            #expect(messages(object).map { $0["content"] } == ["Hi", "Hello!", "Name a color."])
        }
    }

    @Test
    func effortSendsReasoningEffort() throws {
        #expect(try json(request(.on), dialect: .effort)["reasoning_effort"] as? String == "medium")
        #expect(try json(request(.on, effort: "high"), dialect: .effort)["reasoning_effort"] as? String == "high")
        #expect(try json(request(.off), dialect: .effort)["reasoning_effort"] as? String == "none")
        #expect(try json(request(.off), dialect: .effort, model: "o3-mini")["reasoning_effort"] as? String == "low")
        #expect(try json(request(.off), dialect: .effort, model: "openai/gpt-oss-20b")["reasoning_effort"] as? String == "low")
        #expect(try json(request(.off), dialect: .effort, model: "gpt-5-mini")["reasoning_effort"] as? String == "minimal")
        #expect(try json(request(.off), dialect: .effort, model: "gpt-5.1")["reasoning_effort"] as? String == "none")
        #expect(try json(request(.off), dialect: .ollamaThink)["reasoning_effort"] as? String == "none")
    }

    @Test
    func detailedThinkingAddsTheSwitchAsTheFirstSystemMessage() throws {
        let off = messages(try json(request(.off), dialect: .detailedThinking))
        #expect(off.first == ["role": "system", "content": "detailed thinking off"])
        #expect(off.count == 4)
        let merged = messages(try json(request(.on, system: "Be brief."), dialect: .detailedThinking))
        #expect(merged.first == ["role": "system", "content": "detailed thinking on\n\nBe brief."])
        #expect(merged.filter { $0["role"] == "system" }.count == 1)
    }

    /// The same place the embedded engine puts it: the end of the system message.
    @Test
    func softSwitchEndsTheSystemMessage() throws {
        let on = messages(try json(request(.on), dialect: .softSwitch))
        #expect(on.map { $0["content"] } == ["/think", "Hi", "Hello!", "Name a color."])
        #expect(on.first?["role"] == "system")
        let off = messages(try json(request(.off, system: "Be brief."), dialect: .softSwitch))
        #expect(off.map { $0["content"] } == ["Be brief.\n/no_think", "Hi", "Hello!", "Name a color."])
    }

    @Test
    func capabilitiesFollowTheServerAndTheDialect() {
        // llama-server: a budget (its own where the build honours it, else ponder's cut) and
        // answer-now wherever the trace is <think> text; not for gpt-oss's channels (`effort`).
        let llama = OpenAIRequestBuilder.capabilities(dialect: .enableThinking, serverKind: .llamaCpp)
        #expect(llama == ReasoningCapabilities(budget: true, effort: true, canTurnOff: true, prefill: false, answerNow: true))
        #expect(!OpenAIRequestBuilder.capabilities(dialect: .effort, serverKind: .llamaCpp).answerNow)
        #expect(OpenAIRequestBuilder.capabilities(dialect: .opensThink, serverKind: .llamaCpp).answerNow)
        let openAI = OpenAIRequestBuilder.capabilities(dialect: .effort, serverKind: .other)
        #expect(openAI == ReasoningCapabilities(budget: false, effort: true, canTurnOff: true, prefill: false, answerNow: false))
        #expect(!OpenAIRequestBuilder.capabilities(dialect: .opensThink, serverKind: .llamaCpp).canTurnOff)
        #expect(OpenAIRequestBuilder.capabilities(dialect: .none, serverKind: .other).canTurnOff)
    }

    @Test
    func noneSendsNoSwitch() throws {
        for mode in ThinkMode.allCases {
            #expect(Set(try json(request(mode), dialect: .none).keys) == keysOfEveryDialect)
            #expect(Set(try json(request(mode), dialect: .opensThink).keys) == keysOfEveryDialect)
        }
    }

    @Test
    func pastReasoningIsSentOnlyWhenAsked() throws {
        let plain = messages(try json(request(.on), dialect: .none))
        #expect(plain[1] == ["role": "assistant", "content": "Hello!"])
        var asking = request(.on)
        asking.pastReasoning = .keep
        let with = messages(try json(asking, dialect: .none))
        #expect(with[1] == ["role": "assistant", "content": "Hello!", "reasoning_content": "greet back"])
        // By default llama-server gets the traces and its template decides; /context strip sends none.
        let llama = messages(try json(request(.on), dialect: .enableThinking, kind: .llamaCpp))
        #expect(llama[1]["reasoning_content"] == "greet back")
        var stripped = request(.on)
        stripped.pastReasoning = .strip
        #expect(messages(try json(stripped, dialect: .enableThinking, kind: .llamaCpp))[1]["reasoning_content"] == nil)
    }

    @Test
    func samplerFieldsFollowWhatTheServerAccepts() throws {
        var sampled = request(.on)
        sampled.sampler = SamplerSettings(temperature: 0.6, topK: 20, topP: 0.95, minP: 0.05, repeatPenalty: 1.1, seed: 42)
        sampled.maxTokens = 512
        let llama = try json(sampled, dialect: .none, kind: .llamaCpp)
        #expect(llama["temperature"] as? Double == 0.6 && llama["top_p"] as? Double == 0.95)
        #expect(llama["top_k"] as? Int == 20 && llama["min_p"] as? Double == 0.05 && llama["repeat_penalty"] as? Double == 1.1)
        #expect(llama["seed"] as? Int == 42 && llama["max_tokens"] as? Int == 512)
        let openAI = try json(sampled, dialect: .none, kind: .other)
        #expect(openAI["top_k"] == nil && openAI["min_p"] == nil && openAI["repeat_penalty"] == nil)
        #expect(openAI["temperature"] as? Double == 0.6 && openAI["seed"] as? Int == 42)
        #expect((openAI["stream_options"] as? [String: Bool]) == ["include_usage": true])
    }

    @Test
    func budgetBecomesLlamaServersThinkingBudgetOnly() throws {
        #expect(try json(request(.on, budget: 256), dialect: .enableThinking, kind: .llamaCpp)["thinking_budget_tokens"] as? Int == 256)
        #expect(try json(request(.off, budget: 256), dialect: .enableThinking, kind: .llamaCpp)["thinking_budget_tokens"] == nil)
        #expect(try json(request(.on, budget: 256), dialect: .enableThinking, kind: .other)["thinking_budget_tokens"] == nil)
    }

    /// How much to think, for every dialect × on/off × nothing/effort/budget × server kind: only the
    /// two fields that carry an amount are looked at here (the switch itself is tested above).
    /// - llama-server: an explicit budget goes as `thinking_budget_tokens`; an effort level goes as
    ///   the budget it stands for (low 256, medium 1024, high 4096), except where the dialect is
    ///   `effort` itself (gpt-oss reads `reasoning_effort`). Think off sends no budget.
    /// - other servers: no budget field exists; an effort level goes as `reasoning_effort`.
    @Test(arguments: ReasoningDialect.allCases)
    func effortAndBudgetReachEveryServerInItsOwnTerms(dialect: ReasoningDialect) throws {
        let effortDialect = dialect == .effort || dialect == .ollamaThink
        for mode in ThinkMode.allCases {
            let on = mode == .on
            for kind in [ServerFacts.Kind.llamaCpp, .other] {
                let llama = kind == .llamaCpp
                let plain = try json(request(mode), dialect: dialect, kind: kind)
                #expect(plain["thinking_budget_tokens"] == nil)
                #expect((plain["reasoning_effort"] as? String) == (effortDialect ? (on ? "medium" : "none") : nil))

                let high = try json(request(mode, effort: "high"), dialect: dialect, kind: kind)
                let highBudget: Int? = on && llama && dialect != .effort ? 4096 : nil
                #expect(high["thinking_budget_tokens"] as? Int == highBudget, "\(dialect) \(mode) \(kind)")
                let highEffort: String? = effortDialect ? (on ? "high" : "none") : (on && !llama ? "high" : nil)
                #expect(high["reasoning_effort"] as? String == highEffort, "\(dialect) \(mode) \(kind)")

                let sixteen = try json(request(mode, effort: "low", budget: 16), dialect: dialect, kind: kind)
                #expect(sixteen["thinking_budget_tokens"] as? Int == (on && llama ? 16 : nil), "\(dialect) \(mode) \(kind)")
            }
        }
    }

    @Test
    func systemTurnsJoinTheSystemPrompt() throws {
        let chat = ChatRequest(systemPrompt: "Be brief.", messages: [.system("Answer in French."), .user("Hi")],
                               think: ThinkSetting(mode: .off))
        #expect(messages(try json(chat, dialect: .none)) == [
            ["role": "system", "content": "Be brief.\n\nAnswer in French."], ["role": "user", "content": "Hi"],
        ])
    }
}
