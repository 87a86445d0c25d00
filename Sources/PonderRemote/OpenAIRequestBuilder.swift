import PonderCore

/// Turns a ``ChatRequest`` into the body of `POST /v1/chat/completions` for one think style.
///
/// How each style asks for reasoning on / off:
///
/// | style | on | off |
/// | --- | --- | --- |
/// | `template-kwargs` | `chat_template_kwargs: {enable_thinking: true, thinking: true}` | both `false` |
/// | `effort` | `reasoning_effort`: the request's effort, else `medium` | `none` (`low` for o1/o3/o4/gpt-oss, `minimal` for gpt-5) |
/// | `system-prompt` | first system message `detailed thinking on` | `detailed thinking off` |
/// | `soft-switch` | ` /think` appended to the last user turn | ` /no_think` |
/// | `ollama` | as `effort` (Ollama's `/v1` maps it to `think`) | as `effort` |
/// | `none` | nothing | nothing |
///
/// `thinking` rides along with `enable_thinking` because DeepSeek-V3.1 and Granite templates read
/// that name; a template ignores variables it does not use. With `system-prompt` the user's own system
/// prompt follows the switch in the same message, separated by a blank line, as NVIDIA's template
/// does. Past assistant reasoning is sent (as `reasoning_content`) only with
/// `includePastReasoning`. A thinking budget becomes llama-server's `thinking_budget_tokens`; other
/// servers have no such field, so the caller warns instead.
struct OpenAIRequestBuilder: Sendable {
    var model: String
    /// A resolved style (never `auto`).
    var style: ThinkStyle
    var serverKind: ServerFacts.Kind

    /// Whether this server takes a per-request thinking budget.
    var supportsBudget: Bool { serverKind == .llamaCpp }

    func body(for request: ChatRequest) -> OpenAIWire.ChatBody {
        let on = request.think.mode == .on
        var messages = conversation(request)
        var body = OpenAIWire.ChatBody(model: model, messages: [])

        switch style {
        case .templateKwargs:
            body.chatTemplateKwargs = ["enable_thinking": on, "thinking": on]
        case .effort, .ollama:
            body.reasoningEffort = on
                ? (request.think.effort ?? ThinkStyleResolver.defaultOnEffort)
                : ThinkStyleResolver.offEffort(forModel: model)
        case .systemPrompt:
            let line = on ? "detailed thinking on" : "detailed thinking off"
            if let first = messages.first, first.role == "system" {
                messages[0].content = first.content.isEmpty ? line : line + "\n\n" + first.content
            } else {
                messages.insert(.init(role: "system", content: line), at: 0)
            }
        case .softSwitch:
            if let last = messages.lastIndex(where: { $0.role == "user" }) {
                messages[last].content += on ? " /think" : " /no_think"
            }
        case .none, .auto:
            break
        }

        body.messages = messages
        body.maxTokens = request.maxTokens
        let sampler = request.sampler
        body.temperature = sampler.temperature
        body.topP = sampler.topP
        body.seed = sampler.seed
        switch serverKind {
        case .llamaCpp:
            body.topK = sampler.topK
            body.minP = sampler.minP
            body.repeatPenalty = sampler.repeatPenalty
            body.repeatLastN = sampler.repeatLastN
        case .ollama, .other:
            break  // OpenAI rejects unknown sampler fields; Ollama's /v1 ignores them.
        }
        if on, let budget = request.think.budget, supportsBudget {
            body.thinkingBudgetTokens = budget
        }
        return body
    }

    /// The system prompt, then the turns; assistant turns without their traces unless asked.
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
            if message.role == .assistant, request.includePastReasoning, let reasoning = message.reasoning,
               !reasoning.isEmpty {
                wire.reasoningContent = reasoning
            }
            messages.append(wire)
        }
        return messages
    }
}
