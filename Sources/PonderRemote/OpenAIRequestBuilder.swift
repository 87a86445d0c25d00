import PonderCore

/// Turns a ``ChatRequest`` into the body of `POST /v1/chat/completions` in one ``ReasoningDialect``.
///
/// How each dialect asks for reasoning on / off:
///
/// | dialect | on | off |
/// | --- | --- | --- |
/// | `enable-thinking` | `chat_template_kwargs: {enable_thinking: true, thinking: true}` | both `false` |
/// | `effort` | `reasoning_effort`: the request's effort, else `medium` | `none` (`low` for o1/o3/o4/gpt-oss, `minimal` for gpt-5) |
/// | `detailed-thinking` | first system message `detailed thinking on` | `detailed thinking off` |
/// | `soft-switch` | `/think` at the end of the system message | `/no_think` |
/// | `ollama-think` | as `effort` (Ollama's `/v1` maps it to `think`) | as `effort` |
/// | `opens-think`, `none` | nothing | nothing (the model decides) |
///
/// `thinking` rides along with `enable_thinking` because DeepSeek-V3.1 and Granite templates read
/// that name; a template ignores variables it does not use. With `detailed-thinking` the user's own
/// system prompt follows the switch in the same message, separated by a blank line, as NVIDIA's
/// template does; with `soft-switch` the flag follows it on a line of its own, as the embedded
/// engine puts it. Past assistant reasoning is sent (as `reasoning_content`) as
/// ``sendsPastReasoning(_:)`` says. A thinking budget (or the one an effort level stands for) becomes
/// llama-server's `thinking_budget_tokens`, which ponder also enforces itself; other servers have
/// no such field, so the caller warns instead, and get the effort level as `reasoning_effort`.
struct OpenAIRequestBuilder: Sendable {
    var model: String
    var dialect: ReasoningDialect
    var serverKind: ServerFacts.Kind

    /// What a request in `dialect` to this kind of server can do with the reasoning. Only a
    /// template that opens the trace itself (`opens-think`) cannot be turned off: nothing a request
    /// says closes it. A model with no switch (`none`) decides for itself, and may never reason.
    /// llama-server takes a budget (its own `thinking_budget_tokens` where the build honours it,
    /// and ponder's cut where it does not) and can answer now (``LlamaContinuation``) whenever the
    /// trace is `<think>` text; effort levels reach every server, as `reasoning_effort` or as a budget.
    static func capabilities(dialect: ReasoningDialect, serverKind: ServerFacts.Kind) -> ReasoningCapabilities {
        ReasoningCapabilities(
            budget: serverKind.speaksLlamaCpp, effort: true,
            canTurnOff: dialect != .opensThink && dialect != .alwaysThinks, prefill: false,
            answerNow: serverKind == .llamaCpp && dialect.tracesAreThinkTags)
    }

    /// The budget a request to llama-server carries, and ponder enforces: the explicit one, else,
    /// where the template takes no `reasoning_effort` of its own, the one the effort stands for.
    func budget(for request: ChatRequest) -> Int? {
        guard request.think.mode == .on, serverKind.speaksLlamaCpp else { return nil }
        return dialect == .effort ? request.think.budget : request.think.effectiveBudget
    }

    func body(for request: ChatRequest) -> OpenAIWire.ChatBody {
        let on = request.think.mode == .on
        var messages = conversation(request)
        var body = OpenAIWire.ChatBody(model: model, messages: [])

        switch dialect {
        case .enableThinking:
            body.chatTemplateKwargs = ["enable_thinking": on, "thinking": on]
        case .effort, .ollamaThink:
            body.reasoningEffort = on
                ? (request.think.effort ?? ServerDialectResolver.defaultOnEffort)
                : ServerDialectResolver.offEffort(forModel: model)
        case .detailedThinking:
            let line = on ? "detailed thinking on" : "detailed thinking off"
            if let first = messages.first, first.role == "system" {
                messages[0].content = first.content.isEmpty ? line : line + "\n\n" + first.content
            } else {
                messages.insert(.init(role: "system", content: line), at: 0)
            }
        case .softSwitch:
            let flag = on ? "/think" : "/no_think"
            if let first = messages.first, first.role == "system" {
                messages[0].content = first.content.isEmpty ? flag : first.content + "\n" + flag
            } else {
                messages.insert(.init(role: "system", content: flag), at: 0)
            }
        case .opensThink, .none, .anthropicThinking, .harmony, .alwaysThinks:
            // `harmony` is the embedded engine's reading of gpt-oss; `--think-style` does not offer it.
            break
        }
        // Servers other than llama-server get the effort level by its OpenAI name whatever the
        // dialect (llama-server turns it into a budget below).
        if on, serverKind == .other, body.reasoningEffort == nil, let effort = request.think.effort {
            body.reasoningEffort = effort
        }

        body.messages = messages
        body.maxTokens = request.maxTokens
        let sampler = request.sampler
        body.temperature = sampler.temperature
        body.topP = sampler.topP
        body.seed = sampler.seed
        switch serverKind {
        case .llamaCpp, .ponder:
            body.topK = sampler.topK
            body.minP = sampler.minP
            body.repeatPenalty = sampler.repeatPenalty
            body.repeatLastN = sampler.repeatLastN
        case .ollama, .other:
            break  // OpenAI rejects unknown sampler fields; Ollama's /v1 ignores them.
        }
        body.thinkingBudgetTokens = budget(for: request)
        return body
    }

    /// Earlier traces go as `reasoning_content` with `/context keep`, and by default to llama-server,
    /// whose template decides (other APIs ask clients to leave them out; DeepSeek's refuses them).
    func sendsPastReasoning(_ request: ChatRequest) -> Bool {
        switch request.pastReasoning {
        case .keep?: return true
        case .strip?: return false
        case nil: return serverKind.speaksLlamaCpp
        }
    }

    /// The system prompt, then the turns; assistant turns with their traces as the policy says.
    private func conversation(_ request: ChatRequest) -> [OpenAIWire.ChatBody.Message] {
        var messages: [OpenAIWire.ChatBody.Message] = []
        var system = request.systemPrompt ?? ""
        // System turns inside the conversation join the system prompt: most templates take one.
        for message in request.messages where message.role == .system && !message.content.isEmpty {
            system += (system.isEmpty ? "" : "\n\n") + message.content
        }
        if !system.isEmpty { messages.append(.init(role: "system", content: system)) }
        for message in request.messages where message.role != .system {
            var wire = OpenAIWire.ChatBody.Message(role: message.role.rawValue, content: message.content)
            if message.role == .assistant, sendsPastReasoning(request), let reasoning = message.reasoning,
               !reasoning.isEmpty {
                wire.reasoningContent = reasoning
            }
            messages.append(wire)
        }
        return messages
    }
}

extension ServerFacts.Kind {
    /// llama-server and `ponder serve`: a per-request `thinking_budget_tokens`, llama.cpp's sampler
    /// fields, and past traces handed to the model's template, which decides.
    var speaksLlamaCpp: Bool { self == .llamaCpp || self == .ponder }
}
