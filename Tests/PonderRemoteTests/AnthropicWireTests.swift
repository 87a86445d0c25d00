import Foundation
import PonderCore
import Testing

@testable import PonderRemote

/// The `/v1/messages` body a request becomes, parsed back with Foundation.
private func body(_ request: ChatRequest, model: String = "claude-sonnet-4-5") throws -> NSDictionary {
    let built = try AnthropicWire.body(for: request, model: model)
    return try #require(try JSONSerialization.jsonObject(with: OpenAIWire.encoder().encode(built.body)) as? NSDictionary)
}

/// `text` (JSON written by hand) parsed the same way.
private func object(_ text: String) throws -> NSDictionary {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? NSDictionary)
}

/// `{"type": "enabled", "budget_tokens": N}`, as the extended-thinking page writes it.
private func thinking(_ budget: Int) throws -> NSDictionary { try object(#"{"type": "enabled", "budget_tokens": \#(budget)}"#) }

private let signature = "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds..."
private let redacted = "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpPkNRj2YfWXGmKDxH4mPnZ5sQ7vB5URj2pabwHyTH62Z4Sb..."

/// A conversation whose first reply reasoned on Anthropic (a signed block and a redacted one), as
/// the chat keeps it: the trace shown (trimmed by the screen) and its sealed parts.
private func conversation(think: ThinkMode, pastReasoning: ContextPolicy? = nil, sampler: SamplerSettings = SamplerSettings(),
                          effort: String? = nil, budget: Int? = nil, maxTokens: Int? = nil) -> ChatRequest {
    var reply = Message.assistant("27 * 453 = 12,231", reasoning: "Let me solve this step by step", think: .on)
    reply.sealedReasoning = [
        .signed(thinking: "Let me solve this step by step:\n\n1. First break down 27 * 453", signature: signature),
        .redacted(data: redacted),
    ]
    return ChatRequest(
        systemPrompt: "Be brief.",
        messages: [.system("Answer in English."), .user("What is 27 * 453?"), reply, .user("And 27 * 454?")],
        think: ThinkSetting(mode: think, budget: budget, effort: effort), sampler: sampler, maxTokens: maxTokens,
        pastReasoning: pastReasoning)
}

/// The messages of that conversation as "Building with extended thinking"
/// (https://platform.claude.com/docs/en/build-with-claude/extended-thinking, *Preserving thinking
/// blocks*) says to send them back:
/// the assistant turn's thinking block with its signature and its redacted block, unchanged, before
/// its text.
private let messagesWithThinking = #"""
    [{"role": "user", "content": [{"type": "text", "text": "What is 27 * 453?"}]},
     {"role": "assistant", "content": [
        {"type": "thinking", "thinking": "Let me solve this step by step:\n\n1. First break down 27 * 453",
         "signature": "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds..."},
        {"type": "redacted_thinking", "data": "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpPkNRj2YfWXGmKDxH4mPnZ5sQ7vB5URj2pabwHyTH62Z4Sb..."},
        {"type": "text", "text": "27 * 453 = 12,231"}]},
     {"role": "user", "content": [{"type": "text", "text": "And 27 * 454?"}]}]
    """#

struct AnthropicWireTests {
    /// Think off: no `thinking`, `max_tokens` 8192, the system prompt and system turns joined into
    /// the top-level `system`, the sampler settings the API takes sent as set.
    @Test
    func thinkOffSendsNoThinkingAndTheSamplerAsSet() throws {
        let sampler = SamplerSettings(temperature: 0.3, topK: 20, topP: 0.8, minP: 0.05, repeatPenalty: 1.1, seed: 7)
        let expected = try object("""
            {"model": "claude-sonnet-4-5", "max_tokens": 8192, "stream": true,
             "system": "Be brief.\\n\\nAnswer in English.",
             "temperature": 0.3, "top_k": 20, "top_p": 0.8,
             "messages": \(messagesWithThinking)}
            """)
        #expect(try body(conversation(think: .off, sampler: sampler)) == expected)
    }

    /// Think on: `thinking: {type: enabled, budget_tokens}` with `max_tokens` the budget + 8192; the
    /// default budget is 4096, `low` the API's minimum 1024, `high` 16384, an explicit budget wins.
    @Test
    func thinkOnSendsABudgetBelowMaxTokens() throws {
        let expected = try object("""
            {"model": "claude-sonnet-4-5", "max_tokens": 12288, "stream": true,
             "system": "Be brief.\\n\\nAnswer in English.",
             "thinking": {"type": "enabled", "budget_tokens": 4096},
             "messages": \(messagesWithThinking)}
            """)
        #expect(try body(conversation(think: .on)) == expected)
        for (effort, budget) in [("low", 1024), ("medium", 4096), ("high", 16384)] {
            let sent = try body(conversation(think: .on, effort: effort))
            #expect(sent["thinking"] as? NSDictionary == (try thinking(budget)), "\(effort)")
            #expect(sent["max_tokens"] as? Int == budget + 8192)
        }
        let explicit = try body(conversation(think: .on, effort: "low", budget: 3000))
        #expect(explicit["thinking"] as? NSDictionary == (try thinking(3000)))
    }

    /// The API's limits: a budget under 1024 is raised to 1024 (and said); with `--max-tokens` the
    /// budget stays below it; a `--max-tokens` with no room for 1024 is refused in one line.
    @Test
    func budgetIsFittedToTheAPIsLimits() throws {
        let small = try AnthropicWire.body(for: conversation(think: .on, budget: 256), model: "m")
        #expect(small.body.thinking == AnthropicWire.Thinking(budgetTokens: 1024))
        #expect(small.notices == ["Anthropic's API takes a thinking budget of at least 1024 tokens; 1024 was sent"])

        let capped = try AnthropicWire.body(for: conversation(think: .on, budget: 8000, maxTokens: 2000), model: "m")
        #expect(capped.body.maxTokens == 2000)
        #expect(capped.body.thinking == AnthropicWire.Thinking(budgetTokens: 1999))
        #expect(try AnthropicWire.body(for: conversation(think: .off, maxTokens: 300), model: "m").body.maxTokens == 300)

        #expect(throws: BackendError("--max-tokens 1000 leaves no room for thinking: Anthropic's budget_tokens must be at least "
            + "1024 and below max_tokens (raise --max-tokens, or turn thinking off with Ctrl-T)")) {
            try AnthropicWire.body(for: conversation(think: .on, maxTokens: 1000), model: "m")
        }
    }

    /// Thinking takes no `temperature` or `top_k`, and `top_p` only from 0.95: those are left out
    /// with a notice rather than refused by the server; a `top_p` it takes still goes.
    @Test
    func thinkingLeavesOutTheSamplerSettingsItCannotTake() throws {
        let built = try AnthropicWire.body(
            for: conversation(think: .on, sampler: SamplerSettings(temperature: 0.6, topK: 20, topP: 0.5)), model: "m")
        #expect(built.body.temperature == nil && built.body.topK == nil && built.body.topP == nil)
        #expect(built.notices == ["with thinking on, Anthropic's API takes no temperature, top-k, top-p below 0.95; not sent"])
        let kept = try AnthropicWire.body(for: conversation(think: .on, sampler: SamplerSettings(topP: 0.97)), model: "m")
        #expect(kept.body.topP == 0.97 && kept.notices.isEmpty)
    }

    /// `/context strip` sends no earlier thinking; a trace without a signature (another server's)
    /// is never sent as a thinking block; two user turns in a row (a reply that failed) become one
    /// user message of two blocks, so roles alternate.
    @Test
    func whatGoesBackOfEarlierTraces() throws {
        let stripped = try body(conversation(think: .on, pastReasoning: .strip))
        let strippedMessages = try #require(stripped["messages"] as? [NSDictionary])
        #expect(strippedMessages[1] == (try object(#"{"role": "assistant", "content": [{"type": "text", "text": "27 * 453 = 12,231"}]}"#)))

        let unsigned = ChatRequest(
            messages: [.user("Hi"), .assistant("Hello.", reasoning: "greet", think: .on), .user("Why?"), .user("Well?")],
            think: ThinkSetting(mode: .off), pastReasoning: .keep)
        let expected = try JSONSerialization.jsonObject(with: Data(#"""
            [{"role": "user", "content": [{"type": "text", "text": "Hi"}]},
             {"role": "assistant", "content": [{"type": "text", "text": "Hello."}]},
             {"role": "user", "content": [{"type": "text", "text": "Why?"}, {"type": "text", "text": "Well?"}]}]
            """#.utf8)) as? NSArray
        #expect(try body(unsigned)["messages"] as? NSArray == expected)
        #expect(try body(unsigned)["system"] == nil)
    }
}
